// Quota RPCs: reservations are atomic under concurrency, idempotent by key, expire when never
// settled, and commit/release always add up. Called as the API calls them: a transaction
// as the caller's role with its JWT claims.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Queryable } from '../../supabase/local/db.ts';
import { asCaller } from '../../supabase/local/request-auth.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

interface Figures {
  workspace_id: string;
  limit: number;
  used: number;
  reserved: number;
  remaining: number;
  period_start: string;
  period_end: string;
}

interface Reservation extends Partial<Figures> {
  granted: boolean;
  replayed?: boolean;
  reason?: string;
  reservation_id?: string;
  key?: string;
  amount?: number;
  status?: string;
  expires_at?: string;
  requested?: number;
  available?: number;
  shortfall?: number;
  committed_amount?: number | null;
  released_amount?: number;
  committed?: boolean;
  released?: boolean;
}

let backend: Backend;
let alice: MintedUser;
let bob: MintedUser;
let ws: string;

function as<T>(user: MintedUser, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return asCaller(backend.db, { role: 'authenticated', claims: user.claims }, fn);
}

async function rpc(user: MintedUser, sql: string, params: unknown[]): Promise<Reservation> {
  const rows = await as(user, (tx) => tx.query<{ r: Reservation }>(`select ${sql} as r`, params));
  return rows[0]!.r;
}

// Only the server reserves, commits and releases (20261203120100_quota_server_owned.sql): these
// run as service_role, as the server's functions and operators do. Members only read.
function server<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return asCaller(backend.db, { role: 'service_role', claims: { role: 'service_role' } }, fn);
}
async function serverRpc(sql: string, params: unknown[]): Promise<Reservation> {
  const rows = await server((tx) => tx.query<{ r: Reservation }>(`select ${sql} as r`, params));
  return rows[0]!.r;
}

const reserve = (w: string, key: string, amount: number, ttl?: number) =>
  ttl === undefined
    ? serverRpc('public.reserve_quota($1, $2, $3)', [w, key, amount])
    : serverRpc('public.reserve_quota($1, $2, $3, $4)', [w, key, amount, ttl]);
const commit = (w: string, key: string, used: number) =>
  serverRpc('public.commit_quota($1, $2, $3)', [w, key, used]);
const release = (w: string, key: string) => serverRpc('public.release_quota($1, $2)', [w, key]);
const status = (user: MintedUser, w: string) =>
  rpc(user, 'public.quota_status($1)', [w]) as unknown as Promise<Figures>;

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return { code: String(e.code), message: String(e.message) };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** used + active reserved + remaining = limit, and the figures match the tables. */
async function expectBalanced(expected: { used: number; reserved: number; limit: number }) {
  const f = await status(alice, ws);
  expect({ used: f.used, reserved: f.reserved, limit: f.limit }).toEqual(expected);
  expect(f.used + f.reserved + f.remaining).toBe(f.limit);
  const [row] = await backend.db.query<{ used: number; reserved: number }>(
    `select q.used,
            (select coalesce(sum(amount), 0)::int from public.quota_reservations r
             where r.workspace_id = q.workspace_id and r.status = 'reserved' and r.expires_at > now()) as reserved
     from public.quotas q where q.workspace_id = $1`,
    [ws],
  );
  expect(row).toEqual({ used: expected.used, reserved: expected.reserved });
}

async function setLimit(limit: number) {
  await backend.db.query('update public.quotas set monthly_limit = $2, used = 0 where workspace_id = $1', [
    ws,
    limit,
  ]);
  await backend.db.query('delete from public.quota_reservations where workspace_id = $1', [ws]);
}

beforeAll(async () => {
  backend = await startBackend();
  alice = await backend.mintUser();
  bob = await backend.mintUser();
  const rows = await backend.db.query<{ user_id: string; workspace_id: string }>(
    'select user_id, workspace_id from public.workspace_members where user_id = any($1)',
    [[alice.id, bob.id]],
  );
  ws = rows.find((r) => r.user_id === alice.id)!.workspace_id;
});

afterAll(() => backend?.close());

beforeEach(() => setLimit(50));

/**
 * Runs each call on its own connection, all at once: a blocker holds the quota row lock
 * until every call is provably in flight (waiting on that lock), then lets them race.
 */
async function concurrently(calls: { key: string; amount: number }[]): Promise<Reservation[]> {
  const url = backend.databaseUrl;
  if (!url) throw new Error('concurrently() needs PostgreSQL');
  const clients = await Promise.all(
    calls.map(async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  const blocker = new pg.Client({ connectionString: url });
  const probe = new pg.Client({ connectionString: url });
  await Promise.all([blocker.connect(), probe.connect()]);
  try {
    await blocker.query('begin');
    await blocker.query('select 1 from public.quotas where workspace_id = $1 for update', [ws]);
    const pids = clients.map(async (c) => {
      const [row] = (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows;
      return row!.pid;
    });
    const pidList = await Promise.all(pids);
    const results = calls.map(async ({ key, amount }, i) => {
      const c = clients[i]!;
      await c.query('begin');
      await c.query(`select set_config('request.jwt.claims', $1, true)`, [
        JSON.stringify({ role: 'service_role' }),
      ]);
      await c.query('set local role service_role');
      const { rows } = await c.query<{ r: Reservation }>('select public.reserve_quota($1, $2, $3) as r', [
        ws,
        key,
        amount,
      ]);
      await c.query('commit');
      return rows[0]!.r;
    });
    const all = Promise.all(results);
    // If the wait below gives up, the clients are closed under these calls: expected.
    all.catch(() => {});
    // Every call is now inside reserve_quota, blocked on the row lock the blocker holds.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await probe.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where pid = any($1) and wait_event_type = 'Lock'`,
        [pidList],
      );
      if (rows[0]!.n === calls.length) break;
      if (Date.now() > deadline)
        throw new Error(`only ${rows[0]!.n} of ${calls.length} calls reached the lock`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await blocker.query('commit');
    return await all;
  } finally {
    await Promise.all([...clients, blocker, probe].map((c) => c.end()));
  }
}

describe('concurrency', () => {
  test('100 concurrent reservations of 1 against a limit of 50 grant exactly 50', async () => {
    const calls = Array.from({ length: 100 }, (_, i) => ({ key: `burst-${i}`, amount: 1 }));
    const results =
      backend.db.kind === 'postgres'
        ? await concurrently(calls)
        : // PGlite has one connection: the same calls, issued at once, run one after another.
          await Promise.all(calls.map((c) => reserve(ws, c.key, c.amount)));
    const granted = results.filter((r) => r.granted);
    expect(granted).toHaveLength(50);
    expect(new Set(granted.map((r) => r.reservation_id)).size).toBe(50);
    const refused = results.filter((r) => !r.granted);
    expect(refused).toHaveLength(50);
    for (const r of refused) {
      expect(r).toMatchObject({ reason: 'insufficient_quota', requested: 1, available: 0, shortfall: 1 });
    }
    await expectBalanced({ used: 0, reserved: 50, limit: 50 });
  });

  test('concurrent calls with one key make one reservation', async () => {
    const calls = Array.from({ length: 20 }, () => ({ key: 'same-key', amount: 5 }));
    const results =
      backend.db.kind === 'postgres'
        ? await concurrently(calls)
        : await Promise.all(calls.map((c) => reserve(ws, c.key, c.amount)));
    expect(results.every((r) => r.granted)).toBe(true);
    expect(new Set(results.map((r) => r.reservation_id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    await expectBalanced({ used: 0, reserved: 5, limit: 50 });
  });
});

describe('idempotency and validation', () => {
  test('the same key returns the same reservation; a different amount under it is an error', async () => {
    const first = await reserve(ws, 'campaign:1', 10);
    const again = await reserve(ws, 'campaign:1', 10);
    expect(first).toMatchObject({
      granted: true,
      replayed: false,
      amount: 10,
      status: 'reserved',
      remaining: 40,
    });
    expect(again).toMatchObject({ granted: true, replayed: true, reservation_id: first.reservation_id });
    expect(again.expires_at).toBe(first.expires_at);
    await expectBalanced({ used: 0, reserved: 10, limit: 50 });

    const err = await failure(reserve(ws, 'campaign:1', 11));
    expect(err.code).toBe('22023');
    expect(err.message).toContain('campaign:1');
    await expectBalanced({ used: 0, reserved: 10, limit: 50 });
  });

  test('not enough quota is an answer with the shortfall, not an error', async () => {
    await reserve(ws, 'big', 45);
    const r = await reserve(ws, 'too-big', 10);
    expect(r).toMatchObject({
      granted: false,
      reason: 'insufficient_quota',
      requested: 10,
      available: 5,
      shortfall: 5,
      remaining: 5,
      limit: 50,
    });
    expect(r.reservation_id).toBeUndefined();
    const [row] = await backend.db.query('select 1 from public.quota_reservations where key = $1', [
      'too-big',
    ]);
    expect(row).toBeUndefined();
  });

  test('bad arguments are refused clearly', async () => {
    const bad: [string, number, number | undefined][] = [
      ['', 1, undefined],
      ['k', 0, undefined],
      ['k', -3, undefined],
      ['k', 1_000_001, undefined],
      ['k', 1, 0],
      ['k', 1, 10_000_000],
      ['x'.repeat(201), 1, undefined],
    ];
    for (const [key, amount, ttl] of bad) {
      const err = await failure(reserve(ws, key, amount, ttl));
      expect(err.code, `${key.slice(0, 5)} ${amount} ${ttl}`).toBe('22023');
    }
    expect((await failure(commit(ws, 'nope', 1))).message).toContain('no quota reservation');
    expect((await failure(release(ws, 'nope'))).message).toContain('no quota reservation');
    await expectBalanced({ used: 0, reserved: 0, limit: 50 });
  });
});

describe('expiry', () => {
  test('a reservation nobody settles expires and its amount is available again', async () => {
    const r = await reserve(ws, 'stale', 30, 1);
    expect(r.granted).toBe(true);
    await expectBalanced({ used: 0, reserved: 30, limit: 50 });
    expect((await reserve(ws, 'blocked', 30)).granted).toBe(false);

    // Real time passes: reads count it out with no call to reserve in between.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expectBalanced({ used: 0, reserved: 0, limit: 50 });
    const [stored] = await backend.db.query<{ status: string }>(
      'select status from public.quota_reservations where key = $1',
      ['stale'],
    );
    expect(stored!.status).toBe('reserved');

    // The next quota call marks it expired, and the amount goes to someone else.
    const next = await reserve(ws, 'after', 50);
    expect(next).toMatchObject({ granted: true, remaining: 0 });
    const [expired] = await backend.db.query<{ status: string }>(
      'select status from public.quota_reservations where key = $1',
      ['stale'],
    );
    expect(expired!.status).toBe('expired');

    // An expired reservation cannot be committed...
    const err = await failure(commit(ws, 'stale', 30));
    expect(err.code).toBe('P0001');
    expect(err.message).toContain('expired');
    // ...and the same key renews it (same id) once there is room again.
    expect(await reserve(ws, 'stale', 30)).toMatchObject({
      granted: false,
      reason: 'insufficient_quota',
    });
    await release(ws, 'after');
    const renewed = await reserve(ws, 'stale', 30);
    expect(renewed).toMatchObject({ granted: true, reservation_id: r.reservation_id, status: 'reserved' });
    await expectBalanced({ used: 0, reserved: 30, limit: 50 });
  });

  test('a reservation whose expires_at passed is out, whatever its stored status says', async () => {
    await reserve(ws, 'old', 20);
    await backend.db.query(
      `update public.quota_reservations set expires_at = now() - interval '1 second' where key = 'old'`,
    );
    await expectBalanced({ used: 0, reserved: 0, limit: 50 });
    const released = await release(ws, 'old');
    expect(released).toMatchObject({ released: false, status: 'expired', released_amount: 20 });
  });
});

describe('commit and release', () => {
  test('commit and release add up at every step', async () => {
    await expectBalanced({ used: 0, reserved: 0, limit: 50 });
    await reserve(ws, 'a', 20);
    await reserve(ws, 'b', 15);
    await reserve(ws, 'c', 10);
    await expectBalanced({ used: 0, reserved: 45, limit: 50 });

    // Commit part of a: the rest returns to the pool.
    const ca = await commit(ws, 'a', 12);
    expect(ca).toMatchObject({ committed: true, replayed: false, committed_amount: 12, released_amount: 8 });
    await expectBalanced({ used: 12, reserved: 25, limit: 50 });
    // Committing again with the same figure is a replay with the same answer.
    const again = await commit(ws, 'a', 12);
    expect(again).toMatchObject({ committed: true, replayed: true, committed_amount: 12, used: 12 });
    await expectBalanced({ used: 12, reserved: 25, limit: 50 });
    expect((await failure(commit(ws, 'a', 13))).code).toBe('P0001');

    // More than reserved is refused; all of it is fine.
    expect((await failure(commit(ws, 'b', 16))).code).toBe('22023');
    await commit(ws, 'b', 15);
    await expectBalanced({ used: 27, reserved: 10, limit: 50 });

    // Release is idempotent; a released reservation cannot be committed or reserved again.
    const rc = await release(ws, 'c');
    expect(rc).toMatchObject({ released: true, replayed: false, released_amount: 10 });
    expect(await release(ws, 'c')).toMatchObject({ released: true, replayed: true });
    await expectBalanced({ used: 27, reserved: 0, limit: 50 });
    const err = await failure(commit(ws, 'c', 1));
    expect(err.message).toContain('released');
    expect(await reserve(ws, 'c', 10)).toMatchObject({ granted: false, reason: 'released' });

    // Releasing a committed reservation changes nothing.
    expect(await release(ws, 'a')).toMatchObject({ released: false, status: 'committed' });
    await expectBalanced({ used: 27, reserved: 0, limit: 50 });

    // What is left can still be reserved, and not a message more.
    expect(await reserve(ws, 'd', 24)).toMatchObject({ granted: false, shortfall: 1 });
    expect(await reserve(ws, 'd', 23)).toMatchObject({ granted: true, remaining: 0 });
    await commit(ws, 'd', 0);
    await expectBalanced({ used: 27, reserved: 0, limit: 50 });
  });

  test('a finished month starts over at zero', async () => {
    await reserve(ws, 'm', 10);
    await commit(ws, 'm', 10);
    await backend.db.query(
      `update public.quotas set period_start = now() - interval '2 months', period_end = now() - interval '1 month'
       where workspace_id = $1`,
      [ws],
    );
    const f = await status(alice, ws);
    expect(f.used).toBe(0);
    expect(new Date(f.period_end).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(f.period_start).getTime()).toBeLessThanOrEqual(Date.now());
    await reserve(ws, 'n', 50);
    const [row] = await backend.db.query<{ used: number; current: boolean }>(
      'select used, period_end > now() as current from public.quotas where workspace_id = $1',
      [ws],
    );
    expect(row).toEqual({ used: 0, current: true });
  });
});

describe('who may call', () => {
  test('no member or non-member may reserve or settle, and only members read the figures', async () => {
    await reserve(ws, 'mine', 5);
    for (const user of [alice, bob]) {
      const calls = [
        `public.reserve_quota('${ws}', 'theirs', 1)`,
        `public.commit_quota('${ws}', 'mine', 5)`,
        `public.release_quota('${ws}', 'mine')`,
      ];
      for (const call of calls) {
        expect((await failure(rpc(user, call, []))).code).toBe('42501');
      }
    }
    expect((await failure(status(bob, ws))).code).toBe('42501');
    expect(await status(alice, ws)).toMatchObject({ used: 0, reserved: 5, limit: 50 });
    await expectBalanced({ used: 0, reserved: 5, limit: 50 });
  });

  test('clients cannot write the quota tables directly, and anon cannot call the RPCs', async () => {
    const code = (
      await failure(
        as(alice, (tx) =>
          tx.query('update public.quotas set monthly_limit = 1000000 where workspace_id = $1', [ws]),
        ),
      )
    ).code;
    expect(code).toBe('42501');
    expect(
      (
        await failure(
          as(alice, (tx) =>
            tx.query(
              `insert into public.quota_reservations (workspace_id, key, amount, expires_at) values ($1, 'x', 1, now())`,
              [ws],
            ),
          ),
        )
      ).code,
    ).toBe('42501');
    const anon = await failure(
      asCaller(backend.db, { role: 'anon', claims: { role: 'anon' } }, (tx) =>
        tx.query(`select public.reserve_quota($1, 'k', 1)`, [ws]),
      ),
    );
    expect(anon.code).toBe('42501');
  });

  test('service_role and trusted server code may reserve in any workspace', async () => {
    const viaService = await asCaller(
      backend.db,
      { role: 'service_role', claims: { role: 'service_role' } },
      (tx) => tx.query<{ r: Reservation }>(`select public.reserve_quota($1, 'svc', 3) as r`, [ws]),
    );
    expect(viaService[0]!.r).toMatchObject({ granted: true });
    const direct = await backend.db.query<{ r: Reservation }>(
      `select public.commit_quota($1, 'svc', 2) as r`,
      [ws],
    );
    expect(direct[0]!.r).toMatchObject({ committed: true, used: 2 });
    await expectBalanced({ used: 2, reserved: 0, limit: 50 });
  });
});
