/**
 * A read-modify-write of some documents of one RxDB storage instance (an import batch: look
 * up, merge, write).
 *
 * On RxDB's Dexie storage it is one IndexedDB transaction, each document read once and written
 * once. RxDB's own path for the same is a `findDocumentsById` and then a `bulkWrite`, which
 * reads every document a second time inside its own transaction (to check the revisions): a
 * third more IndexedDB requests, and another writer's change between the two steps fails the
 * write (409), to be merged and written again. Inside one transaction nothing changes in
 * between. The change events are RxDB's own (its `categorizeBulkWriteRows`), emitted as its
 * `bulkWrite` does, so every page's collections, queries and replications see the write. Used
 * where the storage lives (the storage worker).
 *
 * On any other storage (memory, in Node tests) it is RxDB's two steps, the documents that
 * changed in between planned again on what they then hold.
 */
import {
  type BulkWriteRow,
  categorizeBulkWriteRows,
  type DexieStorageInternals,
  type EventBulk,
  type RxDocumentData,
  type RxStorageInstance,
} from 'rxdb';
import { fromStorageToDexie, getDocsInDb } from 'rxdb/plugins/storage-dexie';

type Internals = Awaited<DexieStorageInternals>;

/**
 * What to write for `ids`, given those of them stored (deleted ones too). Called again for the
 * ids whose write met another version: what it planned for them before was not written.
 */
export type PlanWrites<D> = (
  ids: readonly string[],
  stored: readonly RxDocumentData<D>[],
) => BulkWriteRow<D>[];

/**
 * Reads `ids`, writes what `plan` makes of them, in one transaction; resolves once stored.
 * `assumeNew`: most of them are likely not stored yet (an import into a new workspace), so on
 * Dexie they are first planned as new and added, and only those that exist are read.
 */
export type ReadWrite<D> = (
  ids: readonly string[],
  plan: PlanWrites<D>,
  context: string,
  opts?: { assumeNew?: boolean },
) => Promise<void>;

interface DexieInstance<D> extends RxStorageInstance<D, unknown, unknown, unknown> {
  internals: Promise<Internals>;
  primaryPath: string;
  // Private in RxDB's types; its bulkWrite emits there.
  changes$: { next(bulk: EventBulk<unknown, unknown>): void };
}

// Another writer changing a document between the read and the write of each of three rounds
// is a stalemate: a clear error.
const ATTEMPTS = 3;

/** The read-modify-write of `instance`. */
export function readWrite<D>(instance: RxStorageInstance<D, unknown, unknown, unknown>): ReadWrite<D> {
  const dexie = instance as Partial<DexieInstance<D>>;
  if (typeof dexie.internals?.then === 'function' && typeof dexie.changes$?.next === 'function') {
    return dexieReadWrite(dexie as DexieInstance<D>);
  }
  return async (ids, plan, context) => {
    let todo = ids;
    for (let attempt = 1; todo.length > 0; attempt++) {
      if (attempt > ATTEMPTS) {
        throw new Error(`${context}: ${todo.length} kept changing while being saved (first: ${todo[0]})`);
      }
      const writes = plan(todo, await instance.findDocumentsById([...todo], true));
      const { error } = writes.length > 0 ? await instance.bulkWrite(writes, context) : { error: [] };
      const fatal = error.filter((e) => e.status !== 409);
      const [first] = fatal;
      if (first) {
        throw new Error(
          `${context}: ${fatal.length} failed (first: ${first.documentId}, status ${first.status})`,
        );
      }
      todo = error.map((e) => e.documentId);
    }
  };
}

function dexieReadWrite<D>(instance: DexieInstance<D>): ReadWrite<D> {
  const { internals, changes$, primaryPath } = instance;
  const idOf = (doc: RxDocumentData<D>) => (doc as Record<string, unknown>)[primaryPath] as string;
  return async (ids, plan, context, opts) => {
    const { dexieDb, dexieTable, booleanIndexes } = await internals;
    const toDexie = (rows: readonly BulkWriteRow<D>[]) =>
      rows.map((row) => fromStorageToDexie(booleanIndexes, row.document));
    let bulk: EventBulk<unknown, unknown> | undefined;
    await dexieDb.transaction('rw', dexieTable, async () => {
      let added: BulkWriteRow<D>[] = [];
      let toRead = ids;
      if (opts?.assumeNew) {
        // Planned as new and added: one request each; those that exist fail alone (their
        // failure, caught, does not abort the transaction) and are read and planned again.
        added = plan(ids, []);
        const failed = await addNew(dexieTable, toDexie(added));
        toRead = failed.map((position) => idOf((added[position] as BulkWriteRow<D>).document));
        const existing = new Set(toRead);
        added = added.filter((row) => !existing.has(idOf(row.document)));
      }
      const stored = toRead.length > 0 ? (await getDocsInDb<D>(internals, [...toRead])).filter(Boolean) : [];
      const updates = toRead.length > 0 ? plan(toRead, stored) : [];
      const writes = [...added, ...updates];
      if (writes.length === 0) return;
      const categorized = categorizeBulkWriteRows<D>(
        instance,
        primaryPath as never,
        new Map(stored.map((doc) => [idOf(doc), doc])),
        writes,
        context,
      );
      // Read in this transaction: a revision can only mismatch if `plan` is wrong.
      const [error] = categorized.errors;
      if (error) throw new Error(`${context}: ${error.documentId} failed (status ${error.status})`);
      if (updates.length > 0) await dexieTable.bulkPut(toDexie(updates));
      const newest = categorized.newestRow?.document;
      if (categorized.eventBulk.events.length > 0 && newest) {
        bulk = { ...categorized.eventBulk, checkpoint: { id: idOf(newest), lwt: newest._meta.lwt } };
      }
    });
    if (bulk) changes$.next(bulk);
  };
}

/** Adds `rows`; the positions of those whose key exists already (any other failure throws). */
async function addNew(table: Internals['dexieTable'], rows: unknown[]): Promise<number[]> {
  if (rows.length === 0) return [];
  try {
    await table.bulkAdd(rows);
    return [];
  } catch (err) {
    const failures = (err as { name?: string; failuresByPos?: Record<number, Error> }).failuresByPos;
    if ((err as { name?: string }).name !== 'BulkError' || !failures) throw err;
    const positions = Object.entries(failures);
    const other = positions.find(([, failure]) => failure.name !== 'ConstraintError');
    if (other) throw other[1];
    return positions.map(([position]) => Number(position));
  }
}
