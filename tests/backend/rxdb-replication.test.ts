// RxDB's own replicateSupabase plugin, unchanged, against the local stack: two clients
// with memory storage sync one collection both ways, through rest (pull/push) and
// realtime (live pull), including a real write conflict.
import { randomUUID } from 'node:crypto';
import { createRxDatabase, type RxCollection, type RxConflictHandler, type RxDatabase } from 'rxdb';
import { type RxSupabaseReplicationState, replicateSupabase } from 'rxdb/plugins/replication-supabase';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

type Note = {
  id: string;
  owner_id: string;
  title: string;
  body: string | null;
  pinned: boolean;
};

const noteSchema = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 36 },
    owner_id: { type: 'string', maxLength: 36 },
    title: { type: 'string' },
    body: { type: ['string', 'null'] },
    pinned: { type: 'boolean' },
  },
  required: ['id', 'owner_id', 'title', 'pinned'],
} as const;

// Field-level merge: a field changed on this side since the fork wins; otherwise the
// server's value. Proves a conflict reached the handler and both edits survived.
const mergeFields: RxConflictHandler<Note> = {
  isEqual: (a, b) =>
    a.title === b.title && a.body === b.body && a.pinned === b.pinned && a._deleted === b._deleted,
  resolve: async ({ newDocumentState, assumedMasterState, realMasterState }) => {
    const merged = { ...realMasterState };
    for (const key of ['title', 'body', 'pinned'] as const) {
      if (assumedMasterState && newDocumentState[key] !== assumedMasterState[key]) {
        Object.assign(merged, { [key]: newDocumentState[key] });
      }
    }
    return merged;
  },
};

interface Client {
  db: RxDatabase;
  notes: RxCollection<Note>;
  replication: RxSupabaseReplicationState<Note>;
}

let backend: Backend;
let user: MintedUser;
let stranger: MintedUser;
const clients: Client[] = [];

async function openClient(as: MintedUser): Promise<Client> {
  const db = await createRxDatabase({
    name: `client-${randomUUID()}`,
    storage: getRxStorageMemory(),
    multiInstance: false,
  });
  const { notes } = await db.addCollections({ notes: { schema: noteSchema, conflictHandler: mergeFields } });
  const replication = replicateSupabase<Note>({
    replicationIdentifier: `notes-${randomUUID()}`,
    collection: notes as RxCollection<Note>,
    client: as.client,
    tableName: 'notes',
    waitForLeadership: false,
    live: true,
    pull: { batchSize: 50 },
    push: { batchSize: 20 },
    retryTime: 200,
  });
  const client = { db, notes: notes as RxCollection<Note>, replication };
  clients.push(client);
  await replication.awaitInitialReplication();
  return client;
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  backend = await startBackend();
  await backend.db.exec(`
    create table public.notes (
      id uuid primary key,
      owner_id uuid not null references auth.users (id),
      title text not null,
      body text,
      pinned boolean not null default false,
      _modified timestamptz not null default clock_timestamp(),
      _deleted boolean not null default false
    );
    create index on public.notes (_modified, id);
    create function public.notes_touch() returns trigger language plpgsql as $$
    begin new._modified := clock_timestamp(); return new; end $$;
    create trigger notes_touch before insert or update on public.notes
      for each row execute function public.notes_touch();
    alter table public.notes enable row level security;
    create policy own on public.notes for all to authenticated
      using (owner_id = auth.uid()) with check (owner_id = auth.uid());
    grant select, insert, update on public.notes to authenticated;
    alter publication supabase_realtime add table public.notes;
  `);
  user = await backend.mintUser();
  stranger = await backend.mintUser();
});

afterAll(async () => {
  for (const c of clients) {
    await c.replication.cancel();
    await c.db.close();
  }
  await backend?.close();
});

test('two clients sync both ways, live, and a stranger sees nothing', async () => {
  const a = await openClient(user);
  const b = await openClient(user);
  const outsider = await openClient(stranger);

  const ids = Array.from({ length: 120 }, () => randomUUID());
  await a.notes.bulkInsert(
    ids.map((id, i) => ({ id, owner_id: user.id, title: `note ${i}`, body: null, pinned: false })),
  );
  await a.replication.awaitInSync();

  // B receives them live (realtime) or on its next pull, without being restarted.
  const seen = await eventually(
    () => b.notes.count().exec(),
    (n) => n === ids.length,
  );
  expect(seen).toBe(ids.length);

  // B edits one; A gets it.
  const first = ids[0]!;
  await (await b.notes.findOne(first).exec())!.incrementalPatch({ title: 'edited on B', pinned: true });
  await b.replication.awaitInSync();
  const onA = await eventually(
    () => a.notes.findOne(first).exec(),
    (d) => d?.title === 'edited on B',
  );
  expect(onA?.pinned).toBe(true);

  // Soft delete replicates as _deleted.
  await (await a.notes.findOne(ids[1]!).exec())!.remove();
  await a.replication.awaitInSync();
  const gone = await eventually(
    () => b.notes.count().exec(),
    (n) => n === ids.length - 1,
  );
  expect(gone).toBe(ids.length - 1);
  const [row] = await backend.db.query<{ _deleted: boolean }>('select _deleted from notes where id = $1', [
    ids[1],
  ]);
  expect(row?._deleted).toBe(true);

  // The server holds exactly what the clients hold.
  const [{ n }] = (await backend.db.query<{ n: number }>(
    'select count(*)::int as n from notes where not _deleted',
  )) as [{ n: number }];
  expect(n).toBe(ids.length - 1);

  // RLS: the stranger's replica stays empty.
  await outsider.replication.awaitInSync();
  expect(await outsider.notes.count().exec()).toBe(0);
});

test('a real conflict: both clients edit the same note while not replicating, both edits survive', async () => {
  const a = await openClient(user);
  const b = await openClient(user);
  const id = randomUUID();
  await a.notes.insert({ id, owner_id: user.id, title: 'shared', body: 'v0', pinned: false });
  await a.replication.awaitInSync();
  await eventually(
    () => b.notes.findOne(id).exec(),
    (d) => d !== null,
  );

  // Both go "offline": replication paused, edits made locally on different fields.
  await a.replication.pause();
  await b.replication.pause();
  await (await a.notes.findOne(id).exec())!.incrementalPatch({ title: 'title from A' });
  await (await b.notes.findOne(id).exec())!.incrementalPatch({ body: 'body from B' });

  // replicateSupabase's start() subscribes its realtime channel again under the same topic;
  // the paused replications still hold theirs, so drop them first.
  await user.client.removeAllChannels();
  // A pushes first; B's push then fails its equality check and resolves the conflict.
  await a.replication.start();
  await a.replication.awaitInSync();
  await b.replication.start();
  await b.replication.awaitInSync();

  const server = await eventually(
    async () => (await backend.db.query<Note>('select * from notes where id = $1', [id]))[0],
    (r) => r?.title === 'title from A' && r?.body === 'body from B',
  );
  expect(server).toMatchObject({ title: 'title from A', body: 'body from B' });
  for (const c of [a, b]) {
    const doc = await eventually(
      () => c.notes.findOne(id).exec(),
      (d) => d?.title === 'title from A' && d?.body === 'body from B',
    );
    expect(doc?.toJSON()).toMatchObject({ title: 'title from A', body: 'body from B' });
  }
});
