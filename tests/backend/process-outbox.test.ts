// The outbox end to end on the real local stack: messages queued through the real intake
// (/functions/v1/outbox), sent by the real process-outbox function through the Cloud API
// adapter to the simulator, whose signed webhooks come back through the real webhooks
// function. The simulator stands in for the paid provider and injects its failures.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { SendRecord, Simulator } from '../../supabase/local/simulator/server.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';
import { processOutboxOnce } from './outbox-steps.ts';

let backend: Backend;
let simulator: Simulator;
let owner: MintedUser;
let workspaceId: string;

const TO = '+4915112345678';
// Long enough that a loaded machine never times out a send the simulator accepted (a resend
// then would be the ambiguous double send Meta's API cannot prevent); the hang test hangs longer.
const TIMEOUT_MS = 2000;
const WEBHOOK_DELAYS = { sent: 50, delivered: 150, read: 300 };

beforeAll(async () => {
  // Read by process-outbox when the stack first calls it: a 1 s backoff base instead of 60.
  process.env.OUTBOX_BACKOFF_BASE_SECONDS = '1';
  process.env.PROVIDER_TIMEOUT_MS = String(TIMEOUT_MS);
  backend = await startBackend({ simulator: { delays: WEBHOOK_DELAYS } });
  simulator = backend.simulator!;
  owner = await backend.mintUser();
  const [row] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [owner.id],
  );
  workspaceId = row!.workspace_id;
});
afterAll(() => backend?.close());
beforeEach(() => simulator.reset());

async function createChannel(pacing: { rate?: number; minDelayMs?: number; maxDelayMs?: number } = {}) {
  const [row] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute, min_delay_ms, max_delay_ms)
     values ($1, 'Simulated', 'simulator', $2, $3, $4) returning id`,
    [workspaceId, pacing.rate ?? 6000, pacing.minDelayMs ?? 0, pacing.maxDelayMs ?? 0],
  );
  return row!.id;
}

/** Queues through the real intake function, as the app's compose box does. */
async function enqueue(channelId: string, bodies: string[]): Promise<string[]> {
  const commands = bodies.map((body) => ({ message_id: randomUUID(), channel_id: channelId, to: TO, body }));
  const { data, error } = await owner.client.functions.invoke('outbox', { body: { commands } });
  expect(error).toBeNull();
  expect((data as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(
    bodies.map(() => 'queued'),
  );
  return commands.map((c) => c.message_id);
}

const processOutbox = () => processOutboxOnce(backend);

/** Runs the processor until `done` holds, as the local timer would (bounded, not timed). */
async function processUntil(done: () => Promise<boolean>, maxRounds = 200): Promise<void> {
  for (let round = 0; round < maxRounds; round++) {
    await processOutbox();
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the outbox did not get there');
}

async function waitFor(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met');
}

async function message(id: string) {
  const [row] = await backend.db.query<{
    status: string;
    error: string | null;
    wa_message_id: string | null;
  }>('select status, error, wa_message_id from public.messages where id = $1', [id]);
  return row!;
}

async function sentTimes(ids: readonly string[]): Promise<(string | null)[]> {
  const rows = await backend.db.query<{ id: string; sent_at: string | null }>(
    'select id, sent_at::text from public.messages where id = any($1)',
    [ids],
  );
  return ids.map((id) => rows.find((r) => r.id === id)?.sent_at ?? null);
}

async function outbox(messageId: string) {
  const [row] = await backend.db.query<{ status: string; attempts: number; last_error: string | null }>(
    'select status, attempts, last_error from public.outbox_messages where message_id = $1',
    [messageId],
  );
  return row!;
}

const sendsOf = (channelId: string): SendRecord[] =>
  simulator.sends().filter((s) => s.phoneNumberId === channelId);

describe('sending', () => {
  test('queued messages are sent once each and go sent → delivered → read through webhooks', async () => {
    const channelId = await createChannel();
    const bodies = ['first', 'second', 'third'];
    const ids: string[] = [];
    for (const body of bodies) ids.push(...(await enqueue(channelId, [body])));

    const summary = await processOutbox();
    expect(summary).toMatchObject({ claimed: 3, sent: 3, retrying: 0, failed: 0 });
    // Each once, to the right message; arrival order is not promised (sends 10 ms apart overlap).
    const sends = sendsOf(channelId);
    const byBody = new Map(sends.map((s) => [s.body, s]));
    expect(sends).toHaveLength(3);
    for (const [i, id] of ids.entries()) {
      const sent = byBody.get(bodies[i]!);
      expect(sent).toMatchObject({ to: '4915112345678', outcome: 'accepted' });
      expect((await message(id)).wa_message_id).toBe(sent!.wamid);
      expect(await outbox(id)).toMatchObject({ status: 'sent', attempts: 1 });
    }
    // Stamped once, when sent: the later ticks leave it (the campaign chart plots it).
    const sentAt = await sentTimes(ids);
    expect(sentAt.every((at) => at !== null)).toBe(true);
    await waitFor(async () => (await Promise.all(ids.map(message))).every((m) => m.status === 'read'));
    expect(await sentTimes(ids)).toEqual(sentAt);
    // The simulator logs a webhook once its answer is in, a moment after the row changed.
    await waitFor(async () => simulator.webhooks().filter((w) => w.status === 'read').length >= 3);
    const statuses = simulator.webhooks().map((w) => [w.status, w.httpStatus]);
    expect(statuses.filter(([s]) => s === 'read')).toEqual([
      ['read', 200],
      ['read', 200],
      ['read', 200],
    ]);
    // Nothing is left to send.
    expect(await processOutbox()).toMatchObject({ claimed: 0 });
    expect(sendsOf(channelId)).toHaveLength(3);
  });
});

describe('provider failures', () => {
  test('a 5xx is retried with backoff 1, 2, 4 × the base until it goes through', async () => {
    const channelId = await createChannel();
    simulator.inject(...[503, 500, 502].map((status) => ({ kind: 'http' as const, status })));
    const [id] = await enqueue(channelId, ['flaky']);

    await processUntil(async () => (await message(id!)).status !== 'sending');
    const sends = sendsOf(channelId);
    expect(sends.map((s) => s.outcome)).toEqual(['http 503', 'http 500', 'http 502', 'accepted']);
    const gaps = sends.slice(1).map((s, i) => s.at - sends[i]!.at);
    // The backoff is a lower bound; the processor rounds (every 100 ms here) and a loaded
    // machine add to it, never as much as the next doubling.
    for (const [i, expected] of [1000, 2000, 4000].entries()) {
      expect(gaps[i]).toBeGreaterThanOrEqual(expected - 50);
      expect(gaps[i]).toBeLessThan(expected * 2);
    }
    expect(await message(id!)).toMatchObject({ status: 'sent', wa_message_id: sends[3]!.wamid });
    expect(await outbox(id!)).toMatchObject({ status: 'sent', attempts: 4 });
  });

  test('5 failed sends in total fail the message with the last reason', async () => {
    const channelId = await createChannel();
    simulator.inject(
      ...Array.from({ length: 5 }, () => ({ kind: 'http' as const, status: 503, message: 'down' })),
    );
    const [id] = await enqueue(channelId, ['doomed']);
    // Skips the backoff waits: this test is about the count, the one above about the schedule.
    await processUntil(async () => {
      await backend.db.query(
        `update public.outbox_messages set next_attempt_at = now() where message_id = $1 and status = 'queued'`,
        [id],
      );
      return (await message(id!)).status === 'failed';
    });
    expect(sendsOf(channelId).map((s) => s.outcome)).toEqual(Array(5).fill('http 503'));
    expect(await message(id!)).toMatchObject({ status: 'failed', error: 'down (code 1)' });
    expect(await outbox(id!)).toMatchObject({ status: 'failed', attempts: 5 });
  });

  test('a message whose processor crashes on every claim stops after 5 claims, failed', async () => {
    const channelId = await createChannel();
    const [id] = await enqueue(channelId, ['crashes its worker']);
    // Five processors each claim it and die: every expired lease is a send that may have gone.
    for (let claim = 1; claim <= 5; claim++) {
      const rows = await backend.db.query<{ message_id: string; attempts: number }>(
        `select message_id, attempts from public.claim_outbox($1, 10, 60) where channel_id = $2`,
        [`crashed-${claim}`, channelId],
      );
      expect(rows).toEqual([{ message_id: id, attempts: claim - 1 }]);
      await backend.db.query(
        `update public.outbox_messages set claimed_at = now() - interval '1 hour' where message_id = $1`,
        [id],
      );
    }
    expect(await processOutbox()).toMatchObject({ claimed: 0 });
    expect(await outbox(id!)).toMatchObject({ status: 'failed', attempts: 5 });
    expect(await message(id!)).toMatchObject({
      status: 'failed',
      error: 'no outcome after 5 send attempts: the processor sending it stopped responding',
    });
    expect(sendsOf(channelId)).toEqual([]);
  });

  test('a 429 pauses and degrades the channel until Retry-After, then sending resumes', async () => {
    const channelId = await createChannel();
    simulator.inject({ kind: 'http', status: 429, retryAfter: '2', message: 'Rate limit hit' });
    const [first] = await enqueue(channelId, ['throttled']);

    expect(await processOutbox()).toMatchObject({ claimed: 1, throttled: 1, sent: 0 });
    const [channel] = await backend.db.query<{ status: string; degraded_reason: string }>(
      'select status, degraded_reason from public.channels where id = $1',
      [channelId],
    );
    expect(channel).toEqual({ status: 'degraded', degraded_reason: 'Rate limit hit (code 130429)' });
    // A message queued during the pause waits too; the 429 cost no attempt.
    const [second] = await enqueue(channelId, ['during the pause']);
    expect(await processOutbox()).toMatchObject({ claimed: 0 });
    expect(await outbox(first!)).toMatchObject({ status: 'queued', attempts: 0 });

    await processUntil(async () => (await message(second!)).status !== 'queued');
    await processUntil(async () => (await message(first!)).status !== 'sending');
    const sends = sendsOf(channelId);
    expect(sends[0]).toMatchObject({ body: 'throttled', outcome: 'http 429' });
    // The requeued row is due at the end of the pause, the newer one was due at once.
    expect(sends.slice(1).map((s) => [s.body, s.outcome])).toEqual([
      ['during the pause', 'accepted'],
      ['throttled', 'accepted'],
    ]);
    for (const s of sends.slice(1)) expect(s.at - sends[0]!.at).toBeGreaterThanOrEqual(2000);
    const [healed] = await backend.db.query<Record<string, unknown>>(
      'select status, degraded_reason, paused_until from public.channels where id = $1',
      [channelId],
    );
    expect(healed).toEqual({ status: 'connected', degraded_reason: null, paused_until: null });
  });

  test("a 400 fails the message at once with the provider's reason", async () => {
    const channelId = await createChannel();
    simulator.inject({ kind: 'http', status: 400, message: 'Recipient phone number not in allowed list' });
    const [id] = await enqueue(channelId, ['refused']);

    expect(await processOutbox()).toMatchObject({ claimed: 1, failed: 1 });
    expect(await message(id!)).toMatchObject({
      status: 'failed',
      error: 'Recipient phone number not in allowed list (code 100)',
    });
    expect(await outbox(id!)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await processOutbox()).toMatchObject({ claimed: 0 });
    expect(sendsOf(channelId)).toHaveLength(1);
  });

  test('a send that hangs past the timeout is retried after the backoff', async () => {
    const channelId = await createChannel();
    simulator.inject({ kind: 'hang', ms: TIMEOUT_MS * 4 });
    const [id] = await enqueue(channelId, ['slow']);

    expect(await processOutbox()).toMatchObject({ claimed: 1, retrying: 1 });
    expect(await outbox(id!)).toMatchObject({
      status: 'queued',
      attempts: 1,
      last_error: `no answer from the provider within ${TIMEOUT_MS} ms`,
    });
    await processUntil(async () => (await message(id!)).status !== 'sending');
    const sends = sendsOf(channelId);
    expect(sends.map((s) => s.outcome)).toEqual(['hang', 'accepted']);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(TIMEOUT_MS + 1000);
    expect(await outbox(id!)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  test('a message the provider accepts but cannot deliver fails with its reason, by webhook', async () => {
    const channelId = await createChannel();
    simulator.inject({ kind: 'undeliverable' });
    const [id] = await enqueue(channelId, ['nobody there']);

    expect(await processOutbox()).toMatchObject({ sent: 1 });
    await waitFor(async () => (await message(id!)).status === 'failed');
    expect((await message(id!)).error).toBe('The recipient is not a WhatsApp user (code 131026)');
  });
});

describe('pacing', () => {
  test('each channel keeps its own spacing, even with two processors at once', async () => {
    // 120 a minute = 500 ms apart, and a random 600 to 900 ms pause, which is longer.
    const paused = await createChannel({ rate: 120, minDelayMs: 600, maxDelayMs: 900 });
    // 300 a minute = 200 ms apart.
    const rated = await createChannel({ rate: 300 });
    await enqueue(paused, ['p1', 'p2', 'p3', 'p4', 'p5']);
    await enqueue(rated, ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8']);

    // No webhooks meanwhile: their database work would only add jitter to the sends.
    simulator.configure({ delays: { sent: null, delivered: null, read: null } });
    try {
      await Promise.all([processOutbox(), processOutbox()]);
    } finally {
      simulator.configure({ delays: WEBHOOK_DELAYS });
    }

    // Slots are spaced exactly; arrival adds jitter (PGlite shares the event loop with both
    // processors and the simulator), which can shorten one gap by delaying the send before it.
    const JITTER_MS = 100;
    const spacing = (channelId: string, count: number, least: number) => {
      const sends = sendsOf(channelId);
      expect(sends.map((s) => s.outcome)).toEqual(Array(count).fill('accepted'));
      const gaps = sends.slice(1).map((s, i) => s.at - sends[i]!.at);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(least - JITTER_MS);
      const mean = (sends.at(-1)!.at - sends[0]!.at) / gaps.length;
      expect(mean).toBeGreaterThanOrEqual(least - JITTER_MS / gaps.length);
      return gaps;
    };
    // The random pause stays under its maximum; a loaded machine can add up to a second.
    for (const gap of spacing(paused, 5, 600)) expect(gap).toBeLessThan(900 + 1000);
    spacing(rated, 8, 200);
  });

  test('a disconnected channel is not sent from, and a paused outbox row is left alone', async () => {
    const disconnected = await createChannel();
    await backend.db.query(`update public.channels set status = 'disconnected' where id = $1`, [
      disconnected,
    ]);
    const [waiting] = await enqueue(disconnected, ['not now']);
    const open = await createChannel();
    const [held] = await enqueue(open, ['held by a campaign']);
    await backend.db.query(`update public.outbox_messages set status = 'paused' where message_id = $1`, [
      held,
    ]);

    expect(await processOutbox()).toMatchObject({ claimed: 0 });
    expect(await outbox(waiting!)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await outbox(held!)).toMatchObject({ status: 'paused', attempts: 0 });
    expect(simulator.sends()).toEqual([]);
    // Reconnected: it goes.
    await backend.db.query(`update public.channels set status = 'connected' where id = $1`, [disconnected]);
    expect(await processOutbox()).toMatchObject({ claimed: 1, sent: 1 });
  });
});

describe('who may run it', () => {
  test('only the service_role key', async () => {
    for (const token of [owner.accessToken, backend.config.anonKey]) {
      const res = await fetch(`${backend.url}/functions/v1/process-outbox`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(401);
    }
  });
});
