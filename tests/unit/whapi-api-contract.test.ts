// The Whapi.cloud adapter against Whapi's documented API: the requests it builds (method,
// path, headers, JSON), checked on a local server that records them, and what each
// documented HTTP status and error body means for the outbox.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { DEGRADED_PAUSE_SECONDS } from '../../supabase/functions/_shared/provider.ts';
import { DEFAULT_RETRY_AFTER_SECONDS } from '../../supabase/functions/_shared/retry-after.ts';
import {
  registerWhapiWebhook,
  WHAPI_SECRET_HEADER,
  type WhapiAccount,
  whapiEndpoint,
  whapiHealth,
  whapiMediaRequest,
  whapiOutcomeOf,
  whapiSender,
} from '../../supabase/functions/_shared/whapi-api.ts';
import { type RecordingServer, recordingServer } from '../support/recording-server.ts';

const none = new Headers();
const whapiError = (code: number, message: string) => ({ error: { code, message } });

let provider: RecordingServer;
let account: WhapiAccount;
beforeAll(async () => {
  provider = await recordingServer();
  account = { baseUrl: provider.url, apiToken: 'Y7tLmK2pQ9sT4vX8', timeoutMs: 2000 };
});
afterAll(() => provider.close());
beforeEach(() => {
  provider.requests.length = 0;
});

describe('requests as documented', () => {
  test('a text message: POST /messages/text {to, body} with the Bearer token', async () => {
    provider.answer({
      status: 200,
      body: {
        sent: true,
        message: {
          id: 'PsobWy36679._7w-wKmB9tMeGQ',
          from_me: true,
          type: 'text',
          chat_id: '4915112345678@s.whatsapp.net',
          timestamp: 1700000000,
          source: 'api',
          status: 'pending',
          text: { body: 'Hello' },
        },
      },
    });
    const outcome = await whapiSender(account).send({ to: '+4915112345678', body: 'Hello', messageId: 'm1' });
    expect(outcome).toEqual({ ok: true, providerMessageId: 'PsobWy36679._7w-wKmB9tMeGQ' });
    const [req] = provider.requests;
    expect(req).toMatchObject({
      method: 'POST',
      path: '/messages/text',
      json: { to: '4915112345678', body: 'Hello' },
    });
    expect(req!.headers.authorization).toBe('Bearer Y7tLmK2pQ9sT4vX8');
    expect(req!.headers['content-type']).toBe('application/json');
  });

  test('a template message goes as its rendered text: Whapi has no templates', async () => {
    provider.answer({ status: 200, body: { sent: true, message: { id: 'x' } } });
    await whapiSender(account).send({
      to: '+4915112345678',
      body: 'Hello Ada',
      messageId: 'm',
      template: { name: 'greeting', language: { code: 'en' } },
    });
    expect(provider.requests[0]!.json).toEqual({ to: '4915112345678', body: 'Hello Ada' });
  });

  test('health: GET /health?wakeup=true; a logged-in session gives its number and name', async () => {
    provider.answer(
      {
        status: 200,
        body: {
          channel_id: 'MANTIS-M72HC',
          start_at: 1700000000,
          uptime: 120,
          status: { code: 4, text: 'AUTH' },
          user: { id: '14155550100', name: 'Pigeon Shop' },
        },
      },
      { status: 200, body: { start_at: 1, uptime: 1, status: { code: 2, text: 'QR' } } },
      { status: 401, body: whapiError(401, 'Unauthorized') },
    );
    expect(await whapiHealth(account)).toEqual({
      ok: true,
      facts: { status: 'AUTH', userId: '14155550100', name: 'Pigeon Shop' },
    });
    expect(await whapiHealth(account)).toEqual({ ok: true, facts: { status: 'QR' } });
    expect(await whapiHealth(account)).toMatchObject({
      ok: false,
      field: 'api_token',
      error: 'api_token: Unauthorized (code 401)',
    });
    expect(provider.requests[0]).toMatchObject({ method: 'GET', path: '/health', query: { wakeup: 'true' } });
  });

  test('the webhook: PATCH /settings with the URL, the events, mode and the secret header', async () => {
    provider.answer({ status: 200, body: { before_update: {}, after_update: {}, changes: ['webhooks'] } });
    expect(
      await registerWhapiWebhook(account, 'https://pigeon.example/functions/v1/webhooks/c1', 's3cret'),
    ).toEqual({
      ok: true,
      facts: true,
    });
    const [req] = provider.requests;
    expect(req).toMatchObject({ method: 'PATCH', path: '/settings' });
    expect(req!.headers.authorization).toBe('Bearer Y7tLmK2pQ9sT4vX8');
    expect(req!.json).toEqual({
      webhooks: [
        {
          url: 'https://pigeon.example/functions/v1/webhooks/c1',
          mode: 'body',
          headers: { [WHAPI_SECRET_HEADER]: 's3cret' },
          events: [
            { type: 'messages', method: 'post' },
            { type: 'messages', method: 'patch' },
            { type: 'messages', method: 'delete' },
            { type: 'statuses', method: 'post' },
            { type: 'statuses', method: 'put' },
            { type: 'chats', method: 'post' },
            { type: 'chats', method: 'patch' },
            { type: 'channel', method: 'post' },
            { type: 'channel', method: 'patch' },
          ],
        },
      ],
    });
  });

  test('a refused registration names the token; a failing API gives its reason', async () => {
    provider.answer(
      { status: 401, body: whapiError(401, 'Unauthorized') },
      { status: 500, body: whapiError(500, 'Internal error') },
    );
    expect(await registerWhapiWebhook(account, 'https://x', 's')).toMatchObject({
      ok: false,
      field: 'api_token',
    });
    expect(await registerWhapiWebhook(account, 'https://x', 's')).toEqual({
      ok: false,
      error: 'Internal error (code 500)',
    });
  });

  test('media: GET /media/{id} with the Bearer token', () => {
    expect(whapiMediaRequest(account, 'jpeg-8f3a')).toEqual({
      url: `${provider.url}/media/jpeg-8f3a`,
      headers: { authorization: 'Bearer Y7tLmK2pQ9sT4vX8' },
    });
  });

  test('the base URL comes from the environment', () => {
    expect(whapiEndpoint({})).toBe('https://gate.whapi.cloud');
    expect(whapiEndpoint({ WHAPI_API_URL: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
  });
});

describe('what an answer means for the outbox', () => {
  test('sent: true with a message id is sent; sent: false is tried again', () => {
    expect(whapiOutcomeOf(200, none, { sent: true, message: { id: 'abc' } })).toEqual({
      ok: true,
      providerMessageId: 'abc',
    });
    expect(whapiOutcomeOf(200, none, { sent: false })).toMatchObject({ ok: false, action: 'retry' });
    expect(whapiOutcomeOf(200, none, {})).toMatchObject({ ok: false, action: 'fail' });
  });

  test('401 "Need channel authorization" disconnects the channel', () => {
    expect(whapiOutcomeOf(401, none, whapiError(401, 'Need channel authorization for send message'))).toEqual(
      {
        ok: false,
        action: 'disconnect',
        error: 'Need channel authorization for send message (code 401)',
      },
    );
  });

  test('402 "Trial version limit exceeded" degrades and pauses the channel', () => {
    expect(whapiOutcomeOf(402, none, whapiError(402, 'Trial version limit exceeded'))).toMatchObject({
      action: 'degrade',
      retryAfterSeconds: DEGRADED_PAUSE_SECONDS,
    });
  });

  test('403 "forbidden to send to this recipient" fails that message only', () => {
    expect(
      whapiOutcomeOf(403, none, whapiError(403, 'It is forbidden to send to this group/recipient')),
    ).toEqual({
      ok: false,
      action: 'fail',
      error: 'It is forbidden to send to this group/recipient (code 403)',
    });
  });

  test('429 pauses the channel until Retry-After (default when missing)', () => {
    expect(
      whapiOutcomeOf(429, new Headers({ 'retry-after': '9' }), whapiError(429, 'Too many requests')),
    ).toMatchObject({
      action: 'throttle',
      retryAfterSeconds: 9,
    });
    expect(whapiOutcomeOf(429, none, null)).toMatchObject({
      action: 'throttle',
      retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
    });
  });

  test.each([500, 502, 503, 504, 408])('%i is retried after the backoff', (status) => {
    expect(whapiOutcomeOf(status, none, null)).toEqual({
      ok: false,
      action: 'retry',
      error: `HTTP ${status}`,
    });
  });

  test.each([
    [400, 'Wrong request parameters'],
    [404, 'Specified chat not found'],
    [413, 'Request body too large'],
  ])("%i fails the message with the provider's reason", (status, message) => {
    expect(whapiOutcomeOf(status, none, { error: { code: status, message, details: 'to' } })).toEqual({
      ok: false,
      action: 'fail',
      error: `${message}: to (code ${status})`,
    });
  });
});
