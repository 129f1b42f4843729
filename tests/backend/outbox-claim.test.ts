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

describe('fail_outbox_sends and hold_outbox_sends', () => {
  type Answer = { outbox_id: string; status: string | null };
  const failAll = (worker: string, failures: unknown, base = 60) =>
    backend.db.query<Answer>('select * from public.fail_outbox_sends($1, $2::jsonb, $3)', [
      worker,
      JSON.stringify(failures),
      base,
    ]);
  const holdAll = (worker: string, holds: unknown) =>
    backend.db.query<Answer>('select * from public.hold_outbox_sends($1, $2::jsonb)', [
      worker,
      JSON.stringify(holds),
    ]);
  const pausedSecs = async (channelId: string) => {
    const [row] = await backend.db.query<{ secs: number | null; status: string; reason: string | null }>(
      `select round(extract(epoch from paused_until - now()))::int as secs, status, degraded_reason as reason
       from public.channels where id = $1`,
      [channelId],
    );
    return row!;
  };

  test("records a processor's failures in one call with fail_outbox's rules per row", async () => {
    const channelId = await createChannel();
    const ids = await enqueue(channelId, ['retry', 'terminal', 'throttled', 'throttled too']);
    const claimed = await claim('fail-a', 4);
    // One intake call: the rows are equally old, so claimed in any order. Named by message.
    const mine = ids.map((id) => claimed.find((c) => c.message_id === id)!);
    expect(mine.every(Boolean)).toBe(true);
    // The 5th attempt of a retryable failure is terminal, as in fail_outbox.
    await backend.db.query('update public.outbox_messages set attempts = 5 where id = $1', [
      mine[1]!.outbox_id,
    ]);
    const otherChannel = await createChannel();
    await enqueue(otherChannel, ['theirs']);
    const [theirs] = await claim('fail-b', 1);
    const failures = [
      { id: mine[0]!.outbox_id, error: 'HTTP 503', retryable: true },
      { id: mine[1]!.outbox_id, error: 'HTTP 503 again', retryable: true, retry_after_seconds: null },
      { id: mine[2]!.outbox_id, error: 'HTTP 429 short', retryable: true, retry_after_seconds: 20 },
      { id: mine[3]!.outbox_id, error: 'HTTP 429 long', retryable: true, retry_after_seconds: 40 },
      { id: theirs!.outbox_id, error: 'not mine', retryable: false },
    ];

    const answer = await failAll('fail-a', failures, 7);
    // In the order given.
    expect(answer).toEqual([
      { outbox_id: mine[0]!.outbox_id, status: 'queued' },
      { outbox_id: mine[1]!.outbox_id, status: 'failed' },
      { outbox_id: mine[2]!.outbox_id, status: 'queued' },
      { outbox_id: mine[3]!.outbox_id, status: 'queued' },
      { outbox_id: theirs!.outbox_id, status: null },
    ]);
    expect(await outboxRow(mine[0]!.outbox_id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      claimed_by: null,
      last_error: 'HTTP 503',
      delay: 7,
    });
    expect(await outboxRow(mine[1]!.outbox_id)).toMatchObject({
      status: 'failed',
      last_error: 'HTTP 503 again',
    });
    expect(await message(ids[1]!)).toMatchObject({ status: 'failed', error: 'HTTP 503 again' });
    // A 429 refunds the attempt and pauses the channel for the longest wait named.
    expect(await outboxRow(mine[2]!.outbox_id)).toMatchObject({ status: 'queued', attempts: 0, delay: 20 });
    expect(await outboxRow(mine[3]!.outbox_id)).toMatchObject({ status: 'queued', attempts: 0, delay: 40 });
    expect(await pausedSecs(channelId)).toEqual({ secs: 40, status: 'degraded', reason: 'HTTP 429 long' });
    for (const id of [ids[0]!, ids[2]!, ids[3]!]) expect((await message(id)).status).toBe('sending');
    // Another worker's claim is not touched, nor its channel.
    expect(await outboxRow(theirs!.outbox_id)).toMatchObject({ status: 'sending', claimed_by: 'fail-b' });
    expect(await pausedSecs(otherChannel)).toMatchObject({ secs: null, status: 'connected' });
    // Reported again (the answer was lost): nothing changes, no attempt counted twice.
    expect((await failAll('fail-a', failures.slice(0, 4))).map((r) => r.status)).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(await outboxRow(mine[0]!.outbox_id)).toMatchObject({ status: 'queued', attempts: 1 });
  });

  test("gives a processor's claims back in one call with hold_outbox's rules per row", async () => {
    const channelId = await createChannel();
    const ids = await enqueue(channelId, ['later', 'now']);
    const mine = await claim('hold-a', 2);
    const [theirs] = await (async () => {
      await enqueue(channelId, ['theirs']);
      return claim('hold-b', 1);
    })();
    const holds = [
      { id: mine[0]!.outbox_id, error: 'channel disconnected', delay_seconds: 30 },
      { id: mine[1]!.outbox_id, error: 'wait for this recipient' },
      { id: theirs!.outbox_id, error: 'not mine', delay_seconds: 0 },
    ];
    expect(await holdAll('hold-a', holds)).toEqual([
      { outbox_id: mine[0]!.outbox_id, status: 'queued' },
      { outbox_id: mine[1]!.outbox_id, status: 'queued' },
      { outbox_id: theirs!.outbox_id, status: null },
    ]);
    expect(await outboxRow(mine[0]!.outbox_id)).toMatchObject({
      status: 'queued',
      attempts: 0,
      claimed_by: null,
      last_error: 'channel disconnected',
      delay: 30,
    });
    expect(await outboxRow(mine[1]!.outbox_id)).toMatchObject({ status: 'queued', attempts: 0, delay: 0 });
    expect(await outboxRow(theirs!.outbox_id)).toMatchObject({ status: 'sending', claimed_by: 'hold-b' });
    for (const id of ids) expect((await message(id)).status).toBe('sending');
    // A repeat gives back nothing more.
    expect((await holdAll('hold-a', holds)).map((r) => r.status)).toEqual([null, null, null]);
    expect((await outboxRow(mine[1]!.outbox_id)).attempts).toBe(0);
  });

  test('a malformed report is refused whole, naming what is wrong, and changes nothing', async () => {
    const channelId = await createChannel();
    await enqueue(channelId, ['kept']);
    const [claimed] = await claim('bad-report', 1);
    const id = claimed!.outbox_id;
    const fail = { id, error: 'HTTP 503', retryable: true };
    for (const [failures, reason] of [
      [{}, /failures must be a JSON array/],
      [[], /failures must hold 1 to 1000 entries, got 0/],
      [[fail, { ...fail, id: 'not-a-uuid' }], /failures\[1\] must have "id": a uuid/],
      [[fail, { id, error: '', retryable: true }], /failures\[1\] must have .* "error": a non-empty string/],
      [[{ id, error: 'x' }], /failures\[0\] must have "retryable": true or false/],
      [[{ ...fail, retryable: 'yes' }], /failures\[0\] must have "retryable"/],
      [[{ ...fail, retry_after_seconds: -5 }], /failures\[0\] .* 0 to 86400/],
      [[{ ...fail, retry_after_seconds: 1.5 }], /failures\[0\] .* 0 to 86400/],
      [[fail, fail], /failures must name each outbox row once/],
    ] as const) {
      await expect(failAll('bad-report', failures)).rejects.toThrow(reason);
    }
    await expect(failAll('bad-report', [fail], -1)).rejects.toThrow(/backoff base must be 0 or more/);
    await expect(failAll('', [fail])).rejects.toThrow(/worker must be 1 to 200 characters/);
    const hold = { id, error: 'held' };
    for (const [holds, reason] of [
      ['nope', /holds must be a JSON array/],
      [Array.from({ length: 1001 }, () => hold), /holds must hold 1 to 1000 entries, got 1001/],
      [[hold, { error: 'held' }], /holds\[1\] must have "id": a uuid/],
      [[{ ...hold, delay_seconds: '30' }], /holds\[0\] must have "delay_seconds"/],
      [[{ ...hold, delay_seconds: 86401 }], /holds\[0\] must have "delay_seconds"/],
      [[hold, hold], /holds must name each outbox row once/],
    ] as const) {
      await expect(holdAll('bad-report', holds)).rejects.toThrow(reason);
    }
    expect(await outboxRow(id)).toMatchObject({ status: 'sending', attempts: 1, claimed_by: 'bad-report' });
  });

  test("a member's token cannot fail or hold a claimed row, even naming its worker", async () => {
    const channelId = await createChannel();
    const [messageId] = await enqueue(channelId, ['target']);
    const [claimed] = await claim('process-outbox:victim', 1);
    const id = claimed!.outbox_id;
    // The attacker is a member of the row's workspace and knows its id and worker.
    for (const [fn, args] of [
      [
        'fail_outbox_sends',
        { p_worker: 'process-outbox:victim', p_failures: [{ id, error: 'x', retryable: false }] },
      ],
      [
        'hold_outbox_sends',
        { p_worker: 'process-outbox:victim', p_holds: [{ id, error: 'x', delay_seconds: 86400 }] },
      ],
    ] as const) {
      const { data, error } = await owner.client.rpc(fn, args);
      expect(error?.code, fn).toBe('42501');
      expect(data).toBeNull();
    }
    expect(await outboxRow(id)).toMatchObject({
      status: 'sending',
      attempts: 1,
      claimed_by: 'process-outbox:victim',
    });
    expect(await message(messageId!)).toMatchObject({ status: 'sending', error: null });
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
      ['fail_outbox_sends', { p_worker: 'evil', p_failures: [{ id, error: 'x', retryable: false }] }],
      ['hold_outbox_sends', { p_worker: 'evil', p_holds: [{ id, error: 'x' }] }],
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
