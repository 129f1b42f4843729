// PostgreSQL only (PGlite has one connection, so claims cannot race there): two processors,
// two concurrent loops calling the real process-outbox function, drain 2,000 messages
// queued through the real intake, and the simulator receives each exactly once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runOutbox } from '../../supabase/local/outbox-run.ts';
import type { Simulator } from '../../supabase/local/simulator/server.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

const MESSAGES = 2000;
const CHANNELS = 4;
const BATCH = 500;

let backend: Backend;
let simulator: Simulator;
let owner: MintedUser;

beforeAll(async () => {
  // Delivery reports off: 6,000 webhooks would test the webhooks, not the claim.
  backend = await startBackend({ simulator: { delays: { sent: null, delivered: null, read: null } } });
  simulator = backend.simulator!;
  owner = await backend.mintUser();
  const [ws] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [owner.id],
  );
  // Every message counts against the monthly quota at intake: room for all of them.
  await backend.db.query('update public.quotas set monthly_limit = 1000000 where workspace_id = $1', [
    ws!.workspace_id,
  ]);
  // The fastest pacing a channel allows (6,000 a minute), on several channels at once.
  const channels = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute)
     select $1, 'Bulk ' || n, 'simulator', 6000 from generate_series(1, $2::int) n returning id`,
    [ws!.workspace_id, CHANNELS],
  );
  for (let start = 0; start < MESSAGES; start += BATCH) {
    const commands = Array.from({ length: BATCH }, (_, i) => ({
      message_id: randomUUID(),
      channel_id: channels[(start + i) % CHANNELS]!.id,
      to: `+4915112${String(start + i).padStart(6, '0')}`,
      body: `bulk ${start + i}`,
    }));
    const { data, error } = await owner.client.functions.invoke('outbox', { body: { commands } });
    expect(error).toBeNull();
    expect((data as { results: { status: string }[] }).results.every((r) => r.status === 'queued')).toBe(
      true,
    );
  }
});
afterAll(() => backend?.close());

async function remaining(): Promise<number> {
  const [row] = await backend.db.query<{ n: number }>(
    `select count(*)::int as n from public.outbox_messages where status in ('queued', 'sending')`,
  );
  return row!.n;
}

describe('two processors at once', () => {
  // Correctness, not speed (the outbox-throughput bench measures the rate): room for a loaded machine.
  test(`drain ${MESSAGES} messages; the provider receives each exactly once`, {
    timeout: 300_000,
  }, async () => {
    const runs: { processor: number; claimed: number; sent: number }[] = [];
    const loop = async (processor: number) => {
      while ((await remaining()) > 0) {
        const { status, summary } = await runOutbox(backend.url, backend.config.serviceRoleKey);
        expect(status).toBe(200);
        expect(summary!.errors).toEqual([]);
        runs.push({ processor, claimed: summary!.claimed, sent: summary!.sent });
      }
    };
    await Promise.all([loop(0), loop(1)]);

    // Both took part, and together sent everything once.
    for (const p of [0, 1])
      expect(runs.filter((r) => r.processor === p && r.sent > 0).length).toBeGreaterThan(0);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(MESSAGES);

    const sends = simulator.sends();
    expect(sends).toHaveLength(MESSAGES);
    expect(sends.every((s) => s.outcome === 'accepted')).toBe(true);
    const bodies = new Set(sends.map((s) => s.body));
    expect(bodies.size).toBe(MESSAGES);

    const rows = await backend.db.query<{
      body: string;
      status: string;
      wa_message_id: string;
      attempts: number;
    }>(
      `select m.body, m.status, m.wa_message_id, o.attempts
       from public.messages m join public.outbox_messages o on o.message_id = m.id`,
    );
    expect(rows).toHaveLength(MESSAGES);
    const wamidOf = new Map(sends.map((s) => [s.body, s.wamid]));
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'sent', attempts: 1 });
      expect(row.wa_message_id).toBe(wamidOf.get(row.body));
    }
  });
});
