// Connecting real numbers through the channels function, against the simulator speaking
// each provider's wire format: Meta (credentials checked on the number and its WABA, the
// webhook verified with Pigeon's verify token) and Whapi (Pigeon registers its webhook);
// refused credentials named; owners and admins only; template sync and a template send.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runOutbox } from '../../supabase/local/outbox-run.ts';
import type { Simulator } from '../../supabase/local/simulator/server.ts';
import { callFunction, connectMeta, connectWhapi, until, workspaceOf } from './channel-steps.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let simulator: Simulator;
let owner: MintedUser;
let agent: MintedUser;
let workspaceId: string;

beforeAll(async () => {
  backend = await startBackend({ simulator: { delays: { sent: 20, delivered: 40, read: 60 } } });
  simulator = backend.simulator!;
  owner = await backend.mintUser();
  workspaceId = await workspaceOf(backend, owner);
  agent = await backend.mintUser();
  await backend.db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`,
    [workspaceId, agent.id],
  );
});
afterAll(() => backend?.close());

async function channel(id: string) {
  const [row] = await backend.db.query<Record<string, unknown>>(
    'select * from public.channels where id = $1',
    [id],
  );
  return row!;
}

describe('Meta Cloud API', () => {
  test('connect: the number is checked and connected; the answer carries the webhook setup and no credential', async () => {
    const meta = await connectMeta(backend, owner, workspaceId);
    const body = meta.answer.body as {
      channel: Record<string, unknown>;
      webhook: { callback_url: string; verify_token: string };
      check: { ok: boolean };
    };
    expect(body.check).toEqual({ ok: true });
    expect(body.webhook.callback_url).toBe(`${backend.url}/functions/v1/webhooks/${meta.id}`);
    expect(body.webhook.verify_token).toMatch(/^[0-9a-f]{64}$/);
    const text = JSON.stringify(meta.answer.body);
    for (const secret of [meta.credentials.access_token, meta.credentials.app_secret])
      expect(text).not.toContain(secret);

    const number = simulator.number(meta.numberId);
    expect(await channel(meta.id)).toMatchObject({
      provider: 'meta',
      status: 'connected',
      phone_number: `+${number.displayPhoneNumber}`,
      verified_name: number.verifiedName,
      quality_rating: 'GREEN',
      settings: { phone_number_id: meta.numberId, waba_id: number.wabaId },
      last_error: null,
    });
    // The simulator's "verify and save" performed the GET handshake with the verify token.
    expect(number.webhook?.url).toBe(body.webhook.callback_url);

    // The owner can show the setup again; the agent cannot.
    const again = await callFunction(backend, owner.accessToken, `channels/${meta.id}/webhook`, {
      method: 'GET',
    });
    expect([again.status, again.body.webhook]).toEqual([200, body.webhook]);
    expect(
      (await callFunction(backend, agent.accessToken, `channels/${meta.id}/webhook`, { method: 'GET' }))
        .status,
    ).toBe(404);
  });

  test.each([
    ['access_token', (c: Record<string, string>) => ({ ...c, access_token: 'EAAGnot-the-issued-token' })],
    ['app_secret', (c: Record<string, string>) => ({ ...c, app_secret: 'ffffffffffffffffffffffffffffffff' })],
    ['phone_number_id', (c: Record<string, string>) => ({ ...c, phone_number_id: '111111111111111' })],
    ['waba_id', (c: Record<string, string>) => ({ ...c, waba_id: '222222222222222' })],
  ])('a wrong %s is named, and the channel stays pending', async (field, wrong) => {
    const number = simulator.addNumber({ format: 'cloud' });
    const good = {
      phone_number_id: number.id,
      waba_id: number.wabaId,
      access_token: number.token,
      app_secret: number.appSecret,
    };
    const answer = await callFunction(backend, owner.accessToken, 'channels/connect', {
      body: { workspace_id: workspaceId, name: 'Wrong', provider: 'meta', ...wrong(good) },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.check).toMatchObject({ ok: false, field });
    expect((answer.body.check as { error: string }).error).toMatch(new RegExp(`^${field}: `));
    const row = await channel((answer.body.channel as { id: string }).id);
    expect(row).toMatchObject({
      status: 'pending',
      last_error: (answer.body.check as { error: string }).error,
    });
  });

  test('bad input is refused before anything is stored, naming the field', async () => {
    const answer = await callFunction(backend, owner.accessToken, 'channels/connect', {
      body: {
        workspace_id: workspaceId,
        name: 'x',
        provider: 'meta',
        phone_number_id: 'abc',
        waba_id: '1',
        access_token: 'short',
        app_secret: 'x',
      },
    });
    expect([answer.status, answer.body.field]).toEqual([400, 'phone_number_id']);
    const spaces = await callFunction(backend, owner.accessToken, 'channels/connect', {
      body: {
        workspace_id: workspaceId,
        name: 'x',
        provider: 'meta',
        phone_number_id: '123456789012345',
        waba_id: '123456789012345',
        access_token: 'EAAG with spaces inside it',
        app_secret: '0123456789abcdef0123456789abcdef',
      },
    });
    expect([spaces.status, spaces.body.field]).toEqual([400, 'access_token']);
    expect(JSON.stringify(spaces.body)).not.toContain('with spaces');
  });

  test('only owners and admins connect and manage channels', async () => {
    const number = simulator.addNumber({ format: 'cloud' });
    const denied = await callFunction(backend, agent.accessToken, 'channels/connect', {
      body: {
        workspace_id: workspaceId,
        name: 'Agent',
        provider: 'meta',
        phone_number_id: number.id,
        waba_id: number.wabaId,
        access_token: number.token,
        app_secret: number.appSecret,
      },
    });
    expect(denied.status).toBe(403);
    const meta = await connectMeta(backend, owner, workspaceId, { verifyWebhook: false });
    const stranger = await backend.mintUser();
    for (const user of [agent, stranger]) {
      for (const action of ['test', 'reconnect', 'sync-templates']) {
        expect(
          (await callFunction(backend, user.accessToken, `channels/${meta.id}/${action}`, { body: {} }))
            .status,
        ).toBe(404);
      }
    }
    // Nor may a member write what only the server sets.
    const { error } = await owner.client
      .from('channels')
      .update({ status: 'connected', verified_name: 'Me' })
      .eq('id', meta.id);
    expect(error?.message).toMatch(/set by the server/);
    const insert = await owner.client
      .from('channels')
      .insert({ workspace_id: workspaceId, name: 'Forged', provider: 'meta', status: 'connected' });
    expect(insert.error?.message).toMatch(/connected through the channels function/);
  });

  test('templates: sync copies the WABA templates with their status; an approved one is sent with its parameters', async () => {
    const meta = await connectMeta(backend, owner, workspaceId);
    const synced = await callFunction(backend, owner.accessToken, `channels/${meta.id}/sync-templates`);
    expect(synced).toEqual({
      status: 200,
      body: { templates: { templates: 4, approved: 2, pending: 1, rejected: 1, removed: 0, skipped: 0 } },
    });
    const templates = await backend.db.query<Record<string, unknown>>(
      `select name, language, category, provider, provider_status, rejected_reason, body from public.templates
       where channel_id = $1 order by name`,
      [meta.id],
    );
    expect(templates).toEqual([
      {
        name: 'order_update',
        language: 'en_US',
        category: 'utility',
        provider: 'meta',
        provider_status: 'APPROVED',
        rejected_reason: null,
        body: 'Hello {{1}}, your order is on its way to {{2}}.',
      },
      {
        name: 'spring_sale',
        language: 'en_US',
        category: 'marketing',
        provider: 'meta',
        provider_status: 'PENDING',
        rejected_reason: null,
        body: 'Spring sale: {{1}} off everything.',
      },
      {
        name: 'welcome',
        language: 'en_US',
        category: 'marketing',
        provider: 'meta',
        provider_status: 'APPROVED',
        rejected_reason: null,
        body: 'Welcome to our shop!',
      },
      {
        name: 'win_big',
        language: 'en_US',
        category: 'marketing',
        provider: 'meta',
        provider_status: 'REJECTED',
        rejected_reason: 'PROMOTIONAL',
        body: 'You won! Click now.',
      },
    ]);
    // Members read them, but cannot change what Meta owns.
    const [tpl] = await backend.db.query<{ id: string }>(
      `select id from public.templates where channel_id = $1 and name = 'order_update'`,
      [meta.id],
    );
    const edit = await owner.client.from('templates').update({ body: 'Changed' }).eq('id', tpl!.id);
    expect(edit.error?.message).toMatch(/changed by a template sync only/);

    const send = (template: Record<string, unknown>) =>
      owner.client.functions.invoke('outbox', {
        body: {
          commands: [
            {
              message_id: randomUUID(),
              channel_id: meta.id,
              to: '+4915112345678',
              body: 'ignored',
              template,
            },
          ],
        },
      });
    const [pending] = await backend.db.query<{ id: string }>(
      `select id from public.templates where channel_id = $1 and name = 'spring_sale'`,
      [meta.id],
    );
    const refused = await send({ id: pending!.id, body_parameters: ['20%'] });
    expect((refused.data as { results: { status: string; error: string }[] }).results[0]).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(/not an approved template/),
    });
    const miscounted = await send({ id: tpl!.id, body_parameters: ['Ada'] });
    expect((miscounted.data as { results: { error: string }[] }).results[0]!.error).toMatch(
      /needs 1 header parameter|needs 2 body parameter/,
    );

    const queued = await send({
      id: tpl!.id,
      header_parameters: ['A-17'],
      body_parameters: ['Ada', 'London'],
    });
    const [result] = (queued.data as { results: { message_id: string; status: string }[] }).results;
    expect(result!.status).toBe('queued');
    const [stored] = await backend.db.query<{ body: string; template: unknown }>(
      'select body, template from public.messages where id = $1',
      [result!.message_id],
    );
    expect(stored).toEqual({
      body: 'Hello Ada, your order is on its way to London.',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'A-17' }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ada' },
              { type: 'text', text: 'London' },
            ],
          },
        ],
      },
    });
    expect((await runOutbox(backend.url, backend.config.serviceRoleKey)).summary).toMatchObject({ sent: 1 });
    const sent = simulator.sends().filter((s) => s.phoneNumberId === meta.numberId);
    expect(sent.map((s) => [s.type, s.template, s.body, s.outcome])).toEqual([
      [
        'template',
        { name: 'order_update', language: 'en_US' },
        'Hello Ada, your order is on its way to London.',
        'accepted',
      ],
    ]);
    await until(
      async () =>
        (
          await backend.db.query<{ status: string }>('select status from public.messages where id = $1', [
            result!.message_id,
          ])
        )[0]!.status,
      (s) => s === 'read',
    );
  });
});

describe('Whapi.cloud', () => {
  test('connect registers the webhook with its secret header, and the session is checked', async () => {
    const whapi = await connectWhapi(backend, owner, workspaceId);
    const body = whapi.answer.body as { webhook: Record<string, unknown>; check: { ok: boolean } };
    expect(body).toMatchObject({
      check: { ok: true },
      webhook: { callback_url: `${backend.url}/functions/v1/webhooks/${whapi.id}`, registered: true },
    });
    expect(JSON.stringify(body)).not.toContain(whapi.credentials.api_token);
    const number = simulator.number(whapi.numberId);
    expect(number.webhook?.url).toBe(`${backend.url}/functions/v1/webhooks/${whapi.id}`);
    expect(Object.keys(number.webhook?.headers ?? {})).toEqual(['x-pigeon-webhook-secret']);
    expect(await channel(whapi.id)).toMatchObject({
      provider: 'whapi',
      status: 'connected',
      phone_number: `+${number.displayPhoneNumber}`,
      verified_name: number.verifiedName,
    });
  });

  test('where the API cannot be reached, the answer gives the URL and secret for manual setup', async () => {
    const number = simulator.addNumber({ format: 'whapi' });
    const previous = process.env.WHAPI_API_URL;
    // Created lazily with the environment of its first call: a fresh handler sees the dead URL.
    const { createHandler } = await import('../../supabase/functions/channels/handler.ts');
    const handler = createHandler({
      ...(process.env as Record<string, string>),
      SUPABASE_URL: backend.url,
      SUPABASE_ANON_KEY: backend.config.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: backend.config.serviceRoleKey,
      WHAPI_API_URL: 'http://127.0.0.1:9',
    });
    expect(process.env.WHAPI_API_URL).toBe(previous);
    const res = await handler(
      new Request(`${backend.url}/functions/v1/channels/connect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          workspace_id: workspaceId,
          name: 'Offline',
          provider: 'whapi',
          api_token: number.token,
        }),
      }),
    );
    const body = (await res.json()) as { webhook: Record<string, string>; check: { ok: boolean } };
    expect(res.status).toBe(502);
    expect(body.webhook).toMatchObject({
      registered: false,
      secret_header: 'x-pigeon-webhook-secret',
      secret: expect.stringMatching(/^[0-9a-f]{64}$/),
      error: expect.stringMatching(/could not reach the provider/),
    });
    expect(body.check.ok).toBe(false);
  });

  test('a wrong token is named; a logged-out session is explained', async () => {
    const wrong = await callFunction(backend, owner.accessToken, 'channels/connect', {
      body: { workspace_id: workspaceId, name: 'Wrong', provider: 'whapi', api_token: 'not-a-whapi-token' },
    });
    expect([wrong.status, (wrong.body.check as { field: string }).field]).toEqual([422, 'api_token']);
    expect((wrong.body.webhook as { registered: boolean }).registered).toBe(false);

    const whapi = await connectWhapi(backend, owner, workspaceId);
    await simulator.inbound(whapi.numberId, { type: 'channel', status: 'disconnected' });
    await until(
      async () => (await channel(whapi.id)).status,
      (s) => s === 'disconnected',
    );
    const test = await callFunction(backend, owner.accessToken, `channels/${whapi.id}/test`);
    expect(test.status).toBe(502);
    expect((test.body.check as { error: string }).error).toMatch(/session is QR, not logged in/);
  });
});

describe('media', () => {
  test.each([
    ['Meta', connectMeta],
    ['Whapi', connectWhapi],
  ])("%s: a customer's image is downloaded on demand by members, and by nobody else", async (_, connect) => {
    const meta = await connect(backend, owner, workspaceId);
    const sent = await simulator.inbound(meta.numberId, {
      type: 'image',
      from: '4915112345678',
      caption: 'The broken part',
    });
    expect(sent.httpStatus).toBe(200);
    const [message] = await backend.db.query<{
      id: string;
      kind: string;
      body: string;
      media_id: string;
      mime_type: string;
    }>(
      'select id, kind, body, media_id, mime_type from public.messages where channel_id = $1 and wa_message_id = $2',
      [meta.id, sent.id],
    );
    expect(message).toMatchObject({
      kind: 'image',
      body: 'The broken part',
      media_id: sent.media_id,
      mime_type: 'image/png',
    });

    const get = (token: string) =>
      fetch(`${backend.url}/functions/v1/media/${message!.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const res = await get(agent.accessToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    const stranger = await backend.mintUser();
    expect((await get(stranger.accessToken)).status).toBe(404);
  });
});
