// The contacts list by windows (src/features/contacts/window.ts) on a real RxDB (memory
// storage): before the workspace is indexed, the first rows come in list order and count only
// themselves (no count of the whole workspace, which took seconds in IndexedDB); once asked to
// wait, the whole list answers with its counts and tags; a storage whose contacts are not open
// answers only first rows, and says so for anything else.
import { randomUUID } from 'node:crypto';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, test } from 'vitest';
import { openPigeonDatabase, type PigeonDatabase } from '../../src/db/database.ts';
import type { ContactDoc } from '../../src/db/documents.ts';
import { contactId } from '../../src/domain/ids.ts';
import type { Workspace } from '../../src/domain/types.ts';
import { answerContactWindow, askContactWindow } from '../../src/features/contacts/window.ts';
import type { Scope } from '../../src/features/shared/scope.ts';
import { LocalWrites } from '../../src/sync/local-writes.ts';
import { RecordIssueStore } from '../../src/sync/record-issues.ts';
import { PendingChanges } from '../../src/sync/status.ts';

const workspace: Workspace = {
  id: randomUUID(),
  workspace_id: '',
  name: 'W',
  default_country: 'GB',
  time_zone: 'Europe/London',
  _deleted: false,
};
workspace.workspace_id = workspace.id;

const opened: PigeonDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) if (!db.closed) await db.remove();
});

function contact(workspaceId: string, phone: string, name: string, tags: string[] = []): ContactDoc {
  return {
    id: contactId(workspaceId, phone),
    workspace_id: workspaceId,
    phone,
    name,
    email: '',
    tags,
    group_ids: [],
    custom_fields: {},
    opted_out: false,
    opted_out_at: null,
    notes: '',
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

async function scopeWith(docs: ContactDoc[]): Promise<Scope> {
  const db = await openPigeonDatabase({
    name: `window-${randomUUID()}`,
    storage: getRxStorageMemory(),
    multiInstance: false,
  });
  opened.push(db);
  await db.contacts.bulkInsert(docs);
  return {
    db,
    pending: new PendingChanges(db),
    writes: new LocalWrites(),
    issues: new RecordIssueStore(db),
    workspace,
  };
}

const first = { search: '', filter: {}, offset: 0, limit: 2 };

describe('contacts window', () => {
  test('first rows in list order before the index, counting only themselves; then the whole list', async () => {
    const s = await scopeWith([
      contact(workspace.id, '+447400000003', 'Cara', ['b']),
      contact(workspace.id, '+447400000002', 'Abe', ['a']),
      contact(workspace.id, '+447400000001', 'Abe'),
      contact(randomUUID(), '+447400000009', 'Aaron (another workspace)'),
    ]);
    const cara = await s.db.contacts.findOne(contactId(workspace.id, '+447400000003')).exec();
    await cara?.incrementalPatch({ name: 'Bea' });
    const gone = contact(workspace.id, '+447400000004', 'Aardvark (deleted)');
    await (await s.db.contacts.insert(gone)).remove();

    const early = await askContactWindow(s, first, false);
    expect(early.complete).toBe(false);
    expect(early.rows.map((c) => [c.name, c.phone])).toEqual([
      ['Abe', '+447400000001'],
      ['Abe', '+447400000002'],
    ]);
    expect([early.matching, early.total, early.tags]).toEqual([2, 2, []]);

    const whole = await askContactWindow(s, { ...first, limit: 10 }, true);
    expect(whole.complete).toBe(true);
    expect(whole.rows.map((c) => c.name)).toEqual(['Abe', 'Abe', 'Bea']);
    expect([whole.matching, whole.total, whole.tags]).toEqual([3, 3, ['a', 'b']]);
    // Built: an early query is answered from the whole list now, with its counts.
    const again = await askContactWindow(s, first, false);
    expect([again.complete, again.rows.length, again.total]).toEqual([true, 2, 3]);
  });

  test('contacts not open yet: the first rows from the reader, anything else refused by name', async () => {
    const rows = [contact(workspace.id, '+447400000001', 'Abe')];
    const readers = {
      all: async () => [],
      first: async () =>
        rows.map((row) => ({ ...row, _deleted: false, _rev: '', _attachments: {}, _meta: { lwt: 1 } })),
    };
    const request = {
      kind: 'contacts-window',
      database: 'pigeon-x',
      schemaVersion: 0,
      workspaceId: workspace.id,
    } as const;
    const answer = await answerContactWindow(undefined, { ...request, query: first, wait: false }, readers);
    expect([answer.complete, answer.rows.map((c) => c.name), answer.total]).toEqual([false, ['Abe'], 1]);
    for (const refused of [
      { query: first, wait: true },
      { query: { ...first, search: 'abe' }, wait: false },
      { query: { ...first, offset: 500 }, wait: false },
    ]) {
      await expect(answerContactWindow(undefined, { ...request, ...refused }, readers)).rejects.toThrow(
        'contacts of pigeon-x are not open: only their first rows can be read',
      );
    }
  });
});
