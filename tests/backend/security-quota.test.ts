// Issue 17 items 1 and 5, performed as an attacker would: a member of the workspace (an
// agent) calling the quota RPCs through supabase-js, and sending plain messages past the
// month's quota through the outbox function. The quota is the server's alone.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

interface CommandResult {
  message_id: string | null;
  status: 'queued' | 'duplicate' | 'rejected';
  error?: string;
}

let backend: Backend;
let owner: MintedUser;
let agent: MintedUser;
let ws: string;
let channel: string;

beforeAll(async () => {
  backend = await startBackend();
  owner = await backend.mintUser();
  agent = await backend.mintUser();
  const [m] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [owner.id],
  );
  ws = m!.workspace_id;
  await backend.db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`,
    [ws, agent.id],
  );
  const [ch] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, rate_per_minute) values ($1, 'Main line', 6000) returning id`,
    [ws],
  );
  channel = ch!.id;
});
afterAll(() => backend?.close());

beforeEach(async () => {
  await backend.db.query('update public.quotas set monthly_limit = 3, used = 0 where workspace_id = $1', [
    ws,
  ]);
  await backend.db.query('delete from public.quota_reservations where workspace_id = $1', [ws]);
});

async function figures(): Promise<{ used: number; reserved: number; remaining: number; limit: number }> {
  const { data, error } = await agent.client.rpc('quota_status', { p_workspace_id: ws });
  expect(error).toBeNull();
  const { used, reserved, remaining, limit } = data as Record<string, number>;
  return { used: used!, reserved: reserved!, remaining: remaining!, limit: limit! };
}

function plain(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    message_id: randomUUID(),
    channel_id: channel,
    to: `+3519100000${String(i).padStart(2, '0')}`,
    body: `Olá ${i}`,
  }));
}

async function post(commands: unknown[]): Promise<CommandResult[]> {
  const { data, error } = await agent.client.functions.invoke('outbox', { body: { commands } });
  expect(error).toBeNull();
  return (data as { results: CommandResult[] }).results;
}

describe('the quota RPCs are the server’s', () => {
  test('an agent calling reserve, commit or release through the API is refused, and nothing moves', async () => {
    // A running campaign's reservation, made by the server.
    await backend.db.query(`select public.reserve_quota($1, 'campaign:victim', 2)`, [ws]);
    const before = await figures();
    expect(before).toEqual({ used: 0, reserved: 2, remaining: 1, limit: 3 });
    const calls = [
      agent.client.rpc('release_quota', { p_workspace_id: ws, p_key: 'campaign:victim' }),
      agent.client.rpc('commit_quota', { p_workspace_id: ws, p_key: 'campaign:victim', p_used: 0 }),
      agent.client.rpc('reserve_quota', {
        p_workspace_id: ws,
        p_key: 'hog',
        p_amount: 1,
        p_ttl_seconds: 604800,
      }),
      owner.client.rpc('release_quota', { p_workspace_id: ws, p_key: 'campaign:victim' }),
    ];
    for (const { error } of await Promise.all(calls)) {
      expect(error).not.toBeNull();
      expect(error!.code).toBe('42501');
    }
    expect(await figures()).toEqual(before);
    const [r] = await backend.db.query<{ status: string }>(
      `select status from public.quota_reservations where workspace_id = $1 and key = 'campaign:victim'`,
      [ws],
    );
    expect(r!.status).toBe('reserved');
  });

  test('plain messages count when accepted, and past the quota they are refused with the reason', async () => {
    const commands = plain(5);
    const results = await post(commands);
    expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'queued', 'rejected', 'rejected']);
    expect(results[3]!.error).toBe(
      'the monthly quota is used up: 3 of 3 messages used and 0 reserved for campaigns; nothing was sent',
    );
    expect(await figures()).toEqual({ used: 3, reserved: 0, remaining: 0, limit: 3 });
    const [n] = await backend.db.query<{ n: number }>(
      'select count(*)::int as n from public.messages where id = any($1::uuid[])',
      [commands.map((c) => c.message_id)],
    );
    expect(n!.n).toBe(3);
    // A replay of what was accepted is a duplicate and costs nothing more.
    expect((await post(commands.slice(0, 3))).map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect((await figures()).used).toBe(3);
  });

  test('a campaign reservation leaves less for plain messages', async () => {
    await backend.db.query(`select public.reserve_quota($1, 'campaign:big', 2)`, [ws]);
    const results = await post(plain(2));
    expect(results.map((r) => r.status)).toEqual(['queued', 'rejected']);
    expect(results[1]!.error).toBe(
      'the monthly quota is used up: 1 of 3 messages used and 2 reserved for campaigns; nothing was sent',
    );
  });
});
