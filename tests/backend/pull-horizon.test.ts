// pull_rows, the app's pull: pages in (_modified, id) order below the horizon, RLS-scoped.
// Out-of-order commits under concurrency are proved on PostgreSQL in pull-horizon.pg.test.ts.
import { afterAll, beforeAll, expect, test } from 'vitest';
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
