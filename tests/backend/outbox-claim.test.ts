// The outbox processor's SQL core (claim_outbox, complete_outbox, fail_outbox,
// pause_channel) on the real local stack: PGlite, or PostgreSQL with PIGEON_TEST_DB=postgres.
// Rows are queued through the real intake (enqueue_messages as a member).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

// A type alias, not an interface: db.query's row constraint needs an index signature.
type Claimed = {
  outbox_id: string;
  message_id: string;
  channel_id: string;
  workspace_id: string;
  phone: string;
  body: string;
  attempts: number;
};

let backend: Backend;
let owner: MintedUser;
let workspaceId: string;

async function createChannel(): Promise<string> {
  const [row] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name) values ($1, 'Line') returning id`,
    [workspaceId],
  );
  return row!.id;
}

async function enqueue(channelId: string, bodies: string[]): Promise<string[]> {
  const commands = bodies.map((body) => ({
    message_id: randomUUID(),
    channel_id: channelId,
    to: '+4915112345678',
    body,
  }));
  const { data, error } = await owner.client.rpc('enqueue_messages', { p_commands: commands });
  expect(error).toBeNull();
  expect((data as { results: { status: string }[] }).results.every((r) => r.status === 'queued')).toBe(true);
  return commands.map((c) => c.message_id);
}

function claim(worker: string, limit = 50, leaseSeconds = 120): Promise<Claimed[]> {
  return backend.db.query<Claimed>('select * from public.claim_outbox($1, $2, $3)', [
    worker,
    limit,
    leaseSeconds,
  ]);
}

async function complete(id: string, worker: string, waId: string): Promise<boolean> {
  const [row] = await backend.db.query<{ ok: boolean }>('select public.complete_outbox($1, $2, $3) as ok', [
    id,
    worker,
    waId,
  ]);
  return row!.ok;
}

async function fail(
  id: string,
  worker: string,
  error: string,
  retryable: boolean,
  retryAfter: number | null = null,
  base = 60,
): Promise<string | null> {
  const [row] = await backend.db.query<{ status: string | null }>(
    'select public.fail_outbox($1, $2, $3, $4, $5, $6) as status',
    [id, worker, error, retryable, retryAfter, base],
  );
  return row!.status;
}

async function outboxRow(id: string) {
  const [row] = await backend.db.query<{
    status: string;
    attempts: number;
    claimed_by: string | null;
    last_error: string | null;
    delay: number;
  }>(
    `select status, attempts, claimed_by, last_error,
            extract(epoch from next_attempt_at - updated_at)::int as delay
     from public.outbox_messages where id = $1`,
    [id],
  );
  return row!;
}

async function message(id: string) {
  const [row] = await backend.db.query<{
    status: string;
    error: string | null;
    wa_message_id: string | null;
  }>('select status, error, wa_message_id from public.messages where id = $1', [id]);
  return row!;
}

beforeAll(async () => {
  backend = await startBackend();
  owner = await backend.mintUser();
  const [row] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [owner.id],
  );
  workspaceId = row!.workspace_id;
});
// claim_outbox takes due rows of every channel, so nothing one test leaves due may leak
// into the next test's claims.
afterEach(async () => {
  await backend.db.query(`delete from public.outbox_messages where status in ('queued', 'sending')`);
});
afterAll(() => backend?.close());

describe('claim_outbox', () => {
  test('marks due rows sending, oldest first, returns what a sender needs, and never twice', async () => {
    const channelId = await createChannel();
    // One intake call each: a batch shares one now(), so its rows are equally old.
    const ids: string[] = [];
    for (const body of ['one', 'two', 'three']) ids.push(...(await enqueue(channelId, [body])));

    const first = await claim('worker-a', 2);
    expect(first.map((c) => c.message_id)).toEqual(ids.slice(0, 2));
    expect(first[0]).toMatchObject({
      channel_id: channelId,
      workspace_id: workspaceId,
      phone: '+4915112345678',
      body: 'one',
      attempts: 0,
    });
    for (const c of first) {
      expect(await outboxRow(c.outbox_id)).toMatchObject({ status: 'sending', claimed_by: 'worker-a' });
      expect((await message(c.message_id)).status).toBe('sending');
    }

    const second = await claim('worker-b');
    expect(second.map((c) => c.message_id)).toEqual([ids[2]]);
    expect(await claim('worker-c')).toEqual([]);
  });

  test("a channel's backlog does not hold back other channels: each channel's oldest rows take turns", async () => {
    const busy = await createChannel();
    const quiet = await createChannel();
    // 120 older rows on one channel (a campaign's backlog), then one reply on another.
    const backlog = await enqueue(
      busy,
      Array.from({ length: 120 }, (_, i) => `campaign ${i}`),
    );
    const [reply] = await enqueue(quiet, ['your order shipped']);

    const claimed = await claim('worker-a', 10);
    expect(claimed).toHaveLength(10);
    expect(claimed.map((c) => c.message_id)).toContain(reply);
    // The rest are the busy channel's, oldest first (one intake batch: equally old, by id).
    const busyRows = claimed.filter((c) => c.channel_id === busy).map((c) => c.outbox_id);
    const oldest = await backend.db.query<{ id: string }>(
      `select id from public.outbox_messages where channel_id = $1
       order by next_attempt_at, created_at, id limit 9`,
      [busy],
    );
    expect(busyRows).toEqual(oldest.map((r) => r.id));
    expect(backlog).toHaveLength(120);
  });

  test('a claim takes the rows whose send slots come first: a faster channel gets more of it', async () => {
    const slow = await createChannel();
    const fast = await createChannel();
    await backend.db.query(
      'update public.channels set rate_per_minute = case when id = $1 then 60 else 600 end where id in ($1, $2)',
      [slow, fast],
    );
    await enqueue(
      slow,
      Array.from({ length: 20 }, (_, i) => `slow ${i}`),
    );
    await enqueue(
      fast,
      Array.from({ length: 20 }, (_, i) => `fast ${i}`),
    );
    // Slots: the slow channel's at 0 s, 1 s…; the fast one's at 0, 0.1 … 0.9 s: the first 11
    // are one slow row and ten fast ones (taking turns gave 6 and 5, and the fast channel
    // sent at the slow one's pace).
    const claimed = await claim('worker-slots', 11);
    expect(claimed.filter((c) => c.channel_id === slow)).toHaveLength(1);
    expect(claimed.filter((c) => c.channel_id === fast)).toHaveLength(10);
  });

  test('a claim whose lease expired (a crashed worker) is taken over, and the old holder loses it', async () => {
    const channelId = await createChannel();
    const [id] = await enqueue(channelId, ['crash']);
    const [claimed] = await claim('crashed', 10, 60);
    expect(claimed!.message_id).toBe(id);
    expect(await claim('rescuer', 10, 60)).toEqual([]);

    await backend.db.query(
      `update public.outbox_messages set claimed_at = now() - interval '61 seconds' where id = $1`,
      [claimed!.outbox_id],
    );
    const taken = await claim('rescuer', 10, 60);
    expect(taken.map((c) => c.outbox_id)).toEqual([claimed!.outbox_id]);
    expect(await outboxRow(claimed!.outbox_id)).toMatchObject({ status: 'sending', claimed_by: 'rescuer' });

    expect(await complete(claimed!.outbox_id, 'crashed', 'wamid.late')).toBe(false);
    expect(await fail(claimed!.outbox_id, 'crashed', 'late', true)).toBeNull();
    expect(await complete(claimed!.outbox_id, 'rescuer', 'wamid.rescued')).toBe(true);
    expect(await message(id!)).toMatchObject({ status: 'sent', wa_message_id: 'wamid.rescued' });
  });

  test('rows of a paused channel, or scheduled later, wait until their time', async () => {
    const paused = await createChannel();
    const [pausedMsg] = await enqueue(paused, ['paused']);
    const scheduledChannel = await createChannel();
    const [scheduledMsg] = await enqueue(scheduledChannel, ['later']);
    await backend.db.query(
      `update public.channels set paused_until = now() + interval '1 hour' where id = $1`,
      [paused],
    );
    await backend.db.query(
      `update public.outbox_messages set scheduled_at = now() + interval '1 hour' where message_id = $1`,
      [scheduledMsg],
    );
    expect(await claim('w')).toEqual([]);

    await backend.db.query(
      `update public.channels set paused_until = now() - interval '1 second' where id = $1`,
      [paused],
    );
    expect((await claim('w')).map((c) => c.message_id)).toEqual([pausedMsg]);
    await backend.db.query(
      `update public.outbox_messages set scheduled_at = now() - interval '1 second' where message_id = $1`,
      [scheduledMsg],
    );
    expect((await claim('w')).map((c) => c.message_id)).toEqual([scheduledMsg]);
  });
});

describe('complete_outbox', () => {
  test('marks the row and its message sent with the provider id; a repeat is harmless; a non-holder cannot', async () => {
    const channelId = await createChannel();
    const [id] = await enqueue(channelId, ['done']);
    const [claimed] = await claim('holder');

    expect(await complete(claimed!.outbox_id, 'intruder', 'wamid.fake')).toBe(false);
    expect(await outboxRow(claimed!.outbox_id)).toMatchObject({ status: 'sending', claimed_by: 'holder' });
    expect((await message(id!)).wa_message_id).toBeNull();

    expect(await complete(claimed!.outbox_id, 'holder', 'wamid.1')).toBe(true);
    expect(await complete(claimed!.outbox_id, 'holder', 'wamid.1')).toBe(true);
    expect(await outboxRow(claimed!.outbox_id)).toMatchObject({ status: 'sent' });
    expect(await message(id!)).toEqual({ status: 'sent', error: null, wa_message_id: 'wamid.1' });
    expect(await complete(claimed!.outbox_id, 'intruder', 'wamid.fake')).toBe(false);
    expect(await claim('again')).toEqual([]);
  });
});

describe('complete_outbox_sends', () => {
  const completeAll = (worker: string, sends: unknown) =>
    backend.db.query<{ outbox_id: string; recorded: boolean }>(
      'select * from public.complete_outbox_sends($1, $2::jsonb) order by outbox_id',
      [worker, JSON.stringify(sends)],
    );

  test("records a processor's accepted sends in one call with complete_outbox's rules per row", async () => {
    const channelId = await createChannel();
    const ids = await enqueue(channelId, ['one', 'two', 'three']);
    const mine = await claim('batch-a', 2);
    const [theirs] = await claim('batch-b', 1);
    const sends = [...mine, theirs!].map((c, i) => ({ id: c.outbox_id, wa_message_id: `wamid.batch.${i}` }));

    const answer = await completeAll('batch-a', sends);
    // Its own claims are recorded; another worker's claim is not touched.
    expect(Object.fromEntries(answer.map((r) => [r.outbox_id, r.recorded]))).toEqual({
      [mine[0]!.outbox_id]: true,
      [mine[1]!.outbox_id]: true,
      [theirs!.outbox_id]: false,
    });
    for (const [i, c] of mine.entries()) {
      expect(await outboxRow(c.outbox_id)).toMatchObject({ status: 'sent', claimed_by: 'batch-a' });
      expect(await message(c.message_id)).toEqual({
        status: 'sent',
        error: null,
        wa_message_id: `wamid.batch.${i}`,
      });
    }
    expect(await outboxRow(theirs!.outbox_id)).toMatchObject({ status: 'sending', claimed_by: 'batch-b' });
    expect((await message(theirs!.message_id)).wa_message_id).toBeNull();
    // A repeated report (its answer was lost) is harmless and answers the same.
    expect((await completeAll('batch-a', sends.slice(0, 2))).map((r) => r.recorded)).toEqual([true, true]);
    expect(await message(mine[0]!.message_id)).toMatchObject({ wa_message_id: 'wamid.batch.0' });
    expect(ids).toHaveLength(3);
  });

  test('a malformed report is refused whole, naming what is wrong, and changes nothing', async () => {
    const channelId = await createChannel();
    await enqueue(channelId, ['kept']);
    const [claimed] = await claim('batch-c', 1);
    const good = { id: claimed!.outbox_id, wa_message_id: 'wamid.ok' };
    for (const [sends, reason] of [
      [{}, /sends must be a JSON array/],
      [[], /1 to 1000 entries, got 0/],
      [[good, { id: 'not-a-uuid', wa_message_id: 'x' }], /sends\[1\] must be/],
      [[good, { id: claimed!.outbox_id, wa_message_id: '' }], /sends\[1\] must be/],
      [[good, good], /each outbox row once/],
    ] as const) {
      await expect(completeAll('batch-c', sends)).rejects.toThrow(reason);
    }
    expect(await outboxRow(claimed!.outbox_id)).toMatchObject({ status: 'sending' });
    expect(await message(claimed!.message_id)).toMatchObject({ status: 'sending', wa_message_id: null });
  });
});

describe('fail_outbox', () => {
  test('the backoff doubles from the base up to 16 times it', async () => {
    const rows = await backend.db.query<{ secs: number }>(
      `select extract(epoch from private.outbox_backoff(n, 60))::int as secs
       from generate_series(1, 7) n order by n`,
    );
    expect(rows.map((r) => r.secs)).toEqual([60, 120, 240, 480, 960, 960, 960]);
  });

  test('retryable failures back off base, 2, 4, 8 times; the 5th is terminal with the reason on the message', async () => {
    const channelId = await createChannel();
    const [id] = await enqueue(channelId, ['flaky']);
    const base = 7;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const [claimed] = await claim('w');
      expect(claimed).toMatchObject({ message_id: id, attempts: attempt - 1 });
      expect(await fail(claimed!.outbox_id, 'w', `HTTP 503 #${attempt}`, true, null, base)).toBe('queued');
      const row = await outboxRow(claimed!.outbox_id);
      expect(row).toMatchObject({ status: 'queued', attempts: attempt, claimed_by: null });
      delays.push(row.delay);
      // Not due during the backoff; then skip the wait.
      expect(await claim('w')).toEqual([]);
      await backend.db.query('update public.outbox_messages set next_attempt_at = now() where id = $1', [
        claimed!.outbox_id,
      ]);
      // The message stays in flight for the user, not failed.
      expect((await message(id!)).status).toBe('sending');
    }
    expect(delays).toEqual([base, 2 * base, 4 * base, 8 * base]);

    const [last] = await claim('w');
    expect(await fail(last!.outbox_id, 'w', 'HTTP 503 #5', true, null, base)).toBe('failed');
    expect(await outboxRow(last!.outbox_id)).toMatchObject({
      status: 'failed',
      attempts: 5,
      last_error: 'HTTP 503 #5',
    });
    expect(await message(id!)).toMatchObject({ status: 'failed', error: 'HTTP 503 #5' });
    expect(await claim('w')).toEqual([]);
    // Reported twice: not counted again.
    expect(await fail(last!.outbox_id, 'w', 'again', true)).toBeNull();
    expect((await outboxRow(last!.outbox_id)).attempts).toBe(5);
  });

  test('a non-retryable failure is terminal at once', async () => {
    const channelId = await createChannel();
    const [id] = await enqueue(channelId, ['bad']);
    const [claimed] = await claim('w');
    expect(await fail(claimed!.outbox_id, 'w', 'recipient is not on WhatsApp', false)).toBe('failed');
    expect(await outboxRow(claimed!.outbox_id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await message(id!)).toMatchObject({ status: 'failed', error: 'recipient is not on WhatsApp' });
  });

  test('a 429 pauses and degrades the channel, requeues without an attempt, and a later send recovers it', async () => {
    const channelId = await createChannel();
    const [id] = await enqueue(channelId, ['throttled']);
    const [claimed] = await claim('w');
    expect(await fail(claimed!.outbox_id, 'w', 'HTTP 429', true, 30)).toBe('queued');
    expect(await outboxRow(claimed!.outbox_id)).toMatchObject({
      status: 'queued',
      attempts: 0,
      claimed_by: null,
      delay: 30,
    });
    const [channel] = await backend.db.query<{ status: string; reason: string; paused_secs: number }>(
      `select status, degraded_reason as reason,
              round(extract(epoch from paused_until - now()))::int as paused_secs
       from public.channels where id = $1`,
      [channelId],
    );
    expect(channel).toEqual({ status: 'degraded', reason: 'HTTP 429', paused_secs: 30 });
    expect(await claim('w')).toEqual([]);

    // Retry-After passed.
    await backend.db.query(
      `update public.channels set paused_until = now() - interval '1 second' where id = $1`,
      [channelId],
    );
    await backend.db.query('update public.outbox_messages set next_attempt_at = now() where id = $1', [
      claimed!.outbox_id,
    ]);
    const [again] = await claim('w');
    expect(again).toMatchObject({ message_id: id, attempts: 0 });
    expect(await complete(again!.outbox_id, 'w', 'wamid.after-pause')).toBe(true);
    const [healed] = await backend.db.query<Record<string, unknown>>(
      'select status, degraded_reason, paused_until from public.channels where id = $1',
      [channelId],
    );
    expect(healed).toEqual({ status: 'connected', degraded_reason: null, paused_until: null });
  });

  test('pause_channel never shortens a pause', async () => {
    const channelId = await createChannel();
    await backend.db.query(`select public.pause_channel($1, now() + interval '10 minutes', 'first')`, [
      channelId,
    ]);
    await backend.db.query(`select public.pause_channel($1, now() + interval '1 minute', 'second')`, [
      channelId,
    ]);
    const [row] = await backend.db.query<{ mins: number; status: string }>(
      `select round(extract(epoch from paused_until - now()) / 60)::int as mins, status
       from public.channels where id = $1`,
      [channelId],
    );
    expect(row).toEqual({ mins: 10, status: 'degraded' });
  });
});

describe('who may call', () => {
  test('signed-in and anonymous clients get permission denied; service_role may call', async () => {
    const id = randomUUID();
    const calls: [string, Record<string, unknown>][] = [
      ['claim_outbox', { p_worker: 'evil' }],
      ['complete_outbox', { p_id: id, p_worker: 'evil', p_wa_message_id: 'x' }],
      ['complete_outbox_sends', { p_worker: 'evil', p_sends: [{ id, wa_message_id: 'x' }] }],
      ['fail_outbox', { p_id: id, p_worker: 'evil', p_error: 'x', p_retryable: false }],
      ['pause_channel', { p_channel_id: id, p_until: new Date().toISOString(), p_reason: 'x' }],
    ];
    for (const client of [owner.client, backend.anon()]) {
      for (const [fn, args] of calls) {
        const { error } = await client.rpc(fn, args);
        expect(error?.code, fn).toBe('42501');
      }
    }
    const service = backend.service();
    const { data, error } = await service.rpc('claim_outbox', { p_worker: 'service', p_limit: 1 });
    expect(error).toBeNull();
    expect(data).toEqual([]);
    const done = await service.rpc('complete_outbox', {
      p_id: id,
      p_worker: 'service',
      p_wa_message_id: 'x',
    });
    expect(done).toMatchObject({ error: null, data: false });
  });
});
