import { afterAll, beforeAll, expect, test } from 'vitest';
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
