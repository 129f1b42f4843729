/**
 * Every document of a Dexie storage instance that `keep` accepts, read in chunks by primary
 * key with IndexedDB's getAll. RxDB's own query walks a cursor one document per request,
 * which takes tens of seconds for 100,000 documents; chunks keep each step short, so the
 * worker answers other requests in between.
 */
import type { RxDocumentData, RxStorageInstance } from 'rxdb';
import { fromDexieToStorage, type RxStorageInstanceDexie } from 'rxdb/plugins/storage-dexie';

const CHUNK = 5_000;

export async function readAllDexie<D>(
  instance: RxStorageInstanceDexie<D>,
  keep: (doc: RxDocumentData<D>) => boolean,
): Promise<RxDocumentData<D>[]> {
  const { dexieTable, booleanIndexes } = await instance.internals;
  const out: RxDocumentData<D>[] = [];
  let after: string | undefined;
  for (;;) {
    const range = after === undefined ? dexieTable.toCollection() : dexieTable.where(':id').above(after);
    const chunk: Record<string, unknown>[] = await range.limit(CHUNK).toArray();
    for (const stored of chunk) {
      const doc = fromDexieToStorage<D>(booleanIndexes, stored);
      if (keep(doc)) out.push(doc);
    }
    if (chunk.length < CHUNK) return out;
    after = String(chunk.at(-1)?.[instance.primaryPath]);
  }
}

/** Whether `instance` is a Dexie storage instance (the storage worker's), not another storage. */
export function isDexieInstance<D>(
  instance: RxStorageInstance<D, unknown, unknown, unknown>,
): instance is RxStorageInstance<D, unknown, unknown, unknown> & RxStorageInstanceDexie<D> {
  return (
    typeof instance === 'object' && instance !== null && 'internals' in instance && 'primaryPath' in instance
  );
}
