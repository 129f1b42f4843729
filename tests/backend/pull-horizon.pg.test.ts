// PostgreSQL only (PGlite has one connection, so writers cannot interleave there): the pull
// must not miss a row whose transaction commits after a later row was already pulled
// (DESIGN.md). A plain (_modified, id) checkpoint does miss it; pull_rows does not.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Backend, type MintedUser, startBackend } from './harness.ts';
import { contactInsert, puller, workspaceOf } from './pull-client.ts';

let backend: Backend;
let user: MintedUser;
let ws: string;
let drain: ReturnType<typeof puller>['drain'];

beforeAll(async () => {
  backend = await startBackend();
  user = await backend.mintUser();
  ws = await workspaceOf(backend, user.id);
  drain = puller(user, ws).drain;
});
afterAll(() => backend?.close());

describe('concurrent writers committing out of order', () => {
  test('a row committed late is still pulled; a plain checkpoint pull misses it', async () => {
    const { checkpoint: start } = await drain();
    const early = new pg.Client({ connectionString: backend.databaseUrl });
    const late = new pg.Client({ connectionString: backend.databaseUrl });
    await early.connect();
    await late.connect();
    try {
      // T1 writes first (smaller _modified) but commits last.
      await early.query('begin');
      await early.query(contactInsert(ws, 't1-first-written', '+15552000001'));
      await late.query(contactInsert(ws, 't2-committed-first', '+15552000002'));

      // A pull while T1 is open must not move the checkpoint past T1's row.
      const during = await drain(start);
      expect(during.names).not.toContain('t2-committed-first');

      // What a plain (_modified, id) checkpoint reads at the same moment: T2's row, which
      // moves its checkpoint past T1's still-invisible row.
      const naive = await backend.db.query<{ name: string; _modified: string; id: string }>(
        `select name, _modified::text, id from public.contacts
         where workspace_id = $1 and (_modified, id) > ($2::timestamptz, $3::uuid) order by _modified, id`,
        [ws, start?.modified ?? '-infinity', start?.id ?? '00000000-0000-0000-0000-000000000000'],
      );
      expect(naive.map((r) => r.name)).toEqual(['t2-committed-first']);
      const naiveCheckpoint = naive[0]!;

      await early.query('commit');

      const after = await drain(during.checkpoint);
      expect(after.names.sort()).toEqual(['t1-first-written', 't2-committed-first']);
      const naiveAfter = await backend.db.query<{ name: string }>(
        `select name from public.contacts where workspace_id = $1 and (_modified, id) > ($2::timestamptz, $3::uuid)`,
        [ws, naiveCheckpoint._modified, naiveCheckpoint.id],
      );
      expect(naiveAfter.map((r) => r.name)).not.toContain('t1-first-written');
    } finally {
      await early.end();
      await late.end();
    }
  });

  test('under 6 concurrent writers with random commit order, a continuous puller gets every row', async () => {
    const { checkpoint: start } = await drain();
    const writers = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const c = new pg.Client({ connectionString: backend.databaseUrl });
        await c.connect();
        return c;
      }),
    );
    const written = new Set<string>();
    let writing = true;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const runWriter = async (c: pg.Client, w: number) => {
      for (let t = 0; t < 25; t++) {
        await c.query('begin');
        const names: string[] = [];
        for (let r = 0; r < 4; r++) {
          const name = `w${w}-t${t}-r${r}`;
          await c.query(
            contactInsert(
              ws,
              name,
              `+1556${String(w).padStart(2, '0')}${String(t * 4 + r).padStart(5, '0')}`,
            ),
          );
          names.push(name);
          await sleep(Math.random() * 6);
        }
        await c.query('commit');
        for (const n of names) written.add(n);
      }
    };
    const pulled = new Set<string>();
    let checkpoint = start;
    const puller = (async () => {
      while (writing) {
        const step = await drain(checkpoint);
        for (const n of step.names) pulled.add(n);
        checkpoint = step.checkpoint;
        await sleep(3);
      }
    })();
    try {
      await Promise.all(writers.map(runWriter));
    } finally {
      writing = false;
      await puller;
      await Promise.all(writers.map((c) => c.end()));
    }
    const final = await drain(checkpoint);
    for (const n of final.names) pulled.add(n);
    expect(written.size).toBe(6 * 25 * 4);
    expect([...written].filter((n) => !pulled.has(n))).toEqual([]);
    expect(pulled.size).toBe(written.size);
  });
});
