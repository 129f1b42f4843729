// A conversation's history on demand (supabase/migrations/20261204100000_chat_history.sql):
// pages of older messages, newest first, before a cursor, under the caller's RLS; and the
// count of chats a new device's first sync fills. A member of another workspace gets nothing.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Queryable } from '../../supabase/local/db.ts';
import { asCaller } from '../../supabase/local/request-auth.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let alice: MintedUser;
let bob: MintedUser;
let ws: string;
let chatId: string;

const TOTAL = 120;

function as<T>(user: MintedUser, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return asCaller(backend.db, { role: 'authenticated', claims: user.claims }, fn);
}

type Row = { id: string; body: string; created_at: string; chat_id: string };

async function page(user: MintedUser, before: Row | null, limit = 50): Promise<Row[]> {
  return as(user, async (tx) => {
    const [r] = await tx.query<{ rows: Row[] }>('select public.chat_history($1, $2, $3, $4) as rows', [
      chatId,
      before?.created_at ?? null,
      before?.id ?? null,
      limit,
    ]);
    return r!.rows;
  });
}

beforeAll(async () => {
  backend = await startBackend();
  alice = await backend.mintUser();
  bob = await backend.mintUser();
  const [row] = await backend.db.query<{ workspace_id: string }>(
    `select workspace_id from public.workspace_members where user_id = $1 and role = 'owner'`,
    [alice.id],
  );
  ws = row!.workspace_id;
  const [channel] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider) values ($1, 'Simulated', 'simulator') returning id`,
    [ws],
  );
  const [chat] = await backend.db.query<{ id: string }>(
    `insert into public.chats (id, workspace_id, channel_id, wa_chat_id)
     values (private.chat_id($2, '447700900111@s.whatsapp.net'), $1, $2, '447700900111@s.whatsapp.net') returning id`,
    [ws, channel!.id],
  );
  chatId = chat!.id;
  // Message n is n minutes after the first; two share a time, so the id breaks the tie.
  await backend.db.query(
    `insert into public.messages (id, workspace_id, channel_id, chat_id, direction, phone, body, status, created_at)
     select gen_random_uuid(), $1, $2, $3, 'out', '+447700900111', 'message ' || n, 'sent',
            timestamptz '2026-11-01 10:00+00' + make_interval(mins => least(n, 60))
     from generate_series(1, $4::int) n`,
    [ws, channel!.id, chatId, TOTAL],
  );
  await backend.db.query(
    `update public.messages set _deleted = true where chat_id = $1 and body = 'message 7'`,
    [chatId],
  );
});
afterAll(() => backend?.close());

test('a member pages through a chat newest first, each message once, deleted ones left out', async () => {
  const seen: Row[] = [];
  let before: Row | null = null;
  for (;;) {
    const rows = await page(alice, before);
    expect(rows.length).toBeLessThanOrEqual(50);
    seen.push(...rows);
    if (rows.length < 50) break;
    before = rows.at(-1)!;
  }
  expect(seen).toHaveLength(TOTAL - 1);
  expect(new Set(seen.map((r) => r.id)).size).toBe(TOTAL - 1);
  expect(seen.map((r) => r.body)).not.toContain('message 7');
  expect(seen.at(-1)!.body).toBe('message 1');
  const times = seen.map((r) => Date.parse(r.created_at));
  expect(times).toEqual([...times].sort((a, b) => b - a));
  expect(seen.every((r) => r.chat_id === chatId)).toBe(true);
});

test('the chat count says how many chats a new device fills', async () => {
  const count = await as(alice, (tx) =>
    tx.query<{ n: number }>('select public.chat_count($1) as n', [ws]).then((r) => r[0]!.n),
  );
  expect(count).toBe(1);
});

test("a member of another workspace gets no page and no count of this workspace's chats", async () => {
  expect(await page(bob, null)).toEqual([]);
  expect(await page(bob, null, 200)).toEqual([]);
  const count = await as(bob, (tx) =>
    tx.query<{ n: number }>('select public.chat_count($1) as n', [ws]).then((r) => r[0]!.n),
  );
  expect(count).toBe(0);
  // Not callable without signing in.
  await expect(
    asCaller(backend.db, { role: 'anon', claims: {} }, (tx) =>
      tx.query('select public.chat_history($1)', [chatId]),
    ),
  ).rejects.toThrow(/permission denied/);
});

test('bad paging input is refused with the reason', async () => {
  await expect(page(alice, null, 0)).rejects.toThrow(/p_limit must be between 1 and 200, got 0/);
  await expect(page(alice, null, 201)).rejects.toThrow(/p_limit must be between 1 and 200/);
  await expect(
    as(alice, (tx) => tx.query('select public.chat_history($1, now(), null)', [chatId])),
  ).rejects.toThrow(/given together/);
});
