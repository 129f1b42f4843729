// Rows written on the server by concurrent transactions that commit out of order all reach
// the app (DESIGN.md: the pull must not miss a late commit). PostgreSQL only: PGlite has a
// single connection, so its writers cannot interleave.
import pg from 'pg';
import { expect, test } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { rowVisible, signIn, waitForPending } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E({ backend: { db: 'postgres' } });

test('a row committed after a later one was already pulled still reaches A', async () => {
  const alice = await e2e.backend.user();
  const page = await signIn(await e2e.newContext(), e2e.url, alice);
  await waitForPending(page, 0);
  const [m] = await e2e.backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [alice.id],
  );
  const ws = m!.workspace_id;
  const insert = (name: string, phone: string) => ({
    text: `insert into public.contacts (id, workspace_id, phone, name, updated_at)
           values ($1, $2, $3, $4, to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`,
    values: [contactId(ws, phone), ws, phone, name],
  });

  const early = new pg.Client({ connectionString: e2e.backend.databaseUrl });
  const late = new pg.Client({ connectionString: e2e.backend.databaseUrl });
  await Promise.all([early.connect(), late.connect()]);
  try {
    // T1 stamps its row first but commits last; T2 commits in between, and the app hears
    // of it live and pulls while T1 is still open.
    await early.query('begin');
    await early.query(insert('Early Writer', '+14155550301'));
    await late.query(insert('Late Writer', '+14155550302'));
    await page.waitForTimeout(1_500);
    await early.query('commit');

    await rowVisible(page, /Early Writer/, 10_000);
    await rowVisible(page, /Late Writer/, 10_000);
  } finally {
    await Promise.all([early.end(), late.end()]);
  }
  const names = await page.getByRole('row', { name: /Writer/ }).allTextContents();
  expect(names).toHaveLength(2);
});
