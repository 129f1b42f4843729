// The Meta Cloud API adapter against Meta's documented wire format: the requests it builds
// (method, path, query, headers, JSON), checked on a local server that records them, and
// what every documented error code means for the outbox.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type CloudApiAccount,
  cloudApiSender,
  graphEndpoint,
  graphErrorText,
  mediaLocation,
  messageTemplates,
  outcomeOf,
  phoneNumberFacts,
  wabaHasNumber,
} from '../../supabase/functions/_shared/cloud-api.ts';
import { DEGRADED_PAUSE_SECONDS } from '../../supabase/functions/_shared/provider.ts';
import { DEFAULT_RETRY_AFTER_SECONDS } from '../../supabase/functions/_shared/retry-after.ts';
import { type RecordingServer, recordingServer } from '../support/recording-server.ts';

const graphError = (message: string, code: number, details?: string) => ({
  error: {
    message,
    type: 'OAuthException',
    code,
    ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
    fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
  },
});

const none = new Headers();
const TOKEN = 'EAAGtokentokentokentoken';
const APP_SECRET = '0123456789abcdef0123456789abcdef';
const proof = createHmac('sha256', APP_SECRET).update(TOKEN).digest('hex');

let provider: RecordingServer;
let account: CloudApiAccount;
beforeAll(async () => {
  provider = await recordingServer();
  account = {
    baseUrl: provider.url,
    version: 'v21.0',
    accessToken: TOKEN,
    appSecret: APP_SECRET,
    timeoutMs: 2000,
  };
});
afterAll(() => provider.close());
beforeEach(() => {
  provider.requests.length = 0;
});

describe('requests as documented', () => {
  test('a text message: POST /{version}/{phone-number-id}/messages with Bearer token and appsecret_proof', async () => {
    provider.answer({
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: '+4915112345678', wa_id: '4915112345678' }],
        messages: [{ id: 'wamid.HBgLNDkxNTExMjM0NTY3OBUCABEYEjQ' }],
      },
    });
    const outcome = await cloudApiSender(account, '106540352242922').send({
      to: '+4915112345678',
      body: 'Hello',
      messageId: 'm1',
    });
    expect(outcome).toEqual({ ok: true, providerMessageId: 'wamid.HBgLNDkxNTExMjM0NTY3OBUCABEYEjQ' });
    const [req] = provider.requests;
    expect(req).toMatchObject({
      method: 'POST',
      path: '/v21.0/106540352242922/messages',
      query: { appsecret_proof: proof },
      json: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '4915112345678',
        type: 'text',
        text: { body: 'Hello' },
      },
    });
    expect(req!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req!.headers['content-type']).toBe('application/json');
  });

  test('a template message: name, language code, header and body parameters', async () => {
    provider.answer({
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [], messages: [{ id: 'wamid.t' }] },
    });
    const template = {
      name: 'order_update',
      language: { code: 'en_US' },
      components: [
        { type: 'header' as const, parameters: [{ type: 'text' as const, text: 'A-17' }] },
        {
          type: 'body' as const,
          parameters: [
            { type: 'text' as const, text: 'Ada' },
            { type: 'text' as const, text: 'London' },
          ],
        },
      ],
    };
    await cloudApiSender(account, '106540352242922').send({
      to: '+4915112345678',
      body: 'Hello Ada, your order is on its way to London.',
      messageId: 'm2',
      template,
    });
    expect(provider.requests[0]!.json).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '4915112345678',
      type: 'template',
      template,
    });
  });

  test("test connection reads the number's fields, then the WABA's numbers", async () => {
    provider.answer(
      {
        status: 200,
        body: {
          id: '106540352242922',
          display_phone_number: '+1 555-078-3881',
          verified_name: 'Pigeon Shop',
          quality_rating: 'GREEN',
        },
      },
      { status: 200, body: { data: [{ id: '106540352242922' }] } },
    );
    const facts = await phoneNumberFacts(account, '106540352242922');
    expect(facts).toEqual({
      ok: true,
      facts: {
        display_phone_number: '+1 555-078-3881',
        verified_name: 'Pigeon Shop',
        quality_rating: 'GREEN',
      },
    });
    expect(await wabaHasNumber(account, '102290129340398', '106540352242922')).toEqual({
      ok: true,
      facts: true,
    });
    expect(provider.requests.map((r) => [r.method, r.path, r.query.fields])).toEqual([
      [
        'GET',
        '/v21.0/106540352242922',
        'display_phone_number,verified_name,quality_rating,code_verification_status,name_status,platform_type',
      ],
      ['GET', '/v21.0/102290129340398/phone_numbers', 'id'],
    ]);
    for (const req of provider.requests) {
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req.query.appsecret_proof).toBe(proof);
    }
  });

  test.each([
    [401, graphError('Invalid OAuth access token - Cannot parse access token', 190), 'access_token'],
    [400, graphError('Invalid appsecret_proof provided in the API argument', 100), 'app_secret'],
    [
      400,
      graphError(
        "Unsupported get request. Object with ID '1' does not exist, cannot be loaded due to missing permissions",
        100,
      ),
      'phone_number_id',
    ],
  ])('a refused check names its field: HTTP %i → %s', async (status, body, field) => {
    provider.answer({ status, body });
    const result = await phoneNumberFacts(account, '1');
    expect(result).toMatchObject({ ok: false, field });
    expect((result as { error: string }).error).toMatch(new RegExp(`^${field}: `));
  });

  test('a number outside the WABA names phone_number_id', async () => {
    provider.answer({ status: 200, body: { data: [{ id: '999' }] } });
    expect(await wabaHasNumber(account, '102290129340398', '106540352242922')).toMatchObject({
      ok: false,
      field: 'phone_number_id',
    });
  });

  test('message templates: GET /{waba-id}/message_templates, following the paging cursor', async () => {
    const template = (name: string, status: string) => ({
      name,
      language: 'en_US',
      status,
      category: 'UTILITY',
      id: `${name}-id`,
      components: [{ type: 'BODY', text: 'Hi {{1}}' }],
    });
    provider.answer(
      {
        status: 200,
        body: {
          data: [template('a', 'APPROVED')],
          paging: { cursors: { before: 'B', after: 'CURSOR1' }, next: 'https://graph.facebook.com/next' },
        },
      },
      {
        status: 200,
        body: { data: [template('b', 'REJECTED')], paging: { cursors: { before: 'C', after: 'D' } } },
      },
    );
    const listed = await messageTemplates(account, '102290129340398');
    expect(listed).toEqual({ ok: true, facts: [template('a', 'APPROVED'), template('b', 'REJECTED')] });
    expect(provider.requests.map((r) => [r.path, r.query.limit, r.query.after, r.query.fields])).toEqual([
      [
        '/v21.0/102290129340398/message_templates',
        '100',
        undefined,
        'id,name,language,category,status,rejected_reason,components',
      ],
      [
        '/v21.0/102290129340398/message_templates',
        '100',
        'CURSOR1',
        'id,name,language,category,status,rejected_reason,components',
      ],
    ]);
  });

  test('media: GET /{media-id} gives the URL and MIME type', async () => {
    provider.answer({
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1',
        mime_type: 'image/jpeg',
        sha256: 'abc',
        file_size: 303833,
        id: '1037543291543636',
      },
    });
    expect(await mediaLocation(account, '1037543291543636')).toEqual({
      ok: true,
      facts: {
        url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1',
        mime_type: 'image/jpeg',
      },
    });
    expect(provider.requests[0]).toMatchObject({ method: 'GET', path: '/v21.0/1037543291543636' });
  });

  test('the version and base URL come from the environment', () => {
    expect(graphEndpoint({})).toEqual({ baseUrl: 'https://graph.facebook.com', version: 'v21.0' });
    expect(graphEndpoint({ META_GRAPH_URL: 'http://127.0.0.1:9/', META_GRAPH_VERSION: 'v23.0' })).toEqual({
      baseUrl: 'http://127.0.0.1:9',
      version: 'v23.0',
    });
    expect(() => graphEndpoint({ META_GRAPH_VERSION: '21' })).toThrow(/META_GRAPH_VERSION/);
  });
});

describe('what an answer means for the outbox', () => {
  test('2xx with a message id: sent, with the provider id', () => {
    const ok = { messaging_product: 'whatsapp', contacts: [], messages: [{ id: 'wamid.x' }] };
    expect(outcomeOf(200, none, ok)).toEqual({ ok: true, providerMessageId: 'wamid.x' });
  });

  test('2xx without an id is not sent again (it may have gone out)', () => {
    expect(outcomeOf(200, none, {})).toEqual({
      ok: false,
      action: 'fail',
      error: 'the provider answered 200 without a message id',
    });
  });

  test('131047 (outside the 24-hour window) fails the message: send an approved template', () => {
    const outcome = outcomeOf(
      400,
      none,
      graphError('(#131047) Re-engagement message', 131047, 'More than 24 hours'),
    );
    expect(outcome).toMatchObject({ ok: false, action: 'fail' });
    expect((outcome as { error: string }).error).toMatch(/send an approved template instead.*code 131047/);
  });

  test.each([
    [131026, 'Message undeliverable'],
    [131051, 'Unsupported message type'],
    [100, 'Invalid parameter'],
    [132001, 'Template name does not exist in the translation'],
  ])("%i fails the message with the provider's reason", (code, title) => {
    expect(outcomeOf(400, none, graphError(`(#${code}) ${title}`, code, 'details here'))).toEqual({
      ok: false,
      action: 'fail',
      error: `(#${code}) ${title}: details here (code ${code})`,
    });
  });

  test.each([130429, 80007, 4])('%i pauses the channel until Retry-After (default when missing)', (code) => {
    expect(
      outcomeOf(400, new Headers({ 'retry-after': '17' }), graphError('Rate limit hit', code)),
    ).toMatchObject({
      action: 'throttle',
      retryAfterSeconds: 17,
    });
    expect(outcomeOf(400, none, graphError('Rate limit hit', code))).toMatchObject({
      action: 'throttle',
      retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
    });
  });

  test('131056 (pair rate limit) defers this recipient only', () => {
    expect(outcomeOf(400, none, graphError('(#131056) pair rate limit hit', 131056))).toMatchObject({
      action: 'defer',
      retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
    });
  });

  test.each([131048, 368, 131042])('%i degrades and pauses the channel', (code) => {
    expect(outcomeOf(400, none, graphError('Spam rate limit hit', code))).toMatchObject({
      action: 'degrade',
      retryAfterSeconds: DEGRADED_PAUSE_SECONDS,
    });
  });

  test.each([
    [401, 190],
    [400, 190],
    [403, 10],
    [403, 200],
    [400, 131031],
    [401, undefined],
    [403, undefined],
  ])('HTTP %i with code %s disconnects the channel (its queue is held)', (status, code) => {
    const body = code === undefined ? null : graphError('Error validating access token', code);
    expect(outcomeOf(status, none, body)).toMatchObject({ ok: false, action: 'disconnect' });
  });

  test.each([
    [500, null],
    [502, null],
    [503, null],
    [408, null],
    [400, graphError('(#131000) Something went wrong', 131000)],
    [400, graphError('(#131016) Service unavailable', 131016)],
    [500, graphError('An unknown error occurred', 1)],
  ])('HTTP %i %j is retried after the backoff', (status, body) => {
    expect(outcomeOf(status, none, body)).toMatchObject({ ok: false, action: 'retry' });
  });

  test('429 without a Graph code throttles too', () => {
    expect(outcomeOf(429, new Headers({ 'retry-after': '3' }), null)).toMatchObject({
      action: 'throttle',
      retryAfterSeconds: 3,
    });
  });

  test('graphErrorText falls back to the HTTP status for bodies that are not Graph errors', () => {
    expect(graphErrorText(502, '<html>Bad gateway</html>')).toBe('HTTP 502');
    expect(graphErrorText(400, { error: { message: '' } })).toBe('HTTP 400');
    expect(graphErrorText(400, { error: { message: 'Invalid parameter' } })).toBe('Invalid parameter');
  });
});

describe('transport', () => {
  test('a provider that cannot be reached is retried', async () => {
    // A port that was just free: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const outcome = await cloudApiSender({ ...account, baseUrl: `http://127.0.0.1:${port}` }, '1').send({
      to: '+4915112345678',
      body: 'hi',
      messageId: 'm',
    });
    expect(outcome).toMatchObject({ ok: false, action: 'retry' });
    expect((outcome as { error: string }).error).toMatch(/^could not reach the provider/);
  });

  test('a provider that does not answer in time is retried', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const outcome = await cloudApiSender(
        { ...account, baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 200 },
        '1',
      ).send({
        to: '+4915112345678',
        body: 'hi',
        messageId: 'm',
      });
      expect(outcome).toEqual({
        ok: false,
        action: 'retry',
        error: 'no answer from the provider within 200 ms',
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
