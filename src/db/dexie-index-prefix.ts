/**
 * The first documents of a collection in the order of one of its indexes, read straight from
 * the IndexedDB database RxDB's Dexie storage keeps for it, before that storage instance is
 * open: a cold open's first rows need one IndexedDB request, not the RxDatabase with its
 * collections (hundreds of milliseconds). Read-only; a database that does not exist yet is not
 * created, and the connection gives way at once to an upgrade.
 */
import { DEXIE_DOCS_TABLE_NAME, dexieReplaceIfStartsWithPipe } from 'rxdb/plugins/storage-dexie';

/** Where RxDB's Dexie storage keeps a collection (rxdb/plugins/storage-dexie, getDexieDbWithTables). */
export function dexieDatabaseName(database: string, collection: string, schemaVersion: number): string {
  return `rxdb-dexie-${database}--${schemaVersion}--${collection}`;
}

/** How Dexie stores `false` in an indexed boolean field (RxDB's `booleanIndexes`). */
export const DEXIE_FALSE = '0';

/**
 * Up to `limit` stored documents whose key in the compound index over `fields` starts with
 * `prefix`, in index order; undefined when the database does not exist.
 */
export async function readIndexPrefix(
  dexieName: string,
  fields: readonly string[],
  prefix: readonly IDBValidKey[],
  limit: number,
): Promise<Record<string, unknown>[] | undefined> {
  const db = await openExisting(dexieName);
  if (!db) return undefined;
  try {
    const index = db
      .transaction(DEXIE_DOCS_TABLE_NAME, 'readonly')
      .objectStore(DEXIE_DOCS_TABLE_NAME)
      .index(`[${fields.map(dexieReplaceIfStartsWithPipe).join('+')}]`);
    // An array sorts after every string and number: [...prefix, []] bounds all longer keys.
    const range = IDBKeyRange.bound([...prefix], [...prefix, []]);
    return await done<Record<string, unknown>[]>(index.getAll(range, limit));
  } finally {
    db.close();
  }
}

function openExisting(name: string): Promise<IDBDatabase | undefined> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    let missing = false;
    // No such database: opening without a version would create an empty one; abort instead.
    request.onupgradeneeded = () => {
      missing = true;
      request.transaction?.abort();
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => (missing ? resolve(undefined) : reject(request.error));
    request.onblocked = () => resolve(undefined);
  });
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
