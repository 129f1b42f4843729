// The local database: schemas pass RxDB's dev-mode checks, documents are validated against
// them, each user gets their own database, and the conflict handlers merge.
import { randomUUID } from 'node:crypto';
import { addRxPlugin, type WithDeleted } from 'rxdb';
import { RxDBDevModePlugin } from 'rxdb/plugins/dev-mode';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { afterEach, describe, expect, test } from 'vitest';
import { contactConflictHandler, groupConflictHandler } from '../../src/db/conflicts.ts';
import { openPigeonDatabase, type PigeonDatabase, userDatabaseName } from '../../src/db/database.ts';
import type { ContactDoc, GroupDoc } from '../../src/db/documents.ts';
import { contactId } from '../../src/domain/ids.ts';

addRxPlugin(RxDBDevModePlugin);

const opened: PigeonDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) if (!db.closed) await db.remove();
});

async function open(name = `test-${randomUUID()}`): Promise<PigeonDatabase> {
  const db = await openPigeonDatabase({
    name,
    storage: wrappedValidateAjvStorage({ storage: getRxStorageMemory() }),
    multiInstance: false,
  });
  opened.push(db);
  return db;
}

const ws = randomUUID();

function contact(patch: Partial<WithDeleted<ContactDoc>> = {}): WithDeleted<ContactDoc> {
  const phone = '+447400123456';
  return {
    id: contactId(ws, phone),
    workspace_id: ws,
    phone,
    name: 'Ann',
    email: '',
    tags: [],
    group_ids: [],
    custom_fields: {},
    opted_out: false,
    opted_out_at: null,
    notes: '',
    updated_at: '2026-01-01T00:00:00.000Z',
    server_modified: '2026-01-01 00:00:00.000001+00',
    _deleted: false,
    ...patch,
  };
}

describe('openPigeonDatabase', () => {
  test('creates every collection; documents are checked against the schemas', async () => {
    const db = await open();
    expect(Object.keys(db.collections).sort()).toEqual([
      'campaigns',
      'channels',
      'chat_notes',
      'chat_reads',
      'chats',
      'contact_groups',
      'contacts',
      'messages',
      'outgoing_messages',
      'pending_changes',
      'templates',
      'workspace_members',
      'workspaces',
    ]);
    const { _deleted, ...doc } = contact({ tags: ['vip'], custom_fields: { city: 'Leeds' } });
    await db.contacts.insert(doc);
    expect((await db.contacts.findOne(doc.id).exec())?.toJSON()).toMatchObject({
      tags: ['vip'],
      name: 'Ann',
    });
    // A server column the app does not store (or `_modified` under its own name) is refused.
    await expect(
      db.contacts.insert({ ...doc, id: randomUUID(), created_at: 'x' } as ContactDoc),
    ).rejects.toThrow();
    await expect(db.contacts.insert({ ...doc, id: randomUUID(), name: 'x'.repeat(201) })).rejects.toThrow();
  });

  test('pending markers are keyed by collection and document', async () => {
    const db = await open();
    const marker = {
      collection_name: 'contacts',
      doc_id: ws,
      workspace_id: ws,
      updated_at: '2026-01-01T00:00:00.000Z',
    };
    await db.pending_changes.upsert(marker);
    await db.pending_changes.upsert({ ...marker, updated_at: '2026-01-02T00:00:00.000Z' });
    const all = await db.pending_changes.find().exec();
    expect(all.map((m) => [m.id, m.updated_at])).toEqual([[`contacts|${ws}`, '2026-01-02T00:00:00.000Z']]);
  });

  test("each user's database is separate: another user's name opens an empty one", async () => {
    const alice = userDatabaseName('app', randomUUID());
    const bob = userDatabaseName('app', randomUUID());
    expect(alice).not.toBe(bob);
    const first = await open(alice);
    const { _deleted, ...doc } = contact();
    await first.contacts.insert(doc);
    // One open at a time: RxDB's free edition allows 13 open collections per JS realm.
    await first.close();
    const second = await open(bob);
    expect(await second.contacts.count().exec()).toBe(0);
    await second.close();
    expect(await (await open(alice)).contacts.count().exec()).toBe(1);
    expect(() => userDatabaseName('App!', randomUUID())).toThrow(/database name/);
  });
});

describe('conflict handlers', () => {
  test('equality covers the server version, not only the content', () => {
    const a = contact();
    expect(contactConflictHandler.isEqual(a, { ...a }, 'test')).toBe(true);
    expect(
      contactConflictHandler.isEqual(a, { ...a, server_modified: '2026-02-01 00:00:00+00' }, 'test'),
    ).toBe(false);
    expect(contactConflictHandler.isEqual(a, { ...a, name: 'Bob' }, 'test')).toBe(false);
  });

  test('contacts: edits of different fields both survive, tags are united, the real version is kept', async () => {
    const base = contact({ tags: ['x'] });
    const local = {
      ...base,
      name: 'Local name',
      tags: ['x', 'local'],
      updated_at: '2026-01-02T00:00:00.000Z',
    };
    const remote = {
      ...base,
      email: 'remote@example.com',
      tags: ['x', 'remote'],
      updated_at: '2026-01-03T00:00:00.000Z',
      server_modified: '2026-01-03 00:00:00.5+00',
    };
    const merged = await contactConflictHandler.resolve(
      { assumedMasterState: base, newDocumentState: local, realMasterState: remote },
      'test',
    );
    expect(merged).toMatchObject({
      name: 'Local name',
      email: 'remote@example.com',
      tags: ['x', 'local', 'remote'],
      server_modified: remote.server_modified,
      updated_at: remote.updated_at,
    });
  });

  test('groups: two offline creations with no base take the newer non-empty values', async () => {
    const group = (patch: Partial<WithDeleted<GroupDoc>>): WithDeleted<GroupDoc> => ({
      id: randomUUID(),
      workspace_id: ws,
      name: 'VIP',
      description: '',
      color: null,
      updated_at: '2026-01-01T00:00:00.000Z',
      _deleted: false,
      ...patch,
    });
    const local = group({ description: 'best customers', updated_at: '2026-01-05T00:00:00.000Z' });
    const remote = group({ id: local.id, color: '#ff0000', server_modified: '2026-01-02 00:00:00+00' });
    const merged = await groupConflictHandler.resolve(
      { newDocumentState: local, realMasterState: remote },
      'test',
    );
    expect(merged).toMatchObject({
      description: 'best customers',
      color: '#ff0000',
      server_modified: remote.server_modified,
    });
  });
});
