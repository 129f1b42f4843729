/**
 * Removes a database's IndexedDB files. RxDB's remove() with the Dexie storage only empties
 * the tables: the IndexedDB databases, named after the user, stay behind. On a sign-out that
 * removes the user's data, the next person using this browser must find none of them (not
 * even empty, with the user's id in their names). Call it after the database is removed and
 * closed; a tab or the storage worker still holding one open is asked to close it (Dexie
 * closes on `versionchange`), and the deletion completes when it has.
 */

/** How Dexie (RxDB's Dexie storage) names the IndexedDB databases of an RxDB database. */
function dexiePrefix(databaseName: string): string {
  return `rxdb-dexie-${databaseName}--`;
}

function deleteOne(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`could not delete the local database ${name}`));
  });
}

/** Deletes the IndexedDB databases of `databaseName`; nothing where there is no IndexedDB (Node). */
export async function deleteIndexedDbFiles(databaseName: string): Promise<void> {
  const factory = globalThis.indexedDB;
  if (!factory?.databases) return;
  const prefix = dexiePrefix(databaseName);
  const names = (await factory.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith(prefix));
  await Promise.all(names.map((name) => deleteOne(factory, name)));
}
