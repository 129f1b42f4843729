// What each provider error does to the outbox, end to end: messages queued through the real
// intake on Meta and Whapi channels, sent by the real process-outbox through the adapters to
// the simulator, which answers with the provider's own errors. Each outcome as documented in
// the README (provider adapters): fail with the reason, retry, pause the channel, defer one
// recipient, degrade, or disconnect and hold the queue until a reconnect.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Simulator } from '../../supabase/local/simulator/server.ts';
import {
  type ConnectedChannel,
  callFunction,
  connectMeta,
  connectWhapi,
  until,
  workspaceOf,
} from './channel-steps.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';
import { processOutboxOnce } from './outbox-steps.ts';

let backend: Backend;
let simulator: Simulator;
let owner: MintedUser;
let workspaceId: string;

beforeAll(async () => {
  process.env.OUTBOX_BACKOFF_BASE_SECONDS = '1';
  process.env.PROVIDER_TIMEOUT_MS = '2000';
  backend = await startBackend({ simulator: { delays: { sent: 20, delivered: null, read: null } } });
  simulator = backend.simulator!;
  owner = await backend.mintUser();
  workspaceId = await workspaceOf(backend, owner);
});
afterAll(async () => {
  await backend?.close();
  delete process.env.OUTBOX_BACKOFF_BASE_SECONDS;
  delete process.env.PROVIDER_TIMEOUT_MS;
});
beforeEach(() => simulator.reset());

async function fastChannel(connect: typeof connectMeta | typeof connectWhapi): Promise<ConnectedChannel> {
  const channel = await connect(backend, owner, workspaceId);
  const { error } = await owner.client
    .from('channels')
    .update({ rate_per_minute: 6000 })
    .eq('id', channel.id);
  expect(error).toBeNull();
  return channel;
}

/**
 * The intake takes free text on a Meta channel only within 24 hours of the customer's last
 * message (20261205150200): these sends test what Meta answers, so Pigeon's record says each
 * recipient wrote (Meta's own view of the window may still differ: 131047).
 */
async function openWindow(channelId: string, to: string) {
  await backend.db.query(
    `insert into public.chats (id, workspace_id, channel_id, wa_chat_id, last_inbound_at)
     select private.chat_id(c.id, private.wa_chat_id($2)), c.workspace_id, c.id, private.wa_chat_id($2), now()
     from public.channels c where c.id = $1 and c.provider = 'meta'
     on conflict (id) do update set last_inbound_at = now()`,
    [channelId, to],
  );
}

async function enqueue(channelId: string, messages: { to: string; body: string }[]): Promise<string[]> {
  for (const m of messages) await openWindow(channelId, m.to);
  const commands = messages.map((m) => ({ message_id: randomUUID(), channel_id: channelId, ...m }));
  const { data, error } = await owner.client.functions.invoke('outbox', { body: { commands } });
  expect(error).toBeNull();
  expect((data as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(
    messages.map(() => 'queued'),
  );
  return commands.map((c) => c.message_id);
}

const processOutbox = () => processOutboxOnce(backend);

async function state(messageId: string) {
  const [row] = await backend.db.query<{
    status: string;
    error: string | null;
    outbox: string;
    attempts: number;
    next_attempt_at: Date;
  }>(
    `select m.status, m.error, o.status as outbox, o.attempts, o.next_attempt_at
     from public.messages m join public.outbox_messages o on o.message_id = m.id where m.id = $1`,
    [messageId],
  );
  return row!;
}

async function channelRow(id: string) {
  const [row] = await backend.db.query<{
    status: string;
    last_error: string | null;
    paused_until: Date | null;
    degraded_reason: string | null;
  }>('select status, last_error, paused_until, degraded_reason from public.channels where id = $1', [id]);
  return row!;
}

const A = '+4915112345678';
const B = '+4915187654321';

describe('Meta Cloud API', () => {
  let meta: ConnectedChannel;
  beforeAll(async () => {
    meta = await fastChannel(connectMeta);
  });

  test('131047 (outside the 24-hour window) fails the message: send an approved template', async () => {
    simulator.inject({ kind: 'http', status: 400, code: 131047, number: meta.numberId });
    const [id] = await enqueue(meta.id, [{ to: A, body: 'Are you there?' }]);
    expect(await processOutbox()).toMatchObject({ failed: 1 });
    expect(await state(id!)).toMatchObject({
      status: 'failed',
      outbox: 'failed',
      error: expect.stringMatching(/send an approved template instead.*code 131047/),
    });
  });

  test('outside the window as Meta reports it, by webhook: the message fails with the same advice', async () => {
    const strict = await connectMeta(backend, owner, workspaceId, { enforceWindow: true });
    const [id] = await enqueue(strict.id, [{ to: A, body: 'Hello again' }]);
    expect(await processOutbox()).toMatchObject({ sent: 1 });
    const failed = await until(
      () => state(id!),
      (s) => s.status === 'failed',
    );
    expect(failed.error).toMatch(/send an approved template instead.*code 131047/);
  });

  test.each([
    [131026, 'Message undeliverable'],
    [131051, 'Unsupported message type'],
    [100, 'Invalid parameter'],
  ])("%i fails the message with the provider's reason", async (code, title) => {
    simulator.inject({ kind: 'http', status: 400, code, number: meta.numberId });
    const [id] = await enqueue(meta.id, [{ to: A, body: `code ${code}` }]);
    expect(await processOutbox()).toMatchObject({ failed: 1 });
    expect(await state(id!)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining(`${title}: ${title} (code ${code})`),
    });
  });

  test('130429 (throughput) pauses the channel until Retry-After, no attempt spent, then it goes', async () => {
    simulator.inject({ kind: 'http', status: 400, code: 130429, retryAfter: '1', number: meta.numberId });
    const [id] = await enqueue(meta.id, [{ to: A, body: 'throughput' }]);
    expect(await processOutbox()).toMatchObject({ throttled: 1 });
    expect(await state(id!)).toMatchObject({ outbox: 'queued', attempts: 0 });
    expect((await channelRow(meta.id)).status).toBe('degraded');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await processOutbox()).toMatchObject({ sent: 1 });
    expect(await channelRow(meta.id)).toMatchObject({ status: 'connected', paused_until: null });
  });

  test("131056 (pair rate limit) holds that recipient only: the other recipient's message goes at once", async () => {
    simulator.inject({ kind: 'http', status: 400, code: 131056, retryAfter: '1', number: meta.numberId });
    const [toA] = await enqueue(meta.id, [{ to: A, body: 'pair A' }]);
    const [toB] = await enqueue(meta.id, [{ to: B, body: 'pair B' }]);
    expect(await processOutbox()).toMatchObject({ deferred: 1, sent: 1, throttled: 0 });
    expect(await state(toA!)).toMatchObject({ outbox: 'queued', attempts: 0 });
    expect(await state(toB!)).toMatchObject({ outbox: 'sent' });
    expect((await channelRow(meta.id)).status).toBe('connected');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await processOutbox()).toMatchObject({ sent: 1 });
    expect(
      simulator
        .accepted()
        .map((s) => s.body)
        .sort(),
    ).toEqual(['pair A', 'pair B']);
  });

  test('131048 (spam rate limit) degrades and pauses the channel, tells the owner, fails nothing', async () => {
    const spam = await fastChannel(connectMeta);
    simulator.inject({ kind: 'http', status: 400, code: 131048, number: spam.numberId });
    const [id] = await enqueue(spam.id, [{ to: A, body: 'spam limited' }]);
    expect(await processOutbox()).toMatchObject({ degraded: 1, failed: 0 });
    const channel = await channelRow(spam.id);
    expect(channel).toMatchObject({
      status: 'degraded',
      last_error: expect.stringMatching(/Spam rate limit hit.*code 131048/),
    });
    expect(channel.paused_until!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(await state(id!)).toMatchObject({ outbox: 'queued', attempts: 0 });
    expect(await processOutbox()).toMatchObject({ claimed: 0 });
  });

  test('an expired token disconnects the channel and holds its queue; after a reconnect each message goes once', async () => {
    const expiring = await fastChannel(connectMeta);
    const ids = await enqueue(expiring.id, [
      { to: A, body: 'held 1' },
      { to: B, body: 'held 2' },
      { to: A, body: 'held 3' },
    ]);
    simulator.revokeToken(expiring.numberId);
    const first = await processOutbox();
    expect(first).toMatchObject({ sent: 0, failed: 0, retrying: 0 });
    // Sends already in flight meet the 401 too; those not yet sent are given back unsent.
    expect(first.disconnected).toBeGreaterThanOrEqual(1);
    expect(first.disconnected + first.released).toBe(3);
    expect(await channelRow(expiring.id)).toMatchObject({
      status: 'disconnected',
      last_error: expect.stringMatching(/code 190/),
    });
    for (const id of ids)
      expect(await state(id)).toMatchObject({ outbox: 'queued', attempts: 0, error: null });
    // Held: nothing is claimed while it is disconnected.
    expect(await processOutbox()).toMatchObject({ claimed: 0 });

    // The owner pastes a new token; the channel reconnects and its queue goes out.
    const token = simulator.rotateToken(expiring.numberId);
    const reconnect = await callFunction(backend, owner.accessToken, `channels/${expiring.id}/reconnect`, {
      body: { access_token: token },
    });
    expect([reconnect.status, reconnect.body.check]).toEqual([200, { ok: true }]);
    expect((await channelRow(expiring.id)).status).toBe('connected');
    expect(await processOutbox()).toMatchObject({ sent: 3 });
    const accepted = simulator.accepted().filter((s) => s.phoneNumberId === expiring.numberId);
    expect(accepted.map((s) => s.body).sort()).toEqual(['held 1', 'held 2', 'held 3']);
  });
});

describe('Whapi.cloud', () => {
  let whapi: ConnectedChannel;
  beforeAll(async () => {
    whapi = await fastChannel(connectWhapi);
  });

  test('a text goes out and its statuses come back on the Whapi webhook; its echo is not a second message', async () => {
    simulator.configure({ delays: { delivered: 40, read: 60 } });
    try {
      const [id] = await enqueue(whapi.id, [{ to: A, body: 'Hello from Whapi' }]);
      expect(await processOutbox()).toMatchObject({ sent: 1 });
      expect(simulator.accepted().map((s) => [s.format, s.to, s.body])).toEqual([
        ['whapi', A.slice(1), 'Hello from Whapi'],
      ]);
      await until(
        () => state(id!),
        (s) => s.status === 'read',
      );
      const rows = await backend.db.query('select 1 from public.messages where channel_id = $1', [whapi.id]);
      expect(rows).toHaveLength(1);
    } finally {
      simulator.configure({ delays: { delivered: null, read: null } });
    }
  });

  test("403 fails that message with Whapi's reason", async () => {
    simulator.inject({ kind: 'http', status: 403, number: whapi.numberId });
    const [id] = await enqueue(whapi.id, [{ to: A, body: 'forbidden' }]);
    expect(await processOutbox()).toMatchObject({ failed: 1 });
    expect((await state(id!)).error).toBe('It is forbidden to send to this group/recipient (code 403)');
  });

  test('429 pauses the channel until Retry-After; 5xx is retried after the backoff', async () => {
    simulator.inject(
      { kind: 'http', status: 429, retryAfter: '1', number: whapi.numberId },
      { kind: 'http', status: 503, number: whapi.numberId },
    );
    const [id] = await enqueue(whapi.id, [{ to: A, body: 'busy' }]);
    expect(await processOutbox()).toMatchObject({ throttled: 1 });
    expect(await state(id!)).toMatchObject({ outbox: 'queued', attempts: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await processOutbox()).toMatchObject({ retrying: 1 });
    expect(await state(id!)).toMatchObject({ outbox: 'queued', attempts: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await processOutbox()).toMatchObject({ sent: 1 });
  });

  test('402 (trial limit) degrades and pauses the channel', async () => {
    const limited = await fastChannel(connectWhapi);
    simulator.inject({ kind: 'http', status: 402, number: limited.numberId });
    const [id] = await enqueue(limited.id, [{ to: A, body: 'over the trial' }]);
    expect(await processOutbox()).toMatchObject({ degraded: 1 });
    expect(await channelRow(limited.id)).toMatchObject({
      status: 'degraded',
      last_error: 'Trial version limit exceeded (code 402)',
    });
    expect((await state(id!)).outbox).toBe('queued');
  });

  test('401 disconnects the channel and holds its queue until a reconnect', async () => {
    const expiring = await fastChannel(connectWhapi);
    const [id] = await enqueue(expiring.id, [{ to: A, body: 'after reconnect' }]);
    simulator.revokeToken(expiring.numberId);
    expect(await processOutbox()).toMatchObject({ disconnected: 1, failed: 0 });
    expect((await channelRow(expiring.id)).status).toBe('disconnected');
    const token = simulator.rotateToken(expiring.numberId);
    const reconnect = await callFunction(backend, owner.accessToken, `channels/${expiring.id}/reconnect`, {
      body: { api_token: token },
    });
    expect(reconnect.status).toBe(200);
    expect(await processOutbox()).toMatchObject({ sent: 1 });
    expect(await state(id!)).toMatchObject({ outbox: 'sent' });
  });
});
