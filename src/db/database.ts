/**
 * A signed-in user's local database. Each user has their own (the name derives from the user
 * id), so signing in as someone else on the same browser opens an empty one: nothing of the
 * first user is ever queried. Dexie (IndexedDB) in the browser, memory storage in tests.
 */
import { addRxPlugin, createRxDatabase, type RxDatabase, type RxStorage } from 'rxdb';
import { RxDBCleanupPlugin } from 'rxdb/plugins/cleanup';
import { RxDBLeaderElectionPlugin } from 'rxdb/plugins/leader-election';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { type CollectionCreators, collectionCreators, type PigeonCollections } from './collections.ts';

// Migrations run as soon as a schema version is bumped (migrations.ts); one tab replicates
// (leader election); tombstones of deleted documents are purged once replicated (cleanup,
// RxDB's defaults: a month after the delete, only while replication is in sync).
addRxPlugin(RxDBMigrationSchemaPlugin);
addRxPlugin(RxDBLeaderElectionPlugin);
addRxPlugin(RxDBCleanupPlugin);
// The pending-changes summary (src/sync/status.ts) is one local document of the database.
addRxPlugin(RxDBLocalDocumentsPlugin);

export type PigeonDatabase = RxDatabase<PigeonCollections>;

export interface OpenDatabaseOptions {
  name: string;
  // RxDB's storages differ in their internals and settings types; the database needs neither.
  storage: RxStorage<unknown, unknown>;
  /** True in the browser: the database is shared by the app's tabs. */
  multiInstance: boolean;
  /** The collections to create; the app's own by default (a test may pass a later version). */
  collections?: CollectionCreators;
}

export async function openPigeonDatabase(opts: OpenDatabaseOptions): Promise<PigeonDatabase> {
  const db = await createRxDatabase<PigeonCollections>({
    name: opts.name,
    storage: opts.storage,
    multiInstance: opts.multiInstance,
    // Live queries of a 100k-contact list are updated from the change events, not re-run.
    eventReduce: true,
    localDocuments: true,
  });
  try {
    await db.addCollections(opts.collections ?? collectionCreators);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/**
 * The database name of a user. `prefix` separates apps (and, in tests, simulated devices
 * sharing one process); RxDB names allow lower-case letters, digits, `-` and `_`.
 */
export function userDatabaseName(prefix: string, userId: string): string {
  const name = `${prefix}-${userId.toLowerCase()}`;
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new TypeError(`not a usable database name: ${name}`);
  return name;
}
