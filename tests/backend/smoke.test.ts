import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openPglite } from '../../supabase/local/db.ts';
import { type Backend, startBackend } from './harness.ts';

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend?.close());

test('the stack boots, bootstraps and mints users', async () => {
  const u = await backend.mintUser();
  const rows = await backend.db.query<{ n: number }>(
    'select count(*)::int as n from auth.users where id = $1',
    [u.id],
  );
  expect(rows[0]?.n).toBe(1);
  const res = await fetch(`${backend.url}/`);
  expect(res.status).toBe(200);
});

test('PGlite data folders are created, nested ones included (a fresh clone has no .data/)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'pigeon-pglite-'));
  try {
    const db = await openPglite(join(root, 'not', 'yet', 'there'));
    expect(await db.query<{ one: number }>('select 1 as one')).toEqual([{ one: 1 }]);
    await db.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
