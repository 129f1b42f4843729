// PostgreSQL only (PGlite has one connection): two tabs launching the same campaign at the
// same moment, each on its own connection, and two tabs posting the same chunks at once.
// The campaign is launched once, quota reserved once, and each message written once.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { campaignCommandChunks } from '../../src/domain/campaign-commands.ts';
import { prepareCampaign } from '../../src/domain/campaign-prepare.ts';
import { contactId } from '../../src/domain/ids.ts';
import type { Contact } from '../../src/domain/types.ts';
import type { Row } from '../../supabase/local/db.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

const RECIPIENTS = 1200;

let backend: Backend;
let alice: MintedUser;
let ws: string;
let channel: string;

beforeAll(async () => {
  backend = await startBackend();
  alice = await backend.mintUser();
  const [member] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [alice.id],
  );
  ws = member!.workspace_id;
  await backend.db.query('update public.quotas set monthly_limit = 10000 where workspace_id = $1', [ws]);
  const [ch] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name) values ($1, 'Main line') returning id`,
    [ws],
  );
  channel = ch!.id;
});
afterAll(() => backend?.close());

async function draft(): Promise<string> {
  const id = randomUUID();
  await backend.db.query(
    `insert into public.campaigns (id, workspace_id, name, channel_id, body) values ($1, $2, 'Launch day', $3, 'Hi {{name}}')`,
    [id, ws, channel],
  );
  return id;
}

/** Runs each launch on its own connection once all of them wait on the campaign row's lock. */
async function launchFromTabs(
  id: string,
  tabs: number,
  count: number,
): Promise<{ replayed: boolean; status: string }[]> {
  const connect = async () => {
    const c = new pg.Client({ connectionString: backend.databaseUrl });
    await c.connect();
    return c;
  };
  const clients = await Promise.all(Array.from({ length: tabs }, connect));
  const [blocker, probe] = await Promise.all([connect(), connect()]);
  try {
    await blocker.query('begin');
    await blocker.query('select 1 from public.campaigns where id = $1 for update', [id]);
    const pids = await Promise.all(
      clients.map(
        async (c) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid,
      ),
    );
    const calls = Promise.all(
      clients.map(async (c) => {
        await c.query('begin');
        await c.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(alice.claims)]);
        await c.query('set local role authenticated');
        const { rows } = await c.query<{ r: { replayed: boolean; status: string } }>(
          'select public.launch_campaign($1, $2) as r',
          [id, count],
        );
        await c.query('commit');
        return rows[0]!.r;
      }),
    );
    calls.catch(() => {});
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await probe.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where pid = any($1) and wait_event_type = 'Lock'`,
        [pids],
      );
      if (rows[0]!.n === tabs) break;
      if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${tabs} launches reached the lock`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await blocker.query('commit');
    return await calls;
  } finally {
    await Promise.all([...clients, blocker, probe].map((c) => c.end()));
  }
}

describe('two tabs', () => {
  test('launching at the same moment launch once and reserve once', async () => {
    const id = await draft();
    const answers = await launchFromTabs(id, 2, RECIPIENTS);
    expect(answers.map((a) => a.replayed).sort()).toEqual([false, true]);
    expect(answers.every((a) => a.status === 'launching')).toBe(true);
    const reservations = await backend.db.query<{ amount: number; status: string }>(
      'select amount, status from public.quota_reservations where workspace_id = $1 and key = $2',
      [ws, `campaign:${id}`],
    );
    expect(reservations).toEqual([{ amount: RECIPIENTS, status: 'reserved' }]);
    const [figures] = await backend.db.query<{ f: { reserved: number; used: number } }>(
      'select public.quota_status($1) as f',
      [ws],
    );
    expect(figures!.f).toMatchObject({ reserved: RECIPIENTS, used: 0 });
  });

  test('replaying the same offline launch at once launch once, write each message once and start once', async () => {
    const id = await draft();
    const contacts: Contact[] = await backend.db.query<Contact & Row>(
      `insert into public.contacts (id, workspace_id, phone, name)
       select (select extensions.uuid_generate_v5('e75d4b1f-ff79-42b1-bb30-868dd9e5e702'::uuid, $1 || ':+4915' || (100000000 + n))),
              $1::uuid, '+4915' || (100000000 + n), 'Kunde ' || n
       from generate_series(1, $2::int) n returning *`,
      [ws, RECIPIENTS],
    );
    expect(contacts[0]!.id).toBe(contactId(ws, contacts[0]!.phone));
    const plan = await prepareCampaign(contacts, {
      campaignId: id,
      body: 'Hi {{name}}',
      audience: { group_ids: [], tags: [], contact_ids: contacts.map((c) => c.id) },
      pacing: {
        startAt: Date.now(),
        timeZone: 'UTC',
        window: null,
        minDelayMs: 0,
        maxDelayMs: 0,
        ratePerMinute: 6000,
      },
    });
    // No launch_campaign: both tabs' queued commands race to launch the draft.
    const batches = [...campaignCommandChunks(plan.messages, { id, channel_id: channel })];
    const tab = async () => {
      const statuses: string[] = [];
      for (const commands of batches) {
        const { data, error } = await alice.client.functions.invoke('outbox', { body: { commands } });
        expect(error).toBeNull();
        statuses.push(...(data as { results: { status: string }[] }).results.map((r) => r.status));
      }
      return statuses;
    };
    const [a, b] = await Promise.all([tab(), tab()]);
    for (let i = 0; i < plan.messages.length; i++)
      expect([a![i], b![i]].sort()).toEqual(['duplicate', 'queued']);

    const [c] = await backend.db.query<{ status: string; accepted_count: number; queued_count: number }>(
      'select status, accepted_count, queued_count from public.campaigns where id = $1',
      [id],
    );
    expect(c).toEqual({ status: 'running', accepted_count: RECIPIENTS, queued_count: RECIPIENTS });
    const [rows] = await backend.db.query<{ messages: number; outbox: number; queued: number }>(
      `select (select count(*)::int from public.messages where campaign_id = $1) as messages,
              (select count(*)::int from public.outbox_messages where campaign_id = $1) as outbox,
              (select count(*)::int from public.outbox_messages where campaign_id = $1 and status = 'queued') as queued`,
      [id],
    );
    expect(rows).toEqual({ messages: RECIPIENTS, outbox: RECIPIENTS, queued: RECIPIENTS });
    const reservations = await backend.db.query<{ amount: number }>(
      'select amount from public.quota_reservations where workspace_id = $1 and key = $2',
      [ws, `campaign:${id}`],
    );
    expect(reservations).toEqual([{ amount: RECIPIENTS }]);
  });
});
