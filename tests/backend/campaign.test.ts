// Campaigns on the real local stack (PGlite, or PostgreSQL with PIGEON_TEST_DB=postgres):
// launch through launch_campaign and the outbox intake with messages prepared by the domain
// code, the processor's RPCs sending them, counters, quota settlement, pause / resume /
// cancel / retry, opt-out replies and the table's access rules.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type CampaignOutboxCommand,
  campaignCommandChunks,
  type LaunchDraft,
} from '../../src/domain/campaign-commands.ts';
import { type PreparedCampaign, prepareCampaign } from '../../src/domain/campaign-prepare.ts';
import { contactId } from '../../src/domain/ids.ts';
import { mergeCampaign } from '../../src/domain/merge.ts';
import { seededRandom } from '../../src/domain/send-plan.ts';
import { isStopMessage } from '../../src/domain/stop-keywords.ts';
import type { Campaign, Contact } from '../../src/domain/types.ts';
import type { Queryable, Row } from '../../supabase/local/db.ts';
import { asCaller } from '../../supabase/local/request-auth.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

interface CampaignAnswer {
  campaign_id: string;
  status: Campaign['status'];
  replayed: boolean;
  blocked_reason: string | null;
  recipient_count: number;
  accepted_count: number;
  retry_round: number;
  queued_count: number;
  retried?: number;
  granted?: boolean;
  reason?: string;
  quota?: Record<string, unknown>;
}
interface CommandResult {
  message_id: string | null;
  status: 'queued' | 'duplicate' | 'rejected';
  error?: string;
}

let backend: Backend;
let alice: MintedUser;
let bob: MintedUser;
let ws: string;
let bobWs: string;
let channel: string;

const as = <T>(user: MintedUser, fn: (tx: Queryable) => Promise<T>) =>
  asCaller(backend.db, { role: 'authenticated', claims: user.claims }, fn);

async function call(user: MintedUser, sql: string, params: unknown[]): Promise<CampaignAnswer> {
  const rows = await as(user, (tx) => tx.query<{ r: CampaignAnswer }>(`select ${sql} as r`, params));
  return rows[0]!.r;
}
const launch = (id: string, count: number, user = alice) =>
  call(user, 'public.launch_campaign($1, $2)', [id, count]);
const pause = (id: string) => call(alice, 'public.pause_campaign($1)', [id]);
const resume = (id: string) => call(alice, 'public.resume_campaign($1)', [id]);
const cancel = (id: string) => call(alice, 'public.cancel_campaign($1)', [id]);
const retry = (id: string, round: number) => call(alice, 'public.retry_campaign($1, $2)', [id, round]);

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return { code: String(e.code), message: String(e.message) };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

let phoneSerial = 0;
async function createContacts(
  n: number,
  fields: Partial<Pick<Contact, 'tags' | 'opted_out' | 'name'>> = {},
): Promise<Contact[]> {
  const contacts: Contact[] = [];
  for (let i = 0; i < n; i++) {
    phoneSerial += 1;
    const phone = `+4917${String(10_000_000 + phoneSerial)}`;
    const [row] = await backend.db.query<Contact & Row>(
      `insert into public.contacts (id, workspace_id, phone, name, tags, opted_out)
       values ($1, $2, $3, $4, $5, $6) returning *`,
      [
        contactId(ws, phone),
        ws,
        phone,
        fields.name ?? `Kunde ${phoneSerial}`,
        fields.tags ?? [],
        fields.opted_out ?? false,
      ],
    );
    contacts.push(row!);
  }
  return contacts;
}

/** A draft written by Alice through RLS, as her client's replication would. */
async function draft(fields: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  const row = {
    id,
    workspace_id: ws,
    name: 'Autumn sale',
    channel_id: channel,
    body: 'Hi {{first_name}}!',
    ...fields,
  };
  const cols = Object.keys(row);
  await as(alice, (tx) =>
    tx.query(
      `insert into public.campaigns (${cols.join(', ')}) select ${cols.join(', ')}
       from jsonb_populate_record(null::public.campaigns, $1)`,
      [JSON.stringify(row)],
    ),
  );
  return id;
}

async function prepare(
  id: string,
  contacts: Contact[],
  startAt = Date.now() - 60_000,
): Promise<PreparedCampaign> {
  return prepareCampaign(
    contacts,
    {
      campaignId: id,
      body: 'Hi {{first_name}}!',
      audience: { group_ids: [], tags: [], contact_ids: contacts.map((c) => c.id) },
      pacing: {
        startAt,
        timeZone: 'Europe/Berlin',
        window: null,
        minDelayMs: 0,
        maxDelayMs: 0,
        ratePerMinute: 6000,
      },
    },
    { random: seededRandom(1) },
  );
}

function chunks(
  id: string,
  plan: PreparedCampaign,
  size: number,
  draft?: LaunchDraft,
): CampaignOutboxCommand[][] {
  return [...campaignCommandChunks(plan.messages, { id, channel_id: channel, draft }, size)];
}

/** A draft as the device holds it, never pushed: what a launch made offline carries. */
// A Berlin window open from an hour ago to an hour from now, every day, so a launch starts
// at once whatever the hour the test runs (crossing midnight is a window like any other).
function berlinWindowAroundNow(): Pick<
  LaunchDraft,
  'window_start_minute' | 'window_end_minute' | 'window_days'
> {
  const [h, m] = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(new Date())
    .split(':')
    .map(Number);
  const now = h! * 60 + m!;
  return {
    window_start_minute: (now + 1380) % 1440,
    window_end_minute: (now + 60) % 1440,
    window_days: [1, 2, 3, 4, 5, 6, 7],
  };
}

function localDraft(fields: Partial<LaunchDraft> = {}): LaunchDraft {
  return {
    workspace_id: ws,
    name: 'Made offline',
    channel_id: channel,
    template_id: null,
    body: 'Hi {{first_name}}!',
    group_ids: [],
    tags: [],
    contact_ids: [],
    start_at: null,
    time_zone: 'Europe/Berlin',
    ...berlinWindowAroundNow(),
    min_delay_ms: 0,
    max_delay_ms: 1000,
    rate_per_minute: 30,
    updated_at: '2026-11-23T10:00:00.000Z',
    ...fields,
  };
}

async function post(commands: unknown[], user = alice): Promise<CommandResult[]> {
  const { data, error } = await user.client.functions.invoke('outbox', { body: { commands } });
  expect(error).toBeNull();
  return (data as { results: CommandResult[] }).results;
}

async function campaign(id: string): Promise<Campaign> {
  const [row] = await backend.db.query<Campaign & Row>('select * from public.campaigns where id = $1', [id]);
  return row!;
}

async function outboxStatuses(id: string): Promise<Record<string, number>> {
  const rows = await backend.db.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from public.outbox_messages where campaign_id = $1 group by status`,
    [id],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function quota(): Promise<{ used: number; reserved: number; limit: number }> {
  const [row] = await backend.db.query<{ f: { used: number; reserved: number; limit: number } }>(
    'select public.quota_status($1) as f',
    [ws],
  );
  const { used, reserved, limit } = row!.f;
  return { used, reserved, limit };
}

async function reservation(key: string) {
  const [row] = await backend.db.query<{ amount: number; status: string; committed_amount: number | null }>(
    'select amount, status, committed_amount from public.quota_reservations where workspace_id = $1 and key = $2',
    [ws, key],
  );
  return row;
}

/** The processor: claims every due row of the channel (service connection, no API role). */
async function claimAll(): Promise<{ outbox_id: string; message_id: string }[]> {
  // Sends paced within the next minute are due now: these tests do not wait out the pacing.
  await backend.db.query(
    `update public.outbox_messages set scheduled_at = now()
     where status = 'queued' and scheduled_at between now() and now() + interval '1 minute'`,
  );
  return backend.db.query('select outbox_id, message_id from public.claim_outbox($1, 1000)', ['test-worker']);
}
const complete = (outboxId: string) =>
  backend.db.query('select public.complete_outbox($1, $2, $3)', [
    outboxId,
    'test-worker',
    `wamid.${outboxId}`,
  ]);
const fail = (outboxId: string, retryable: boolean) =>
  backend.db.query('select public.fail_outbox($1, $2, $3, $4)', [
    outboxId,
    'test-worker',
    'provider said no',
    retryable,
  ]);

/** A provider status event, as the webhook applies it. */
const markStatus = (messageId: string, status: 'delivered' | 'read') =>
  backend.db.query('update public.messages set status = $2 where id = $1', [messageId, status]);

/** An inbound message, as the webhook writes it. */
async function receive(from: Contact, body: string): Promise<void> {
  const chat = await backend.db.query<{ id: string }>(
    `insert into public.chats (id, workspace_id, channel_id, wa_chat_id, contact_id)
     values (private.chat_id($2, $3), $1, $2, $3, $4)
     on conflict (id) do update set contact_id = excluded.contact_id returning id`,
    [ws, channel, `${from.phone.slice(1)}@s.whatsapp.net`, from.id],
  );
  await backend.db.query(
    `insert into public.messages (id, workspace_id, channel_id, chat_id, contact_id, direction, phone, body, status, wa_message_id)
     values (gen_random_uuid(), $1, $2, $3, $4, 'in', $5, $6, 'delivered', $7)`,
    [ws, channel, chat[0]!.id, from.id, from.phone, body, `in.${randomUUID()}`],
  );
}

/** Launches and posts every chunk; returns the plan. */
/**
 * A send window from 09:00 to `endMinute` on the day after tomorrow only, in Tokyo (no
 * daylight saving, so expected wall times are plain); `wall` shifts a time to Tokyo's clock.
 */
function tokyoWindowInTwoDays(endMinute: number) {
  const wall = (t: number) => new Date(t + 9 * 3_600_000);
  const day = wall(Date.now() + 2 * 86_400_000);
  const window = {
    time_zone: 'Asia/Tokyo',
    window_start_minute: 540,
    window_end_minute: endMinute,
    window_days: [((day.getUTCDay() + 6) % 7) + 1],
  };
  return { wall, day, window };
}

/** The outbox times of a campaign's messages, in the client's planned order. */
async function plannedTimes(id: string, plan: PreparedCampaign): Promise<number[]> {
  const rows = await backend.db.query<{ message_id: string; at: Date }>(
    'select message_id, scheduled_at as at from public.outbox_messages where campaign_id = $1',
    [id],
  );
  const at = new Map(rows.map((r) => [r.message_id, new Date(r.at).getTime()]));
  return plan.messages.map((m) => at.get(m.message_id)!);
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

async function launched(
  contacts: Contact[],
  startAt?: number,
): Promise<{ id: string; plan: PreparedCampaign }> {
  const id = await draft(startAt === undefined ? {} : { start_at: new Date(startAt).toISOString() });
  const plan = await prepare(id, contacts, startAt);
  expect((await launch(id, plan.quotaNeeded)).status).toBe('launching');
  for (const chunk of chunks(id, plan, 500)) await post(chunk);
  return { id, plan };
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
  bobWs = rows.find((r) => r.user_id === bob.id)!.workspace_id;
  // Paced by the plan in these tests, not by the channel.
  const [ch] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, rate_per_minute) values ($1, 'Main line', 6000) returning id`,
    [ws],
  );
  channel = ch!.id;
});
afterAll(() => backend?.close());

beforeEach(async () => {
  // A fresh month: nothing used or reserved, a limit of 100.
  await backend.db.query('update public.quotas set monthly_limit = 100, used = 0 where workspace_id = $1', [
    ws,
  ]);
  await backend.db.query(
    `update public.quota_reservations set status = 'released', settled_at = now()
     where workspace_id = $1 and status = 'reserved'`,
    [ws],
  );
  // Earlier tests' unsent messages must not be claimed by later ones.
  await backend.db.query(
    `update public.outbox_messages set status = 'failed' where status in ('queued', 'paused')`,
  );
});

describe('launch', () => {
  test('a double click reserves once; chunks are held until the last one starts the campaign', async () => {
    const contacts = await createContacts(5);
    const id = await draft();
    const plan = await prepare(id, contacts);
    expect(plan.quotaNeeded).toBe(5);

    const [a, b] = await Promise.all([launch(id, 5), launch(id, 5)]);
    expect([a!.replayed, b!.replayed].sort()).toEqual([false, true]);
    expect(a).toMatchObject({ status: 'launching', recipient_count: 5, accepted_count: 0 });
    expect(await quota()).toEqual({ used: 0, reserved: 5, limit: 100 });
    expect(await reservation(`campaign:${id}`)).toEqual({
      amount: 5,
      status: 'reserved',
      committed_amount: null,
    });

    const [first, second] = chunks(id, plan, 3);
    expect((await post(first!)).map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
    expect(await campaign(id)).toMatchObject({ status: 'launching', accepted_count: 3, queued_count: 3 });
    // Held: a launch cut short here sends nothing.
    expect(await outboxStatuses(id)).toEqual({ paused: 3 });
    expect(await claimAll()).toEqual([]);

    // A replayed chunk is harmless.
    expect((await post(first!)).map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect((await post(second!)).map((r) => r.status)).toEqual(['queued', 'queued']);
    const started = await campaign(id);
    expect(started).toMatchObject({ status: 'running', accepted_count: 5, queued_count: 5 });
    expect(started.launched_at).not.toBeNull();
    expect(await outboxStatuses(id)).toEqual({ queued: 5 });

    // The text fixed at planning is what the outbox holds, sent in the planned order.
    const rows = await backend.db.query<{
      id: string;
      body: string;
      scheduled_at: Date;
      campaign_round: number;
    }>(
      `select m.id, m.body, o.scheduled_at, m.campaign_round from public.messages m
       join public.outbox_messages o on o.message_id = m.id where m.campaign_id = $1`,
      [id],
    );
    expect(rows).toHaveLength(5);
    const times = plan.messages.map((m) => {
      const row = rows.find((r) => r.id === m.message_id)!;
      expect(row.body).toBe(m.body);
      expect(row.campaign_round).toBe(0);
      return new Date(row.scheduled_at).getTime();
    });
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // A launch replayed now changes nothing, and the campaign takes no more messages.
    expect(await launch(id, 5)).toMatchObject({ status: 'running', replayed: true });
    const [extra] = await createContacts(1);
    const stray = (await prepare(id, [extra!])).messages;
    expect(await post(chunks(id, { ...plan, messages: stray }, 1)[0]!)).toEqual([
      {
        message_id: stray[0]!.message_id,
        status: 'rejected',
        error: `campaign ${id} is running: it takes messages only while launching`,
      },
    ]);
    expect(await quota()).toEqual({ used: 0, reserved: 5, limit: 100 });
  });

  test('launched offline: the queued commands alone launch the draft, reserve once and start it', async () => {
    const contacts = await createContacts(4);
    const id = await draft();
    const plan = await prepare(id, contacts);
    const [first, second] = chunks(id, plan, 2);
    // Replayed by the service worker, twice over: the first command launches, the rest join.
    expect((await post(first!)).map((r) => r.status)).toEqual(['queued', 'queued']);
    expect((await post(first!)).map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(await campaign(id)).toMatchObject({ status: 'launching', recipient_count: 4, accepted_count: 2 });
    expect(await reservation(`campaign:${id}`)).toEqual({
      amount: 4,
      status: 'reserved',
      committed_amount: null,
    });
    expect((await post(second!)).map((r) => r.status)).toEqual(['queued', 'queued']);
    expect(await campaign(id)).toMatchObject({ status: 'running', accepted_count: 4, queued_count: 4 });
    expect(await quota()).toEqual({ used: 0, reserved: 4, limit: 100 });
  });

  test('launched offline without enough quota: blocked, every command refused with the reason', async () => {
    await backend.db.query('update public.quotas set monthly_limit = 1 where workspace_id = $1', [ws]);
    const contacts = await createContacts(2);
    const id = await draft();
    const plan = await prepare(id, contacts);
    const results = await post(chunks(id, plan, 500)[0]!);
    const reason =
      'Not enough quota: this campaign needs 2 messages and 1 are left this month. Nothing was sent.';
    expect(results.map((r) => [r.status, r.error])).toEqual([
      ['rejected', reason],
      ['rejected', reason],
    ]);
    expect(await campaign(id)).toMatchObject({
      status: 'blocked',
      blocked_reason: reason,
      accepted_count: 0,
    });
    expect(await quota()).toEqual({ used: 0, reserved: 0, limit: 1 });
  });

  test('the intake checks each campaign command', async () => {
    const contacts = await createContacts(2);
    const id = await draft();
    const plan = await prepare(id, contacts);
    await launch(id, 1);
    const [c1, c2] = chunks(id, plan, 2)[0]!;
    const unknown = randomUUID();
    const results = await post([
      { ...c1!, message_id: randomUUID() },
      { ...c1!, channel_id: randomUUID() },
      { ...c1!, scheduled_at: 'next tuesday' },
      { ...c1!, scheduled_at: 1764000000000 },
      { ...c1!, scheduled_at: '2099-01-01T00:00:00Z' },
      { ...c1!, contact_id: undefined },
      { ...c1!, campaign_id: unknown },
    ]);
    expect(results.map((r) => r.error)).toEqual([
      'message_id must be campaignMessageId(campaign_id, contact_id)',
      `channel_id must be the campaign's channel ${channel}`,
      'scheduled_at must be an ISO 8601 time, got "next tuesday"',
      'scheduled_at must be an ISO 8601 time, got 1764000000000',
      'scheduled_at must be within a year from now, got 2099-01-01T00:00:00Z',
      'a campaign message needs its contact_id (a uuid)',
      `campaign ${unknown} is not a campaign of your workspaces`,
    ]);
    expect((await post([c1!])).map((r) => r.status)).toEqual(['queued']);
    // One recipient was reserved: its message started the campaign, which takes no more.
    expect(await post([c2!])).toEqual([
      {
        message_id: c2!.message_id,
        status: 'rejected',
        error: `campaign ${id} is running: it takes messages only while launching`,
      },
    ]);
  });

  test('not enough quota: blocked with the reason, nothing enqueued; launching again once the quota allows', async () => {
    await backend.db.query('update public.quotas set monthly_limit = 3 where workspace_id = $1', [ws]);
    const contacts = await createContacts(4);
    const id = await draft();
    const plan = await prepare(id, contacts);
    const answer = await launch(id, 4);
    expect(answer).toMatchObject({
      status: 'blocked',
      replayed: false,
      blocked_reason:
        'Not enough quota: this campaign needs 4 messages and 3 are left this month. Nothing was sent.',
    });
    expect(await campaign(id)).toMatchObject({ status: 'blocked', recipient_count: 0 });
    const results = await post(chunks(id, plan, 500)[0]!);
    expect(new Set(results.map((r) => r.error))).toEqual(new Set([answer.blocked_reason]));
    const [n] = await backend.db.query<{ n: number }>(
      'select count(*)::int as n from public.messages where campaign_id = $1 or id = any($2::uuid[])',
      [id, plan.messages.map((m) => m.message_id)],
    );
    expect(n!.n).toBe(0);
    expect(await quota()).toEqual({ used: 0, reserved: 0, limit: 3 });

    await backend.db.query('update public.quotas set monthly_limit = 10 where workspace_id = $1', [ws]);
    expect(await launch(id, 4)).toMatchObject({
      status: 'launching',
      blocked_reason: null,
      recipient_count: 4,
    });
    expect(await quota()).toEqual({ used: 0, reserved: 4, limit: 10 });
  });

  test('launch input is validated', async () => {
    const id = await draft({ channel_id: null });
    expect(await failure(launch(id, 0))).toMatchObject({
      message: 'recipient_count must be between 1 and 1000000 (got 0)',
    });
    expect(await failure(launch(id, 3))).toMatchObject({
      message: `campaign ${id} has no channel: choose one before launching`,
    });
    expect(await failure(launch(randomUUID(), 3))).toMatchObject({ code: '42501' });
  });
});

describe('a launch whose draft never reached the server', () => {
  test('the first command creates the draft and launches it, once; a replay duplicates nothing', async () => {
    const contacts = await createContacts(3);
    const id = randomUUID();
    const plan = await prepare(id, contacts);
    const offline = localDraft();
    const [first, second] = chunks(id, plan, 2, offline);
    expect(first![0]!.campaign).toBeDefined();
    expect(first![1]!.campaign).toBeUndefined();
    expect(second![0]!.campaign).toEqual(first![0]!.campaign);

    expect((await post(first!)).map((r) => r.status)).toEqual(['queued', 'queued']);
    expect(await campaign(id)).toMatchObject({
      workspace_id: ws,
      name: 'Made offline',
      time_zone: 'Europe/Berlin',
      window_start_minute: offline.window_start_minute,
      window_days: offline.window_days,
      max_delay_ms: 1000,
      rate_per_minute: 30,
      updated_at: '2026-11-23T10:00:00.000Z',
      status: 'launching',
      recipient_count: 3,
      accepted_count: 2,
    });
    // The service worker replays the whole queue again: nothing new.
    expect((await post(first!)).map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect((await post(second!)).map((r) => r.status)).toEqual(['queued']);
    expect((await post(second!)).map((r) => r.status)).toEqual(['duplicate']);
    expect(await campaign(id)).toMatchObject({ status: 'running', accepted_count: 3, queued_count: 3 });
    expect(await quota()).toEqual({ used: 0, reserved: 3, limit: 100 });
    const [count] = await backend.db.query<{ n: number }>(
      'select count(*)::int as n from public.messages where campaign_id = $1',
      [id],
    );
    expect(count!.n).toBe(3);
  });

  test('a later chunk arriving first creates and launches the draft; the first chunk then joins it', async () => {
    const contacts = await createContacts(3);
    const id = randomUUID();
    const plan = await prepare(id, contacts);
    const [first, second] = chunks(id, plan, 2, localDraft());

    expect((await post(second!)).map((r) => r.status)).toEqual(['queued']);
    expect(await campaign(id)).toMatchObject({ status: 'launching', recipient_count: 3, accepted_count: 1 });
    expect((await post(first!)).map((r) => r.status)).toEqual(['queued', 'queued']);
    expect(await campaign(id)).toMatchObject({ status: 'running', accepted_count: 3, queued_count: 3 });
    expect(await quota()).toEqual({ used: 0, reserved: 3, limit: 100 });
  });

  test('the draft pushed later meets the launched row as a conflict, and the merge keeps the server state', async () => {
    const contacts = await createContacts(2);
    const id = randomUUID();
    const plan = await prepare(id, contacts);
    const local = { id, ...localDraft(), _deleted: false };
    await post(chunks(id, plan, 500, localDraft())[0]!);
    const launched = await campaign(id);
    expect(launched).toMatchObject({ status: 'running', accepted_count: 2 });

    const push = (doc: unknown, assumed: string | null) =>
      as(alice, (tx) =>
        tx.query<{ c: Campaign[] }>('select public.push_rows($1, $2) as c', [
          'campaigns',
          JSON.stringify([{ doc, assumed }]),
        ]),
      );
    const [answer] = await push(local, null);
    expect(answer!.c).toHaveLength(1);
    const remote = answer!.c[0]!;
    expect(remote).toMatchObject({ id, status: 'running', recipient_count: 2 });

    // The device merges as its conflict handler does and pushes the result.
    const merged = mergeCampaign({
      base: undefined,
      local: { ...launched, ...local, status: 'draft', recipient_count: 0, accepted_count: 0 } as Campaign,
      remote,
    });
    const [again] = await push(merged, (remote as unknown as { _modified: string })._modified);
    expect(again!.c).toEqual([]);
    expect(await campaign(id)).toMatchObject({ status: 'running', recipient_count: 2, accepted_count: 2 });
  });

  test('a draft of another workspace, with its channel or template, or with server fields, is refused', async () => {
    const [c] = await createContacts(1);
    const [bobChannel] = await backend.db.query<{ id: string }>(
      `insert into public.channels (workspace_id, name) values ($1, 'Bob line') returning id`,
      [bobWs],
    );
    const [bobTemplate] = await backend.db.query<{ id: string }>(
      `insert into public.templates (workspace_id, name, body) values ($1, 'Bob', 'Hi') returning id`,
      [bobWs],
    );
    const attempt = async (draft: unknown, user = alice, channelId = channel) => {
      const id = randomUUID();
      const plan = await prepare(id, [c!]);
      const [command] = chunks(id, plan, 1)[0]!;
      const [result] = await post([{ ...command!, channel_id: channelId, campaign: draft }], user);
      expect(await campaign(id)).toBeUndefined();
      return { id, error: result!.error };
    };
    let r = await attempt(localDraft({ workspace_id: bobWs }));
    expect(r.error).toBe(`campaign ${r.id}: workspace ${bobWs} is not one of your workspaces`);
    r = await attempt(localDraft(), bob);
    expect(r.error).toBe(`campaign ${r.id}: workspace ${ws} is not one of your workspaces`);
    r = await attempt(localDraft({ channel_id: bobChannel!.id }), alice, bobChannel!.id);
    expect(r.error).toBe(`campaign ${r.id}: channel ${bobChannel!.id} is not a channel of its workspace`);
    r = await attempt(localDraft({ template_id: bobTemplate!.id }));
    expect(r.error).toBe(`campaign ${r.id}: template ${bobTemplate!.id} is not a template of its workspace`);
    r = await attempt({ ...localDraft(), status: 'running', sent_count: 5 });
    expect(r.error).toBe("campaign: sent_count, status cannot be set by a client (only the draft's fields)");
    const { name: _name, ...nameless } = localDraft();
    r = await attempt(nameless);
    expect(r.error).toBe('campaign: name missing');
    r = await attempt(localDraft({ time_zone: 'Mars/Base' }));
    expect(r.error).toBe(`campaign ${r.id}: unknown time zone "Mars/Base"`);
    r = await attempt(localDraft({ min_delay_ms: 5000, max_delay_ms: 10 }));
    expect(r.error).toMatch(
      /^campaign .*: new row for relation "campaigns" violates check constraint "campaigns_delay_order"/,
    );
    r = await attempt(localDraft({ window_days: ['monday'] as unknown as LaunchDraft['window_days'] }));
    expect(r.error).toMatch(/^campaign: .*invalid input syntax for type smallint: "monday"/);
  });
});

describe('sending, counters and settlement', () => {
  test('counters follow message status; completion commits what was sent and releases the rest', async () => {
    const contacts = await createContacts(5);
    const { id, plan } = await launched(contacts);
    const claimed = await claimAll();
    expect(claimed).toHaveLength(5);
    expect(await campaign(id)).toMatchObject({ status: 'running', queued_count: 5 });

    for (const c of claimed.slice(0, 4)) await complete(c.outbox_id);
    expect(await campaign(id)).toMatchObject({ queued_count: 1, sent_count: 4, status: 'running' });
    const sent = claimed.slice(0, 4).map((c) => c.message_id);
    await markStatus(sent[0]!, 'delivered');
    await markStatus(sent[1]!, 'read');
    await fail(claimed[4]!.outbox_id, false);

    expect(await campaign(id)).toMatchObject({
      status: 'completed',
      queued_count: 0,
      sent_count: 4,
      delivered_count: 2,
      read_count: 1,
      failed_count: 1,
      cancelled_count: 0,
    });
    expect((await campaign(id)).completed_at).not.toBeNull();
    expect(await reservation(`campaign:${id}`)).toEqual({
      amount: 5,
      status: 'committed',
      committed_amount: 4,
    });
    expect(await quota()).toEqual({ used: 4, reserved: 0, limit: 100 });

    // A late status event still counts, without settling twice.
    await markStatus(sent[2]!, 'delivered');
    expect(await campaign(id)).toMatchObject({ delivered_count: 3, status: 'completed' });
    expect(await quota()).toEqual({ used: 4, reserved: 0, limit: 100 });

    // Retry the failed recipient: round 1, its own reservation; a repeated click is a replay.
    const failedContact = plan.messages.find((m) => m.message_id === claimed[4]!.message_id)!.contact_id;
    const [r1, r2] = await Promise.all([retry(id, 1), retry(id, 1)]);
    expect([r1!.replayed, r2!.replayed].sort()).toEqual([false, true]);
    expect(r1!.replayed ? r2 : r1).toMatchObject({ retried: 1, status: 'running', retry_round: 1 });
    expect(await campaign(id)).toMatchObject({ failed_count: 0, queued_count: 1 });
    expect(await reservation(`campaign:${id}:retry:1`)).toEqual({
      amount: 1,
      status: 'reserved',
      committed_amount: null,
    });
    const [again] = await claimAll();
    const [msg] = await backend.db.query<{ contact_id: string; campaign_round: number }>(
      'select contact_id, campaign_round from public.messages where id = $1',
      [again!.message_id],
    );
    expect(msg).toEqual({ contact_id: failedContact, campaign_round: 1 });
    await complete(again!.outbox_id);
    expect(await campaign(id)).toMatchObject({ status: 'completed', sent_count: 5, failed_count: 0 });
    expect(await quota()).toEqual({ used: 5, reserved: 0, limit: 100 });
    expect(await failure(retry(id, 3))).toMatchObject({
      message: `campaign ${id} is at retry round 1: the next retry is round 2`,
    });
  });

  test('retried recipients are planned by the window, weekdays and rate of the campaign', async () => {
    // Tokyo has no daylight saving: the expected wall times are plain. The only day allowed is
    // the one after tomorrow there, 09:00-09:02, one message a minute: two fit, the third
    // waits a week.
    const { wall, day, window } = tokyoWindowInTwoDays(542);
    const contacts = await createContacts(3);
    const id = await draft({
      ...window,
      rate_per_minute: 1,
    });
    const plan = await prepare(id, contacts);
    await launch(id, 3);
    for (const chunk of chunks(id, plan, 500)) await post(chunk);
    // The first round waits for that window too: bring it forward to fail it now.
    await backend.db.query('update public.outbox_messages set scheduled_at = now() where campaign_id = $1', [
      id,
    ]);
    for (const c of await claimAll()) await fail(c.outbox_id, false);
    expect(await campaign(id)).toMatchObject({ status: 'completed', failed_count: 3 });

    expect(await retry(id, 1)).toMatchObject({ retried: 3, status: 'scheduled', retry_round: 1 });
    expect(await claimAll()).toEqual([]);
    const rows = await backend.db.query<{ at: Date }>(
      `select o.scheduled_at as at from public.outbox_messages o
       join public.messages m on m.id = o.message_id
       where m.campaign_id = $1 and m.campaign_round = 1 order by o.scheduled_at`,
      [id],
    );
    const date = (d: Date) => d.toISOString().slice(0, 10);
    const nextWeek = wall(Date.now() + 9 * 86_400_000);
    expect(rows.map((r) => wall(new Date(r.at).getTime()).toISOString().slice(0, 16))).toEqual([
      `${date(day)}T09:00`,
      `${date(day)}T09:01`,
      `${date(nextWeek)}T09:00`,
    ]);
  });

  test('a reservation that expired while the campaign ran is renewed and committed at completion', async () => {
    const contacts = await createContacts(3);
    const { id } = await launched(contacts);
    // Seven days later, say: the reservation has run out, and the quota row marks it so.
    await backend.db.query(
      `update public.quota_reservations set expires_at = now() - interval '1 second' where key = $1`,
      [`campaign:${id}`],
    );
    expect(await quota()).toEqual({ used: 0, reserved: 0, limit: 100 });
    for (const c of await claimAll()) await complete(c.outbox_id);
    expect(await campaign(id)).toMatchObject({ status: 'completed', blocked_reason: null, sent_count: 3 });
    expect(await reservation(`campaign:${id}`)).toEqual({
      amount: 3,
      status: 'committed',
      committed_amount: 3,
    });
    expect(await quota()).toEqual({ used: 3, reserved: 0, limit: 100 });
  });

  test('a paused campaign whose reservation expired resumes only while the quota covers it', async () => {
    const contacts = await createContacts(2);
    const { id } = await launched(contacts);
    await pause(id);
    await backend.db.query(
      `update public.quota_reservations set expires_at = now() - interval '1 second' where key = $1`,
      [`campaign:${id}`],
    );
    await backend.db.query('update public.quotas set monthly_limit = 1 where workspace_id = $1', [ws]);
    expect(await failure(resume(id))).toMatchObject({
      message: `campaign ${id} cannot resume: its quota reservation expired during the pause and the quota no longer covers it`,
    });
    expect(await campaign(id)).toMatchObject({ status: 'paused' });
    await backend.db.query('update public.quotas set monthly_limit = 100 where workspace_id = $1', [ws]);
    expect(await resume(id)).toMatchObject({ status: 'running' });
    expect(await reservation(`campaign:${id}`)).toEqual({
      amount: 2,
      status: 'reserved',
      committed_amount: null,
    });
  });

  test('a launch arriving late is planned again from its real start, by the delays and the window', async () => {
    // Planned two days ago (offline), arriving now: the client's times are all past. The only
    // window is the day after tomorrow in Tokyo, 09:00-09:10, with 1-3 s between messages.
    const { day, window } = tokyoWindowInTwoDays(550);
    const contacts = await createContacts(6);
    const id = await draft({
      ...window,
      min_delay_ms: 1000,
      max_delay_ms: 3000,
      rate_per_minute: 6000,
    });
    const plan = await prepare(id, contacts, Date.now() - 2 * 86_400_000);
    await launch(id, 6);
    for (const chunk of chunks(id, plan, 4)) await post(chunk);
    expect(await campaign(id)).toMatchObject({ status: 'scheduled', queued_count: 6 });
    const times = await plannedTimes(id, plan);
    const open = Date.parse(`${day.toISOString().slice(0, 10)}T09:00:00+09:00`);
    expect(times[0]).toBe(open);
    expect(times.at(-1)).toBeLessThan(open + 10 * 60_000);
    expect(gaps(times).every((g) => g >= 1000 && g <= 3000)).toBe(true);
  });

  test('a launch without a window starts from now, or from its start_at when later', async () => {
    for (const startAt of [undefined, Date.now() + 3_600_000]) {
      const contacts = await createContacts(5);
      const id = await draft({
        min_delay_ms: 2000,
        max_delay_ms: 4000,
        rate_per_minute: 6000,
        ...(startAt === undefined ? {} : { start_at: new Date(startAt).toISOString() }),
      });
      const plan = await prepare(id, contacts, Date.now() - 86_400_000);
      await launch(id, 5);
      const before = Date.now();
      for (const chunk of chunks(id, plan, 500)) await post(chunk);
      const times = await plannedTimes(id, plan);
      expect(times[0]).toBeGreaterThanOrEqual(startAt ?? before - 1000);
      if (startAt !== undefined) expect(times[0]).toBe(startAt);
      expect(gaps(times).every((g) => g >= 2000 && g <= 4000)).toBe(true);
    }
  });

  test('a campaign starting later is scheduled until its first message is claimed', async () => {
    const contacts = await createContacts(2);
    const { id } = await launched(contacts, Date.now() + 3_600_000);
    expect(await campaign(id)).toMatchObject({ status: 'scheduled', queued_count: 2 });
    expect(await claimAll()).toEqual([]);
    await backend.db.query(
      `update public.outbox_messages set scheduled_at = now() - interval '1 second' where campaign_id = $1`,
      [id],
    );
    expect(await claimAll()).toHaveLength(2);
    expect(await campaign(id)).toMatchObject({ status: 'running' });
  });
});

describe('the per-recipient report and Retry failed', () => {
  type Steps = {
    status: string;
    created_at: Date;
    sent_at: Date | null;
    delivered_at: Date | null;
    read_at: Date | null;
    failed_at: Date | null;
  };
  const steps = async (messageId: string) =>
    (
      await backend.db.query<Steps>(
        'select status, created_at, sent_at, delivered_at, read_at, failed_at from public.messages where id = $1',
        [messageId],
      )
    )[0]!;
  const roundCounts = async (id: string) =>
    Object.fromEntries(
      (
        await backend.db.query<{ round: number; n: number }>(
          `select campaign_round as round, count(*)::int as n from public.messages
           where campaign_id = $1 group by campaign_round`,
          [id],
        )
      ).map((r) => [r.round, r.n]),
    );

  test('each step of a message is stamped when its status first reaches it', async () => {
    await launched(await createContacts(3));
    const claimed = await claimAll();
    expect(claimed).toHaveLength(3);
    const [delivered, readDirectly, failed] = claimed;
    await complete(delivered!.outbox_id);
    await complete(readDirectly!.outbox_id);
    await markStatus(delivered!.message_id, 'delivered');
    const atDelivery = await steps(delivered!.message_id);
    await markStatus(delivered!.message_id, 'read');
    // A read reported before its delivery stamps both.
    await markStatus(readDirectly!.message_id, 'read');
    await fail(failed!.outbox_id, false);

    const d = await steps(delivered!.message_id);
    expect(d.status).toBe('read');
    expect(d.sent_at).not.toBeNull();
    expect(d.delivered_at).toEqual(atDelivery.delivered_at);
    expect(d.read_at!.getTime()).toBeGreaterThanOrEqual(d.delivered_at!.getTime());
    expect(d.failed_at).toBeNull();
    const r = await steps(readDirectly!.message_id);
    expect(r.delivered_at).not.toBeNull();
    expect(r.read_at).not.toBeNull();
    const f = await steps(failed!.message_id);
    expect(f).toMatchObject({ status: 'failed', sent_at: null, delivered_at: null, read_at: null });
    expect(f.failed_at).not.toBeNull();
  });

  test('only owners and admins retry, once per round, never a delivered recipient, quota counted again', async () => {
    const { id } = await launched(await createContacts(4));
    const claimed = await claimAll();
    for (const c of claimed.slice(0, 2)) await complete(c.outbox_id);
    await markStatus(claimed[0]!.message_id, 'delivered');
    for (const c of claimed.slice(2)) await fail(c.outbox_id, false);
    expect(await campaign(id)).toMatchObject({ status: 'completed', failed_count: 2, sent_count: 2 });
    expect(await quota()).toEqual({ used: 2, reserved: 0, limit: 100 });

    // An agent of the same workspace: refused, nothing changes.
    const carol = await backend.mintUser();
    await backend.db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`,
      [ws, carol.id],
    );
    expect(await failure(call(carol, 'public.retry_campaign($1, $2)', [id, 1]))).toMatchObject({
      code: '42501',
      message: "only owners and admins can retry a campaign's failed recipients",
    });
    // Another workspace's owner: refused.
    expect(await failure(call(bob, 'public.retry_campaign($1, $2)', [id, 1]))).toMatchObject({
      code: '42501',
      message: `campaign ${id} is not a campaign of your workspaces`,
    });
    expect(await roundCounts(id)).toEqual({ 0: 4 });
    expect(await campaign(id)).toMatchObject({ retry_round: 0, status: 'completed' });

    // An admin retries the two failed ones; the quota reserves them again.
    await backend.db.query(
      `update public.workspace_members set role = 'admin' where workspace_id = $1 and user_id = $2`,
      [ws, carol.id],
    );
    expect(await call(carol, 'public.retry_campaign($1, $2)', [id, 1])).toMatchObject({
      retried: 2,
      retry_round: 1,
      replayed: false,
    });
    expect(await quota()).toEqual({ used: 2, reserved: 2, limit: 100 });
    // Calling again: the same round is a replay, the next one is refused while it runs.
    expect(await retry(id, 1)).toMatchObject({ replayed: true, retry_round: 1 });
    expect(await failure(retry(id, 2))).toMatchObject({
      message: `campaign ${id} is running: failed recipients can be retried once it has completed`,
    });
    expect(await roundCounts(id)).toEqual({ 0: 4, 1: 2 });
    const retriedContacts = await backend.db.query<{ contact_id: string }>(
      'select contact_id from public.messages where campaign_id = $1 and campaign_round = 1 order by contact_id',
      [id],
    );
    const failedContacts = await backend.db.query<{ contact_id: string }>(
      `select contact_id from public.messages where id = any($1) order by contact_id`,
      [claimed.slice(2).map((c) => c.message_id)],
    );
    expect(retriedContacts).toEqual(failedContacts);
    expect(await quota()).toEqual({ used: 2, reserved: 2, limit: 100 });
  });
});

describe('pause, resume and cancel', () => {
  test('pause holds the queued rows (never claimed) and a retried send in flight; resume queues them again', async () => {
    const contacts = await createContacts(4);
    const { id } = await launched(contacts);
    const inFlight = (
      await backend.db.query<{ outbox_id: string }>('select outbox_id from public.claim_outbox($1, 1)', [
        'test-worker',
      ])
    )[0]!;

    const [p1, p2] = [await pause(id), await pause(id)];
    expect(p1).toMatchObject({ status: 'paused', replayed: false });
    expect(p2).toMatchObject({ status: 'paused', replayed: true });
    expect(await outboxStatuses(id)).toEqual({ paused: 3, sending: 1 });
    expect(await claimAll()).toEqual([]);
    // The send in flight fails retryably during the pause: back to held, not to the queue.
    await fail(inFlight.outbox_id, true);
    expect(await outboxStatuses(id)).toEqual({ paused: 4 });
    expect(await campaign(id)).toMatchObject({ status: 'paused', queued_count: 4 });

    expect(await resume(id)).toMatchObject({ status: 'running', replayed: false });
    expect(await resume(id)).toMatchObject({ replayed: true });
    expect(await outboxStatuses(id)).toEqual({ queued: 4 });
    await backend.db.query(
      'update public.outbox_messages set next_attempt_at = now() where campaign_id = $1',
      [id],
    );
    const claimed = await claimAll();
    expect(claimed).toHaveLength(4);
    for (const c of claimed) await complete(c.outbox_id);
    expect(await campaign(id)).toMatchObject({ status: 'completed', sent_count: 4 });
    expect(await quota()).toEqual({ used: 4, reserved: 0, limit: 100 });
  });

  test('resume plans what is left from now at the campaign pace, not at the times planned at launch', async () => {
    const contacts = await createContacts(6);
    // 12 a minute: 5 s apart.
    const id = await draft({ rate_per_minute: 12 });
    const plan = await prepare(id, contacts);
    await launch(id, plan.quotaNeeded);
    for (const chunk of chunks(id, plan, 500)) await post(chunk);
    const [first] = await backend.db.query<{ outbox_id: string }>(
      'select outbox_id from public.claim_outbox($1, 1)',
      ['test-worker'],
    );
    await complete(first!.outbox_id);
    expect(await pause(id)).toMatchObject({ status: 'paused' });
    // A long pause: every held message's launch-time slot is now in the past.
    await backend.db.query(
      `update public.outbox_messages set scheduled_at = now() - interval '10 minutes'
       where campaign_id = $1 and status = 'paused'`,
      [id],
    );
    const before = Date.now();
    expect(await resume(id)).toMatchObject({ status: 'running' });
    const [{ sent_at }] = (await backend.db.query<{ sent_at: Date }>(
      'select max(sent_at) as sent_at from public.messages where campaign_id = $1',
      [id],
    )) as [{ sent_at: Date }];
    const times = (
      await backend.db.query<{ at: Date }>(
        `select scheduled_at as at from public.outbox_messages
         where campaign_id = $1 and status = 'queued' order by scheduled_at`,
        [id],
      )
    ).map((r) => new Date(r.at).getTime());
    expect(times).toHaveLength(5);
    // The first waits one spacing after the last send, and none is due before now.
    expect(times[0]!).toBeGreaterThanOrEqual(new Date(sent_at).getTime() + 5000);
    expect(times[0]!).toBeGreaterThanOrEqual(before - 1000);
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(5000);
    // So the processor finds nothing due at once: no burst.
    expect(
      await backend.db.query('select outbox_id from public.claim_outbox($1, 1000)', ['test-worker']),
    ).toEqual([]);
  });

  test('cancel stops queued sends and releases their quota once the send in flight ends', async () => {
    const contacts = await createContacts(5);
    const { id } = await launched(contacts);
    const [inFlight] = await backend.db.query<{ outbox_id: string }>(
      'select outbox_id from public.claim_outbox($1, 1)',
      ['test-worker'],
    );
    expect(await cancel(id)).toMatchObject({ status: 'cancelled', replayed: false, queued_count: 1 });
    expect(await cancel(id)).toMatchObject({ replayed: true });
    expect(await outboxStatuses(id)).toEqual({ failed: 4, sending: 1 });
    expect(await campaign(id)).toMatchObject({ cancelled_count: 4, failed_count: 0, completed_at: null });
    const [reason] = await backend.db.query<{ error: string }>(
      `select distinct error from public.messages where campaign_id = $1 and status = 'failed'`,
      [id],
    );
    expect(reason!.error).toBe('campaign cancelled');
    expect(await quota()).toEqual({ used: 0, reserved: 5, limit: 100 });

    await complete(inFlight!.outbox_id);
    const done = await campaign(id);
    expect(done).toMatchObject({ status: 'cancelled', sent_count: 1, queued_count: 0 });
    expect(done.completed_at).not.toBeNull();
    expect(await reservation(`campaign:${id}`)).toEqual({
      amount: 5,
      status: 'committed',
      committed_amount: 1,
    });
    expect(await quota()).toEqual({ used: 1, reserved: 0, limit: 100 });
    expect(await failure(pause(id))).toMatchObject({
      message: `campaign ${id} is cancelled: only a scheduled or running campaign can be paused`,
    });
  });

  test('cancelling a launch cut short releases everything; nothing held is ever sent', async () => {
    const contacts = await createContacts(4);
    const id = await draft();
    const plan = await prepare(id, contacts);
    await launch(id, 4);
    await post(chunks(id, plan, 2)[0]!);
    expect(await cancel(id)).toMatchObject({ status: 'cancelled' });
    expect(await outboxStatuses(id)).toEqual({ failed: 2 });
    expect(await reservation(`campaign:${id}`)).toMatchObject({ status: 'released' });
    expect(await quota()).toEqual({ used: 0, reserved: 0, limit: 100 });
    expect((await post(chunks(id, plan, 2)[1]!)).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  test('a launch with a refused recipient starts with fewer messages than reserved, and settles the difference', async () => {
    const contacts = await createContacts(3);
    const id = await draft();
    const plan = await prepare(id, contacts);
    await launch(id, 3);
    // The third contact opts out between planning and launch: the intake refuses it.
    await backend.db.query('update public.contacts set opted_out = true where id = $1', [contacts[2]!.id]);
    const results = await post(chunks(id, plan, 500)[0]!);
    expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'rejected']);
    // Every recipient answered: the campaign starts with the two accepted, and says why one is missing.
    expect(await campaign(id)).toMatchObject({
      status: 'running',
      accepted_count: 2,
      blocked_reason: `1 of 3 messages were refused and will not be sent: ${contacts[2]!.phone} opted out of messages from this workspace`,
    });
    expect(await call(alice, 'public.start_campaign($1)', [id])).toMatchObject({
      status: 'running',
      replayed: true,
    });
    for (const c of await claimAll()) await complete(c.outbox_id);
    expect(await reservation(`campaign:${id}`)).toEqual({
      amount: 3,
      status: 'committed',
      committed_amount: 2,
    });
    expect(await quota()).toEqual({ used: 2, reserved: 0, limit: 100 });
  });
});

describe('replies and opt-out', () => {
  test('a STOP reply opts the contact out, counts as a reply and stops its queued campaign messages', async () => {
    const [anna, ben] = await createContacts(2);
    const first = await launched([anna!, ben!]);
    for (const c of await claimAll()) await complete(c.outbox_id);
    const later = await launched([anna!, ben!], Date.now() + 3_600_000);

    await receive(anna!, 'Stop!');
    const [row] = await backend.db.query<{ opted_out: boolean; opted_out_at: Date | null }>(
      'select opted_out, opted_out_at from public.contacts where id = $1',
      [anna!.id],
    );
    expect(row!.opted_out).toBe(true);
    expect(row!.opted_out_at).not.toBeNull();
    expect(await campaign(first.id)).toMatchObject({ replied_count: 1 });
    // Anna's scheduled message of the later campaign will not go out.
    expect(await campaign(later.id)).toMatchObject({ queued_count: 1, failed_count: 1 });

    // Ben writes back twice: one reply counted. Not a keyword: he stays opted in.
    await receive(ben!, 'Stop by the shop tomorrow?');
    await receive(ben!, 'Thanks!');
    expect(await campaign(first.id)).toMatchObject({ replied_count: 2 });
    const [benRow] = await backend.db.query<{ opted_out: boolean }>(
      'select opted_out from public.contacts where id = $1',
      [ben!.id],
    );
    expect(benRow!.opted_out).toBe(false);

    // The next campaign's planning leaves Anna out and says why.
    const contacts = await backend.db.query<Contact & Row>(
      'select * from public.contacts where id = any($1)',
      [[anna!.id, ben!.id]],
    );
    const next = await prepare(randomUUID(), contacts);
    expect(next.messages.map((m) => m.contact_id)).toEqual([ben!.id]);
    expect(next.excluded).toEqual([
      { contact_id: anna!.id, phone: anna!.phone, name: anna!.name, reason: 'opted_out' },
    ]);
  });

  test('SQL and TypeScript agree on which replies are stop requests', async () => {
    const [{ keywords }] = (await backend.db.query<{ keywords: string[] }>(
      'select stop_keywords as keywords from public.workspaces where id = $1',
      [ws],
    )) as [{ keywords: string[] }];
    const cases: [string, boolean][] = [
      ['STOP', true],
      ['stop', true],
      ['  Stop.  ', true],
      ['STOP!!!', true],
      ['Stop 🛑', true],
      ['arret', true],
      ['Arrêt', true],
      ['ARRÊT !', true],
      ['¡Baja!', true],
      ['unsubscribe', true],
      ['Abmelden', true],
      ['stopp', true],
      ['disiscriviti', true],
      ['Stop please', false],
      ['Cancel my order', false],
      ['End of the week works for me', false],
      ['S T O P', false],
      ['stopped', false],
      ['🛑', false],
      ['ｓｔｏｐ', true],
      ['Ｓ\u0301top', true],
    ];
    const sql = await backend.db.query<{ text: string; stop: boolean }>(
      `select t.text, private.is_stop_message(t.text, $2) as stop from unnest($1::text[]) t(text)`,
      [cases.map(([text]) => text), keywords],
    );
    for (const [i, [text, expected]] of cases.entries()) {
      expect({ text, sql: sql[i]!.stop, ts: isStopMessage(text, keywords) }).toEqual({
        text,
        sql: expected,
        ts: expected,
      });
    }
    const custom = ['Désabonner', 'opt out', 'стоп'];
    const [{ stop }] = (await backend.db.query<{ stop: boolean }>(
      `select bool_and(private.is_stop_message(t, $2)) as stop from unnest($1::text[]) t`,
      [['desabonner', 'OPT-OUT', 'СТОП'], custom],
    )) as [{ stop: boolean }];
    expect(stop).toBe(true);
    expect(['desabonner', 'OPT-OUT', 'СТОП'].every((t) => isStopMessage(t, custom))).toBe(true);
  });
});

describe('access', () => {
  test('another workspace sees and changes nothing, and cannot launch or feed the campaign', async () => {
    const [c] = await createContacts(1);
    const id = await draft();
    const plan = await prepare(id, [c!]);
    expect(await as(bob, (tx) => tx.query('select id from public.campaigns where id = $1', [id]))).toEqual(
      [],
    );
    expect(
      await as(bob, (tx) =>
        tx.query(`update public.campaigns set name = 'mine' where id = $1 returning id`, [id]),
      ),
    ).toEqual([]);
    const bobInsert = failure(
      as(bob, (tx) =>
        tx.query(`insert into public.campaigns (id, workspace_id, name) values ($1, $2, 'x')`, [
          randomUUID(),
          ws,
        ]),
      ),
    );
    expect((await bobInsert).code).toBe('42501');
    expect(await failure(launch(id, 1, bob))).toMatchObject({
      code: '42501',
      message: `campaign ${id} is not a campaign of your workspaces`,
    });
    await launch(id, 1);
    const results = await post(chunks(id, plan, 1)[0]!, bob);
    expect(results[0]).toMatchObject({
      status: 'rejected',
      error: `campaign ${id} is not a campaign of your workspaces`,
    });
    expect(
      await as(bob, (tx) => tx.query('select 1 from public.campaigns where workspace_id = $1', [ws])),
    ).toEqual([]);
    expect(bobWs).not.toBe(ws);
  });

  test('clients draft, but never write status or counters, and only rename a launched campaign', async () => {
    const update = (id: string, set: string) =>
      as(alice, (tx) => tx.query(`update public.campaigns set ${set} where id = $1`, [id]));
    const sneaky = failure(draft({ status: 'running' }));
    expect(await sneaky).toMatchObject({
      code: '42501',
      message: 'a new campaign is a draft: its status, counters and launch times are set by the server',
    });
    const id = await draft();
    await update(
      id,
      `body = 'Hello {{name}}', tags = '{vip}', window_start_minute = 540, window_end_minute = 1080`,
    );
    expect(await failure(update(id, 'sent_count = 10'))).toMatchObject({ code: '42501' });
    expect(await failure(update(id, `status = 'completed'`))).toMatchObject({ code: '42501' });
    expect(await failure(update(id, `time_zone = 'Mars/Olympus'`))).toMatchObject({
      message: 'unknown time zone "Mars/Olympus"',
    });
    expect(await failure(update(id, 'window_end_minute = null'))).toMatchObject({ code: '23514' });

    const [c] = await createContacts(1);
    await launch(id, 1);
    expect(await failure(update(id, `body = 'changed'`))).toMatchObject({
      message: `campaign ${id} is launching: only its name can change after launch`,
    });
    expect(await failure(update(id, '_deleted = true'))).toMatchObject({
      message: `campaign ${id} is launching: cancel it before deleting it`,
    });
    await update(id, `name = 'Renamed', updated_at = '2026-11-23T10:00:00.000Z'`);
    expect(await campaign(id)).toMatchObject({ name: 'Renamed', status: 'launching' });
    expect(c).toBeDefined();
  });

  test('campaigns are in the realtime publication, so counters reach clients live', async () => {
    const rows = await backend.db.query(
      `select 1 from pg_publication_tables where pubname = 'supabase_realtime' and tablename = 'campaigns'`,
    );
    expect(rows).toHaveLength(1);
  });

  test('campaign drafts replicate through push_rows and pull_rows', async () => {
    const id = randomUUID();
    const doc = {
      id,
      workspace_id: ws,
      name: 'Pushed offline',
      channel_id: channel,
      body: 'Hi',
      tags: ['vip'],
      window_days: [1, 2, 3],
      updated_at: '2026-11-23T10:00:00.000Z',
      _deleted: false,
    };
    const conflicts = await as(alice, (tx) =>
      tx.query<{ c: unknown[] }>('select public.push_rows($1, $2) as c', [
        'campaigns',
        JSON.stringify([{ doc, assumed: null }]),
      ]),
    );
    expect(conflicts[0]!.c).toEqual([]);
    const pulled = await as(alice, (tx) =>
      tx.query<{ p: { rows: Campaign[] } }>('select public.pull_rows($1, $2) as p', ['campaigns', ws]),
    );
    expect(pulled[0]!.p.rows.find((r) => r.id === id)).toMatchObject({
      name: 'Pushed offline',
      status: 'draft',
      window_days: [1, 2, 3],
      sent_count: 0,
    });
  });
});
