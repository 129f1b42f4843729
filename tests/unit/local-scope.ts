// A feature's scope over a real RxDB in memory (schemas validated, dev-mode checks), for unit
// tests of what the features write; every database opened is removed after each test.
import { randomUUID } from 'node:crypto';
import { addRxPlugin } from 'rxdb';
import { RxDBDevModePlugin } from 'rxdb/plugins/dev-mode';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { afterEach } from 'vitest';
import { openPigeonDatabase, type PigeonDatabase } from '../../src/db/database.ts';
import type { Workspace } from '../../src/domain/types.ts';
import type { Scope } from '../../src/features/shared/scope.ts';
import { LocalWrites } from '../../src/sync/local-writes.ts';
import { RecordIssueStore } from '../../src/sync/record-issues.ts';
import { PendingChanges } from '../../src/sync/status.ts';

addRxPlugin(RxDBDevModePlugin);

/** A workspace of its own id (as the server has it). */
export function testWorkspace(name = 'W'): Workspace {
  const id = randomUUID();
  return { id, workspace_id: id, name, default_country: 'GB', time_zone: 'Europe/London', _deleted: false };
}

/** Registers the clean-up; the function it gives opens a new database as `workspace`'s scope. */
export function useLocalScopes(workspace: Workspace): () => Promise<Scope> {
  const opened: PigeonDatabase[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) if (!db.closed) await db.remove();
  });
  return async () => {
    const db = await openPigeonDatabase({
      name: `unit-${randomUUID()}`,
      storage: wrappedValidateAjvStorage({ storage: getRxStorageMemory() }),
      multiInstance: false,
    });
    opened.push(db);
    return {
      db,
      pending: new PendingChanges(db),
      issues: new RecordIssueStore(db),
      writes: new LocalWrites(),
      workspace,
    };
  };
}

/** Counts the documents written to the database from now on, in any collection or local store. */
export function countWrites(db: PigeonDatabase): () => number {
  let written = 0;
  const watch = db.eventBulks$.subscribe((bulk) => {
    written += bulk.events.length;
  });
  return () => {
    watch.unsubscribe();
    return written;
  };
}
