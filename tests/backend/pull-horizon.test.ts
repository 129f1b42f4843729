// The app's sync RPCs. pull_rows: pages in (_modified, id) order below the horizon, RLS-scoped
// (out-of-order commits under concurrency are proved on PostgreSQL in pull-horizon.pg.test.ts).
// push_rows: a bulk push judges each row on its own (written, or its conflict returned); push_changes
// adds the version of each row it wrote.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';
import { contactInsert, puller, workspaceOf } from './pull-client.ts';

let backend: Backend;
let user: MintedUser;
let ws: string;

beforeAll(async () => {
  backend = await startBackend();
  user = await backend.mintUser();
  ws = await workspaceOf(backend, user.id);
});
afterAll(() => backend?.close());

test('pull_rows pages a workspace in (_modified, id) order and validates its input', async () => {
  for (let i = 0; i < 7; i++) {
    const q = contactInsert(ws, `page-${i}`, `+1555100000${i}`);
    await backend.db.query(q.text, q.values);
  }
  const { names } = await puller(user, ws).drain();
  // Same-millisecond rows (PGlite's clock) come in id order, so compare as sets.
  expect([...names].sort()).toEqual(Array.from({ length: 7 }, (_, i) => `page-${i}`));
  const bad = await user.client.rpc('pull_rows', { p_table: 'channel_secrets', p_workspace_id: ws });
  expect(bad.error?.message).toMatch(/not replicated/);
  const big = await user.client.rpc('pull_rows', {
    p_table: 'contacts',
    p_workspace_id: ws,
    p_limit: 100000,
  });
  expect(big.error?.message).toMatch(/p_limit must be between 1 and 5000/);
});

test("another workspace's rows never come back, even when asked for by id", async () => {
  const stranger = await backend.mintUser();
  const q = contactInsert(ws, 'private', '+15551999999');
  await backend.db.query(q.text, q.values);
  const { names } = await puller(stranger, ws).drain();
  expect(names).toEqual([]);
  const own = await puller(user, ws).drain();
  expect(own.names).toContain('private');
});

type ServerRow = {
  id: string;
  name: string;
  notes: string;
  _modified: string;
};

function contactDoc(workspace: string, phone: string, fields: Record<string, unknown> = {}) {
  return {
    id: contactId(workspace, phone),
    workspace_id: workspace,
    phone,
    name: `Contact ${phone}`,
    email: '',
    tags: [],
    group_ids: [],
    custom_fields: {},
    notes: '',
    opted_out: false,
    updated_at: '2026-11-23T10:00:00.000Z',
    _deleted: false,
    ...fields,
  };
}

async function push(as: MintedUser, items: unknown[]): Promise<{ conflicts: ServerRow[]; error?: string }> {
  const { data, error } = await as.client.rpc('push_rows', { p_table: 'contacts', p_rows: items });
  return error ? { conflicts: [], error: error.message } : { conflicts: data as ServerRow[] };
}

async function stored(id: string): Promise<ServerRow | undefined> {
  const [row] = await backend.db.query<ServerRow>(
    'select id, name, notes, _modified::text as _modified from public.contacts where id = $1',
    [id],
  );
  return row;
}

test('push_rows writes a bulk batch row by row: new rows, rows at the assumed version; conflicts come back unwritten', async () => {
  const base = [1, 2, 3].map((i) => contactDoc(ws, `+1555300000${i}`));
  expect(
    await push(
      user,
      base.map((doc) => ({ doc, assumed: null })),
    ),
  ).toEqual({ conflicts: [] });
  const [kept, stale, unassumed] = await Promise.all(base.map((d) => stored(d.id)));
  // Someone else edits `stale` after this client last saw it.
  await backend.db.query("update public.contacts set notes = 'edited elsewhere' where id = $1", [stale!.id]);

  const fresh = Array.from({ length: 997 }, (_, i) =>
    contactDoc(ws, `+1555400${String(i).padStart(4, '0')}`),
  );
  const batch = [
    { doc: { ...base[0], name: 'Kept: assumed version current' }, assumed: kept!._modified },
    { doc: { ...base[1], name: 'Stale: lost to the other edit' }, assumed: stale!._modified },
    { doc: { ...base[2], name: 'No assumed version for an existing row' }, assumed: null },
    ...fresh.map((doc) => ({ doc, assumed: null })),
  ];
  const { conflicts, error } = await push(user, batch);
  expect(error).toBeUndefined();
  expect(conflicts.map((c) => [c.id, c.name, c.notes]).sort()).toEqual(
    [
      [stale!.id, stale!.name, 'edited elsewhere'],
      [unassumed!.id, unassumed!.name, ''],
    ].sort(),
  );
  expect((await stored(kept!.id))?.name).toBe('Kept: assumed version current');
  expect((await stored(kept!.id))!._modified > kept!._modified).toBe(true);
  expect((await stored(stale!.id))?.name).toBe(stale!.name);
  expect((await stored(unassumed!.id))?.name).toBe(unassumed!.name);
  const [{ n }] = (await backend.db.query<{ n: number }>(
    "select count(*)::int as n from public.contacts where workspace_id = $1 and phone like '+1555400%'",
    [ws],
  )) as [{ n: number }];
  expect(n).toBe(997);

  // Only the columns sent are written; the rest keep their value.
  const { conflicts: none } = await push(user, [
    {
      doc: { id: kept!.id, workspace_id: ws, notes: 'notes only' },
      assumed: (await stored(kept!.id))!._modified,
    },
  ]);
  expect(none).toEqual([]);
  expect(await stored(kept!.id)).toMatchObject({
    name: 'Kept: assumed version current',
    notes: 'notes only',
  });
});

test('push_rows refuses a batch it cannot judge row by row, and rows of another workspace', async () => {
  const doc = contactDoc(ws, '+15555000001');
  expect(
    (
      await push(user, [
        { doc, assumed: null },
        { doc, assumed: null },
      ])
    ).error,
  ).toMatch(/a row may appear only once per push/);
  expect((await push(user, [{ doc: { name: 'no id' }, assumed: null }])).error).toMatch(
    /needs a "doc" object with an "id"/,
  );
  const many = Array.from({ length: 1001 }, (_, i) => ({
    doc: contactDoc(ws, `+1555600${String(i).padStart(4, '0')}`),
    assumed: null,
  }));
  expect((await push(user, many)).error).toMatch(/at most 1000 rows per push, got 1001/);
  expect(await stored(doc.id)).toBeUndefined();

  // A row of a workspace the pusher does not belong to: refused, neither written nor revealed.
  const stranger = await backend.mintUser();
  expect(await push(stranger, [{ doc: { ...doc, name: 'theirs' }, assumed: null }])).toEqual({
    conflicts: [{ id: doc.id, _refused: expect.stringMatching(/row-level security/) }],
  });
  expect(await push(user, [{ doc, assumed: null }])).toEqual({ conflicts: [] });
  const sneaky = await push(stranger, [
    { doc: { ...doc, workspace_id: await workspaceOf(backend, stranger.id), name: 'taken' }, assumed: null },
  ]);
  expect(sneaky).toEqual({
    conflicts: [
      { id: doc.id, _refused: expect.stringMatching(/is not the id of \+15555000001 in workspace/) },
    ],
  });
  expect((await stored(doc.id))?.name).toBe(doc.name);
});

test('push_changes answers push_rows conflicts and the version of each row it wrote; it reveals no other workspace', async () => {
  const [fresh, kept, stale] = ['+15557000001', '+15557000002', '+15557000003'].map((p) => contactDoc(ws, p));
  await push(
    user,
    [kept!, stale!].map((doc) => ({ doc, assumed: null })),
  );
  const [keptRow, staleRow] = [await stored(kept!.id), await stored(stale!.id)];
  await backend.db.query("update public.contacts set notes = 'edited elsewhere' where id = $1", [stale!.id]);

  const { data, error } = await user.client.rpc('push_changes', {
    p_table: 'contacts',
    p_rows: [
      { doc: fresh, assumed: null },
      { doc: { ...kept, name: 'Kept, renamed' }, assumed: keptRow!._modified },
      { doc: { ...stale, name: 'Stale' }, assumed: staleRow!._modified },
    ],
  });
  expect(error).toBeNull();
  const answer = data as { conflicts: ServerRow[]; written: Record<string, string> };
  expect(answer.conflicts.map((c) => [c.id, c.notes])).toEqual([[stale!.id, 'edited elsewhere']]);
  expect(Object.keys(answer.written).sort()).toEqual([fresh!.id, kept!.id].sort());
  // The versions are the rows' _modified as pull_rows prints them (what the next push assumes).
  const page = await user.client.rpc('pull_rows', { p_table: 'contacts', p_workspace_id: ws, p_limit: 5000 });
  const pulled = (page.data as { rows: ServerRow[] }).rows;
  for (const id of [fresh!.id, kept!.id]) {
    expect(answer.written[id]).toBe(pulled.find((r) => r.id === id)?._modified);
  }
  const again = await user.client.rpc('push_changes', {
    p_table: 'contacts',
    p_rows: [{ doc: { ...kept, name: 'Kept, again' }, assumed: answer.written[kept!.id] }],
  });
  expect(again.data).toMatchObject({ conflicts: [], written: { [kept!.id]: expect.any(String) } });

  // Not a table replication writes, and not another workspace's rows.
  const bad = await user.client.rpc('push_changes', { p_table: 'channel_secrets', p_rows: [] });
  expect(bad.error?.message).toMatch(/not writable by replication/);
  const stranger = await backend.mintUser();
  const theirs = await stranger.client.rpc('push_changes', {
    p_table: 'contacts',
    p_rows: [{ doc: { ...kept, name: 'theirs' }, assumed: answer.written[kept!.id] }],
  });
  // Refused row by row (the rest of a batch would be written), with nothing written.
  expect(theirs.error).toBeNull();
  expect(theirs.data).toMatchObject({
    conflicts: [{ id: kept!.id, _refused: expect.any(String) }],
    written: {},
  });
  expect((await stored(kept!.id))?.name).toBe('Kept, again');
});
