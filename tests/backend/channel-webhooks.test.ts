// Webhooks of Meta and Whapi channels through /functions/v1/webhooks/<channel id>, delivered
// by the simulator in each provider's format: every message type, edits, revokes,
// reactions, the business's own messages, chats and the number's state, each applied once
// however often it is delivered; signatures and shared secrets checked before anything,
// with an unknown channel answered exactly as a bad signature.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signWebhook } from '../../supabase/functions/_shared/webhook-signature.ts';
import type { InboundSpec } from '../../supabase/local/simulator/inbound.ts';
import type { Simulator } from '../../supabase/local/simulator/server.ts';
import { messageWebhook } from '../../supabase/local/simulator/webhooks.ts';
import { type ConnectedChannel, connectMeta, connectWhapi, until, workspaceOf } from './channel-steps.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let simulator: Simulator;
let owner: MintedUser;
let meta: ConnectedChannel;
let whapi: ConnectedChannel;

const CUSTOMER = '4915112345678';

beforeAll(async () => {
  backend = await startBackend({ simulator: { delays: { sent: null, delivered: null, read: null } } });
  simulator = backend.simulator!;
  owner = await backend.mintUser();
  const workspaceId = await workspaceOf(backend, owner);
  meta = await connectMeta(backend, owner, workspaceId);
  whapi = await connectWhapi(backend, owner, workspaceId);
});
afterAll(() => backend?.close());

type MessageRow = {
  id: string;
  direction: string;
  kind: string;
  body: string;
  media_id: string | null;
  mime_type: string | null;
  file_name: string | null;
  details: Record<string, unknown> | null;
  edited_at: Date | null;
  revoked_at: Date | null;
  reaction: string | null;
  from_phone: boolean;
  status: string;
};

async function messageOf(channelId: string, waMessageId: string): Promise<MessageRow | undefined> {
  const [row] = await backend.db.query<MessageRow>(
    `select id, direction, kind, body, media_id, mime_type, file_name, details, edited_at, revoked_at, reaction,
            from_phone, status
     from public.messages where channel_id = $1 and wa_message_id = $2`,
    [channelId, waMessageId],
  );
  return row;
}

async function deliver(channel: ConnectedChannel, spec: InboundSpec) {
  const result = await simulator.inbound(channel.numberId, spec);
  expect(result.httpStatus).toBe(200);
  return result;
}

async function chat(channelId: string) {
  const [row] = await backend.db.query<{
    name: string | null;
    picture_url: string | null;
    last_inbound_at: Date | null;
  }>(
    `select name, picture_url, last_inbound_at from public.chats where channel_id = $1 and wa_chat_id = $2`,
    [channelId, `${CUSTOMER}@s.whatsapp.net`],
  );
  return row;
}

describe.each([
  ['Meta', () => meta],
  ['Whapi', () => whapi],
])('%s: every message type', (_, channelOf) => {
  test.each([
    [
      { type: 'text', body: 'Hi there' },
      { kind: 'text', body: 'Hi there' },
    ],
    [
      { type: 'image', caption: 'The broken part' },
      { kind: 'image', body: 'The broken part', mime_type: 'image/png' },
    ],
    [
      { type: 'video', caption: 'Unboxing' },
      { kind: 'video', body: 'Unboxing', mime_type: 'video/mp4' },
    ],
    [{ type: 'audio' }, { kind: 'audio', body: '', mime_type: 'audio/ogg' }],
    [
      { type: 'document', caption: 'Invoice', file_name: 'invoice.pdf' },
      { kind: 'document', body: 'Invoice', mime_type: 'application/pdf', file_name: 'invoice.pdf' },
    ],
    [{ type: 'sticker' }, { kind: 'sticker', body: '', mime_type: 'image/webp' }],
    [
      { type: 'location', latitude: 52.52, longitude: 13.405, place: 'Office', address: 'Berlin' },
      {
        kind: 'location',
        body: '',
        details: { latitude: 52.52, longitude: 13.405, name: 'Office', address: 'Berlin' },
      },
    ],
    [
      { type: 'interactive', reply_id: 'yes-1', title: 'Yes please' },
      { kind: 'interactive', body: 'Yes please', details: { reply_id: 'yes-1' } },
    ],
  ] as [Record<string, unknown>, Partial<MessageRow>][])(
    '%j is stored once as %j',
    async (spec, expected) => {
      const channel = channelOf();
      const sent = await deliver(channel, { from: CUSTOMER, ...spec } as InboundSpec);
      const row = await messageOf(channel.id, sent.id);
      expect(row).toMatchObject({ direction: 'in', status: 'delivered', from_phone: false, ...expected });
      if (sent.media_id) expect(row!.media_id).toBe(sent.media_id);
      expect((await chat(channel.id))?.last_inbound_at).not.toBeNull();
    },
  );

  test('contact cards', async () => {
    const channel = channelOf();
    const sent = await deliver(channel, {
      type: 'contacts',
      from: CUSTOMER,
      contacts: [{ name: 'Grace Hopper', phone: '+14155550102' }],
    });
    const row = await messageOf(channel.id, sent.id);
    expect(row).toMatchObject({ kind: 'contacts', body: '' });
    expect(JSON.stringify(row!.details)).toContain('Grace Hopper');
  });

  test('an edit replaces the text and marks it; a revoke deletes it for everyone; a reaction lands on its message', async () => {
    const channel = channelOf();
    const original = await deliver(channel, { type: 'text', from: CUSTOMER, body: 'See you at 5' });
    await deliver(channel, { type: 'edit', from: CUSTOMER, message_id: original.id, body: 'See you at 6' });
    const edited = await messageOf(channel.id, original.id);
    expect(edited).toMatchObject({ body: 'See you at 6' });
    expect(edited!.edited_at).not.toBeNull();

    await deliver(channel, { type: 'reaction', from: CUSTOMER, message_id: original.id, emoji: '👍' });
    expect((await messageOf(channel.id, original.id))!.reaction).toBe('👍');
    await deliver(channel, { type: 'reaction', from: CUSTOMER, message_id: original.id, emoji: '' });
    expect((await messageOf(channel.id, original.id))!.reaction).toBeNull();

    const photo = await deliver(channel, { type: 'image', from: CUSTOMER, caption: 'oops' });
    await deliver(channel, { type: 'revoke', from: CUSTOMER, message_id: photo.id });
    const revoked = await messageOf(channel.id, photo.id);
    expect(revoked).toMatchObject({ kind: 'image', body: '', media_id: null, mime_type: null });
    expect(revoked!.revoked_at).not.toBeNull();
    // An edit of a deleted message changes nothing; a change about an unknown message is counted.
    const late = await simulator.inbound(channel.numberId, {
      type: 'edit',
      from: CUSTOMER,
      message_id: photo.id,
      body: 'back',
    });
    expect(late.httpStatus).toBe(200);
    expect((await messageOf(channel.id, photo.id))!.body).toBe('');
    const [counted] = await backend.db.query<{ count: string }>(
      `select count from private.webhook_ignored_events where channel_id = $1 and label = 'edit:no-such-message'`,
      [channel.id],
    );
    expect(Number(counted!.count)).toBeGreaterThanOrEqual(1);
  });

  test('each event is applied once, however often it is delivered', async () => {
    const channel = channelOf();
    simulator.configure({ duplicateWebhooks: true });
    try {
      const sent = await deliver(channel, { type: 'text', from: CUSTOMER, body: 'twice delivered' });
      const rows = await backend.db.query(
        'select 1 from public.messages where channel_id = $1 and wa_message_id = $2',
        [channel.id, sent.id],
      );
      expect(rows).toHaveLength(1);
    } finally {
      simulator.configure({ duplicateWebhooks: false });
    }
  });
});

describe('Meta specifics', () => {
  test("a template's quick-reply button, and the customer's profile name as the chat's name", async () => {
    const sent = await deliver(meta, {
      type: 'button',
      from: CUSTOMER,
      text: 'Stop promotions',
      payload: 'STOP_PROMOS',
    });
    expect(await messageOf(meta.id, sent.id)).toMatchObject({
      kind: 'button',
      body: 'Stop promotions',
      details: { payload: 'STOP_PROMOS' },
    });
    expect((await chat(meta.id))?.name).toBe(`Simulated ${CUSTOMER}`);
  });

  test('account and quality updates reach the channel; unknown fields are acknowledged and counted', async () => {
    await deliver(meta, { type: 'channel', quality: 'FLAGGED' });
    const [flagged] = await backend.db.query<{ quality_rating: string }>(
      'select quality_rating from public.channels where id = $1',
      [meta.id],
    );
    expect(flagged!.quality_rating).toBe('RED');
    await deliver(meta, { type: 'channel', status: 'disconnected' });
    const [down] = await backend.db.query<{ status: string; last_error: string }>(
      'select status, last_error from public.channels where id = $1',
      [meta.id],
    );
    expect(down).toEqual({
      status: 'disconnected',
      last_error: 'Meta reported DISABLED_UPDATE for the number',
    });
    await deliver(meta, { type: 'channel', status: 'connected' });
    const [up] = await backend.db.query<{ status: string }>(
      'select status from public.channels where id = $1',
      [meta.id],
    );
    expect(up!.status).toBe('connected');

    const number = simulator.number(meta.numberId);
    const unknown = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: number.wabaId,
          changes: [
            { field: 'business_capability_update', value: { max_daily_conversation_per_phone: 1000 } },
          ],
        },
      ],
    };
    const raw = JSON.stringify(unknown);
    const res = await fetch(`${backend.url}/functions/v1/webhooks/${meta.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': await signWebhook(number.appSecret, raw),
      },
      body: raw,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ignored: 1 });
    const [counted] = await backend.db.query<{ count: string }>(
      `select count from private.webhook_ignored_events where channel_id = $1 and label = 'field:business_capability_update'`,
      [meta.id],
    );
    expect(Number(counted!.count)).toBe(1);
  });

  test('signatures: valid, missing, forged, replayed with a different body, signed for another channel; unknown channel alike', async () => {
    const number = simulator.number(meta.numberId);
    const hook = messageWebhook({ displayPhoneNumber: number.displayPhoneNumber }, meta.numberId, {
      from: CUSTOMER,
      id: `wamid.${randomUUID()}`,
      type: 'text',
      text: { body: 'signed' },
    });
    const raw = JSON.stringify(hook);
    const other = raw.replace('signed', 'forged');
    const post = (body: string, signature: string | null, channel = meta.id) =>
      fetch(`${backend.url}/functions/v1/webhooks/${channel}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'x-hub-signature-256': signature } : {}),
        },
        body,
      });
    const good = await signWebhook(number.appSecret, raw);
    const refusals = [
      await post(raw, null),
      await post(raw, await signWebhook('not-the-app-secret', raw)),
      await post(other, good),
      // The stack's simulator secret signs simulator channels, not this one.
      await post(raw, await signWebhook(process.env.SIMULATOR_APP_SECRET!, raw)),
      await post(raw, good, randomUUID()),
    ];
    const answers = await Promise.all(refusals.map(async (r) => [r.status, await r.text()]));
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(
      new Set([JSON.stringify([401, '{"error":"missing or invalid signature"}'])]),
    );
    const rows = await backend.db.query(
      `select 1 from public.messages where channel_id = $1 and body in ('signed', 'forged')`,
      [meta.id],
    );
    expect(rows).toEqual([]);
    expect((await post(raw, good)).status).toBe(200);
    expect(await messageOf(meta.id, hook.entry[0]!.changes[0]!.value.messages![0]!.id)).toMatchObject({
      body: 'signed',
    });
  });

  test('the GET handshake answers with the channel verify token only, and alike for an unknown channel', async () => {
    const webhook = meta.answer.body.webhook as { verify_token: string };
    const url = (token: string, channel = meta.id) =>
      `${backend.url}/functions/v1/webhooks/${channel}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=8731`;
    const ok = await fetch(url(webhook.verify_token));
    expect([ok.status, await ok.text()]).toEqual([200, '8731']);
    const wrong = await fetch(url(process.env.SIMULATOR_VERIFY_TOKEN!));
    const unknown = await fetch(url(webhook.verify_token, randomUUID()));
    expect([wrong.status, await wrong.text()]).toEqual([unknown.status, await unknown.text()]);
    expect(wrong.status).toBe(403);
  });
});

describe('Whapi specifics', () => {
  test("the business's own message typed on the phone is stored as outbound, never as the customer's", async () => {
    const sent = await deliver(whapi, { type: 'from_me', to: CUSTOMER, body: 'Typed on the phone' });
    expect(await messageOf(whapi.id, sent.id)).toMatchObject({
      direction: 'out',
      from_phone: true,
      status: 'sent',
      body: 'Typed on the phone',
    });
  });

  test("a chat's name and picture, and the session's state", async () => {
    await deliver(whapi, {
      type: 'chat',
      peer: CUSTOMER,
      name: 'Ada L.',
      picture_url: 'https://pps.example/ada.jpg',
    });
    expect(await chat(whapi.id)).toMatchObject({
      name: 'Ada L.',
      picture_url: 'https://pps.example/ada.jpg',
    });
    await deliver(whapi, { type: 'channel', status: 'disconnected' });
    const [down] = await backend.db.query<{ status: string; last_error: string }>(
      'select status, last_error from public.channels where id = $1',
      [whapi.id],
    );
    expect(down!.status).toBe('disconnected');
    expect(down!.last_error).toMatch(/session of the Whapi channel is QR/);
    await deliver(whapi, { type: 'channel', status: 'connected' });
    await until(
      async () =>
        (
          await backend.db.query<{ status: string }>('select status from public.channels where id = $1', [
            whapi.id,
          ])
        )[0]!.status,
      (s) => s === 'connected',
    );
  });

  test('the shared secret: missing or wrong is refused as an unknown channel is', async () => {
    const body = JSON.stringify({
      messages: [
        {
          id: 'X1',
          type: 'text',
          chat_id: `${CUSTOMER}@s.whatsapp.net`,
          from_me: false,
          from: CUSTOMER,
          timestamp: 1,
          text: { body: 'sneaky' },
        },
      ],
      event: { type: 'messages', event: 'post' },
    });
    const post = (headers: Record<string, string>, channel = whapi.id) =>
      fetch(`${backend.url}/functions/v1/webhooks/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const secret = simulator.number(whapi.numberId).webhook!.headers['x-pigeon-webhook-secret']!;
    const answers = await Promise.all(
      [
        await post({}),
        await post({
          'x-pigeon-webhook-secret': `${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`,
        }),
        await post({ 'x-pigeon-webhook-secret': secret }, randomUUID()),
      ].map(async (r) => `${r.status} ${await r.text()}`),
    );
    expect(new Set(answers)).toEqual(new Set(['401 {"error":"missing or invalid signature"}']));
    expect(await messageOf(whapi.id, 'X1')).toBeUndefined();
    expect((await post({ 'x-pigeon-webhook-secret': secret })).status).toBe(200);
    expect(await messageOf(whapi.id, 'X1')).toMatchObject({ body: 'sneaky' });
  });
});
