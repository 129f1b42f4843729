/**
 * Every document of a storage instance of RxDB's Dexie storage, in pages by primary key. A
 * page is one IndexedDB getAll, where RxDB's own queries (and getChangedDocumentsSince) walk a
 * cursor one document at a time: reading 500,000 messages this way takes a fraction of the
 * time. Used where the storage lives (the storage worker), for reads of everything.
 */
import type { DexieStorageInternals, RxDocumentData } from 'rxdb';
import { fromDexieToStorage } from 'rxdb/plugins/storage-dexie';

type Internals = Awaited<DexieStorageInternals>;

/** The pages of `instance`'s documents (deleted ones too); undefined when it is not Dexie's. */
export function dexiePages<D>(
  instance: unknown,
  size: number,
): AsyncIterable<RxDocumentData<D>[]> | undefined {
  const internals = (instance as { internals?: Promise<Internals> }).internals;
  if (typeof internals?.then !== 'function') return undefined;
  return {
    async *[Symbol.asyncIterator]() {
      const { dexieTable, booleanIndexes } = await internals;
      const key = dexieTable.schema.primKey.keyPath as string;
      let last: unknown;
      for (;;) {
        const rows =
          last === undefined
            ? await dexieTable.orderBy(':id').limit(size).toArray()
            : await dexieTable.where(':id').above(last).limit(size).toArray();
        if (rows.length === 0) return;
        last = (rows.at(-1) as Record<string, unknown>)[key];
        yield rows.map((row) => fromDexieToStorage(booleanIndexes, row) as RxDocumentData<D>);
        if (rows.length < size) return;
      }
    },
  };
}

/**
 * Up to `limit` documents of `instance` written after `checkpoint`, in write order, by one
 * IndexedDB getAll on RxDB's [_meta.lwt+id] index; undefined when it is not Dexie's. RxDB's
 * getChangedDocumentsSince walks a cursor from the checkpoint's millisecond, through every
 * document of a bulk write stored in that millisecond, each time it is asked.
 */
export async function dexieChangedSince<D>(
  instance: unknown,
  checkpoint: { lwt: number; id: string } | undefined,
  limit: number,
): Promise<RxDocumentData<D>[] | undefined> {
  const internals = (instance as { internals?: Promise<Internals> }).internals;
  if (typeof internals?.then !== 'function') return undefined;
  const { dexieTable, booleanIndexes } = await internals;
  const index = `[_meta.lwt+${dexieTable.schema.primKey.keyPath as string}]`;
  const rows = await (checkpoint
    ? dexieTable.where(index).above([checkpoint.lwt, checkpoint.id])
    : dexieTable.orderBy(index)
  )
    .limit(limit)
    .toArray();
  return rows.map((row) => fromDexieToStorage(booleanIndexes, row) as RxDocumentData<D>);
}
