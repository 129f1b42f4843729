// /functions/v1/webhooks/<channel_id> on the real local stack: the handshake, signature
// checks, forward-only status events and idempotent inbound messages. Real messages are
// sent first (intake → process-outbox → simulator), so events name real wamids.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { signWebhook } from '../../supabase/functions/_shared/webhook-signature.ts';
import { runOutbox } from '../../supabase/local/outbox-run.ts';
import type { Simulator } from '../../supabase/local/simulator/server.ts';
import { replyWebhook, statusWebhook, type WebhookTarget } from '../../supabase/local/simulator/webhooks.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let simulator: Simulator;
let owner: MintedUser;
let workspaceId: string;
let channelId: string;
let target: WebhookTarget;

const TO = '+4915112345678';
const REPORT_DELAYS = { sent: 20, delivered: 60, read: 100 };

beforeAll(async () => {
  backend = await startBackend({ simulator: { delays: REPORT_DELAYS } });
  simulator = backend.simulator!;
  owner = await backend.mintUser();
  const [row] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [owner.id],
  );
  workspaceId = row!.workspace_id;
  const [channel] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute)
     values ($1, 'Simulated', 'simulator', 6000) returning id`,
    [workspaceId],
  );
  channelId = channel!.id;
  target = {
    url: `${backend.url}/functions/v1/webhooks`,
    appSecret: process.env.SIMULATOR_APP_SECRET!,
    displayPhoneNumber: '15550000000',
  };
});
afterAll(() => backend?.close());

async function waitFor(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met');
}

/** Sends one message for real and waits until the simulator's reports brought it to `status`. */
async function sendOne(body: string, status = 'read'): Promise<{ id: string; wamid: string }> {
  const id = randomUUID();
  const { error } = await owner.client.functions.invoke('outbox', {
    body: { commands: [{ message_id: id, channel_id: channelId, to: TO, body }] },
  });
  expect(error).toBeNull();
  expect((await runOutbox(backend.url, backend.config.serviceRoleKey)).summary).toMatchObject({ sent: 1 });
  await waitFor(async () => (await message(id)).status === status);
  return { id, wamid: (await message(id)).wa_message_id! };
}

async function message(id: string) {
  const [row] = await backend.db.query<{
    status: string;
    error: string | null;
    wa_message_id: string | null;
  }>('select status, error, wa_message_id from public.messages where id = $1', [id]);
  return row!;
}

async function inbound() {
  return backend.db.query<{ body: string; contact_id: string | null; chat_id: string; created_at: Date }>(
    `select body, contact_id, chat_id, created_at from public.messages
     where channel_id = $1 and direction = 'in' order by created_at`,
    [channelId],
  );
}

async function post(raw: string, signature: string | null, channel = channelId): Promise<Response> {
  return fetch(`${backend.url}/functions/v1/webhooks/${channel}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'x-hub-signature-256': signature } : {}),
    },
    body: raw,
  });
}

async function postSigned(payload: unknown, channel = channelId): Promise<Response> {
  const raw = JSON.stringify(payload);
  return post(raw, await signWebhook(target.appSecret, raw), channel);
}

const status = (wamid: string, name: string) =>
  statusWebhook(target, channelId, { id: wamid, status: name, recipient_id: TO.slice(1) });

describe('handshake', () => {
  test('answers the challenge to the right verify token only', async () => {
    const url = (token: string, channel = channelId) =>
      `${backend.url}/functions/v1/webhooks/${channel}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`;
    const ok = await fetch(url(process.env.SIMULATOR_VERIFY_TOKEN!));
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    const wrong = await fetch(url('wrong'));
    // An unknown channel is answered exactly as a wrong token: the endpoint tells no channel ids.
    const unknown = await fetch(url(process.env.SIMULATOR_VERIFY_TOKEN!, randomUUID()));
    expect([wrong.status, await wrong.text()]).toEqual([403, await unknown.text()]);
    expect(unknown.status).toBe(403);
  });
});

/** Sends with the simulator's own reports off, so the message stays 'sent' for the test to move. */
async function sendQuietly(body: string) {
  simulator.configure({ delays: { sent: null, delivered: null, read: null } });
  try {
    return await sendOne(body, 'sent');
  } finally {
    simulator.configure({ delays: REPORT_DELAYS });
  }
}

/** One delivery that would change things: a read receipt and an inbound message. */
function readAndReply(wamid: string, replyBody: string) {
  const hook = replyWebhook(target, channelId, {
    id: `wamid.${randomUUID()}`,
    from: TO.slice(1),
    body: replyBody,
  });
  hook.entry[0]!.changes[0]!.value.statuses = status(wamid, 'read').entry[0]!.changes[0]!.value.statuses!;
  return hook;
}

describe('signatures', () => {
  test('a missing, forged or mismatched signature is refused with 401 and changes nothing', async () => {
    const { id, wamid } = await sendQuietly('guarded');
    const raw = JSON.stringify(readAndReply(wamid, 'forged'));
    const forged = await signWebhook('not the app secret', raw);
    const ofOtherBody = await signWebhook(target.appSecret, `${raw} `);
    for (const signature of [null, forged, ofOtherBody, 'sha256=zz', forged.replace('sha256=', 'sha1=')]) {
      expect((await post(raw, signature)).status, String(signature)).toBe(401);
    }
    expect(await message(id)).toMatchObject({ status: 'sent' });
    expect((await inbound()).filter((m) => m.body === 'forged')).toEqual([]);

    // The same body signed with the app secret goes through.
    expect((await post(raw, await signWebhook(target.appSecret, raw))).status).toBe(200);
    expect(await message(id)).toMatchObject({ status: 'read' });
    expect((await inbound()).filter((m) => m.body === 'forged')).toHaveLength(1);
  });
});

describe('status events', () => {
  test('move a message forward only: stale events are skipped quietly, unknown ones held', async () => {
    const { id, wamid } = await sendOne('ticks');
    for (const name of ['delivered', 'sent']) {
      const res = await postSigned(status(wamid, name));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ statuses_applied: 0, statuses_skipped: 1, statuses_held: 0 });
    }
    const unknown = await postSigned(status('wamid.nobody-sent-this', 'read'));
    expect(await unknown.json()).toMatchObject({
      statuses_applied: 0,
      statuses_skipped: 0,
      statuses_held: 1,
    });
    expect(await message(id)).toMatchObject({ status: 'read', error: null });
  });

  test('events that arrive before the send is completed are applied when its wamid is stored', async () => {
    const id = randomUUID();
    const { error } = await owner.client.functions.invoke('outbox', {
      body: { commands: [{ message_id: id, channel_id: channelId, to: TO, body: 'early receipts' }] },
    });
    expect(error).toBeNull();
    const claimed = await backend.db.query<{ outbox_id: string; message_id: string }>(
      "select outbox_id, message_id from public.claim_outbox('early-worker')",
    );
    const row = claimed.find((c) => c.message_id === id)!;
    expect(row).toBeDefined();

    // The provider reports delivered and read before the processor has recorded the send,
    // and one report twice.
    const wamid = `wamid.early-${randomUUID()}`;
    for (const name of ['delivered', 'read', 'read']) {
      const res = await postSigned(status(wamid, name));
      expect(await res.json()).toMatchObject({ statuses_applied: 0, statuses_held: 1 });
    }
    expect((await message(id)).status).toBe('sending');

    const [done] = await backend.db.query<{ ok: boolean }>(
      "select public.complete_outbox($1, 'early-worker', $2) as ok",
      [row.outbox_id, wamid],
    );
    expect(done!.ok).toBe(true);
    expect(await message(id)).toMatchObject({ status: 'read', wa_message_id: wamid, error: null });
    const held = await backend.db.query('select 1 from private.held_status_events where wa_message_id = $1', [
      wamid,
    ]);
    expect(held).toEqual([]);

    // A late repeat now finds the message and, being stale, changes nothing.
    const again = await postSigned(status(wamid, 'delivered'));
    expect(await again.json()).toMatchObject({ statuses_applied: 0, statuses_skipped: 1, statuses_held: 0 });
    expect((await message(id)).status).toBe('read');
  });

  test('held events are private: no client can read or write them', async () => {
    for (const client of [owner.client, backend.anon()]) {
      const { error } = await client
        .schema('private' as 'public')
        .from('held_status_events')
        .select('*');
      expect(error).not.toBeNull();
    }
    const [grants] = await backend.db.query<{ n: number }>(
      `select count(*)::int as n from information_schema.role_table_grants
       where table_schema = 'private' and table_name = 'held_status_events'
         and grantee in ('anon', 'authenticated', 'public')`,
    );
    expect(grants!.n).toBe(0);
  });

  test('events addressed to another phone number are ignored', async () => {
    const { id, wamid } = await sendOne('elsewhere', 'sent');
    const res = await postSigned(
      statusWebhook(target, 'another-number', { id: wamid, status: 'failed', recipient_id: '1' }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ignored: 1, statuses_applied: 0 });
    expect((await message(id)).status).not.toBe('failed');
  });
});

describe('inbound messages', () => {
  test('a reply is stored once, linked to the contact and its chat, even when delivered twice', async () => {
    const [contact] = await backend.db.query<{ id: string }>(
      // Earlier replies from TO already made its contact (a stranger's message does, issue 14).
      `insert into public.contacts (id, workspace_id, phone, name) values ($1, $2, $3, 'Replier')
       on conflict (workspace_id, phone) do update set name = excluded.name returning id`,
      [contactId(workspaceId, TO), workspaceId, TO],
    );
    simulator.configure({ replyText: 'Thanks, got it!', duplicateWebhooks: true, delays: { reply: 50 } });
    try {
      await sendOne('please answer');
      await waitFor(async () => simulator.webhooks().filter((w) => w.kind === 'message').length === 2);
    } finally {
      simulator.configure({ replyText: null, duplicateWebhooks: false, delays: { reply: null } });
    }
    expect(
      simulator
        .webhooks()
        .filter((w) => w.kind === 'message')
        .map((w) => w.httpStatus),
    ).toEqual([200, 200]);
    const replies = (await inbound()).filter((m) => m.body === 'Thanks, got it!');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.contact_id).toBe(contact!.id);
    const [chat] = await backend.db.query<{ contact_id: string; last_message_at: Date; wa_chat_id: string }>(
      'select contact_id, last_message_at, wa_chat_id from public.chats where id = $1',
      [replies[0]!.chat_id],
    );
    expect(chat).toEqual({
      contact_id: contact!.id,
      last_message_at: replies[0]!.created_at,
      wa_chat_id: '4915112345678@s.whatsapp.net',
    });

    // The very same delivery once more, by hand: nothing new.
    const again = replyWebhook(target, channelId, { id: 'wamid.by-hand', from: TO.slice(1), body: 'once' });
    expect(await (await postSigned(again)).json()).toMatchObject({ messages_created: 1 });
    expect(await (await postSigned(again)).json()).toMatchObject({
      messages_created: 0,
      messages_duplicate: 1,
    });
    expect((await inbound()).filter((m) => m.body === 'once')).toHaveLength(1);
  });

  test('a malformed event is refused with 400 and nothing of its delivery is written', async () => {
    const { id, wamid } = await sendQuietly('half-way');
    const bad = readAndReply(wamid, 'x');
    bad.entry[0]!.changes[0]!.value.messages![0]!.from = 'not-a-number';
    const res = await postSigned(bad);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/event 2 \(a message\) needs .*a phone \(E\.164\)/);
    expect((await message(id)).status).toBe('sent');
    expect((await inbound()).filter((m) => m.body === 'x')).toEqual([]);

    const notJson = '{"object":';
    const refused = await post(notJson, await signWebhook(target.appSecret, notJson));
    expect([refused.status, (await refused.json()).error]).toEqual([400, 'the body is not valid JSON']);
    const wrongKind = await postSigned({ object: 'page', entry: [] });
    expect(wrongKind.status).toBe(400);
  });
});

describe('who may record events', () => {
  test('record_provider_events is closed to signed-in and anonymous clients', async () => {
    for (const client of [owner.client, backend.anon()]) {
      const { error } = await client.rpc('record_provider_events', {
        p_channel_id: channelId,
        p_statuses: [],
        p_messages: [{ id: 'wamid.sneaky', from: TO, body: 'sneaky' }],
      });
      expect(error?.code).toBe('42501');
    }
    expect((await inbound()).filter((m) => m.body === 'sneaky')).toEqual([]);
  });
});
