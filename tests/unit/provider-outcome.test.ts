// The provider adapter's pure parts: what an HTTP answer means for the outbox, and
// Retry-After in both of its forms. Plus the one impure case a mapping table cannot show:
// a provider that cannot be reached at all.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import {
  cloudApiSender,
  graphErrorText,
  outcomeOf,
  textMessage,
} from '../../supabase/functions/_shared/cloud-api.ts';
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  MAX_RETRY_AFTER_SECONDS,
  parseRetryAfter,
} from '../../supabase/functions/_shared/retry-after.ts';

const graphError = (message: string, code: number, details?: string) => ({
  error: {
    message,
    type: 'OAuthException',
    code,
    ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
    fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
  },
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  test.each([
    ['120', 120],
    [' 7 ', 7],
    ['0', 0],
    ['Mon, 23 Nov 2026 10:00:30 GMT', 30],
    // A fraction of a second still waits a whole one.
    ['Mon, 23 Nov 2026 10:00:00 GMT', 0],
    ['Sun, 22 Nov 2026 09:00:00 GMT', 0],
    [String(10 * MAX_RETRY_AFTER_SECONDS), MAX_RETRY_AFTER_SECONDS],
  ])('%j → %i s', (header, seconds) => {
    expect(parseRetryAfter(header, now)).toBe(seconds);
  });

  test.each([[null], [undefined], [''], ['soon'], ['-5'], ['1.5']])('%j → the default', (header) => {
    expect(parseRetryAfter(header, now)).toBe(DEFAULT_RETRY_AFTER_SECONDS);
  });
});

describe('outcomeOf', () => {
  const none = new Headers();
  const ok = {
    messaging_product: 'whatsapp',
    contacts: [{ input: '+4915112345678', wa_id: '4915112345678' }],
    messages: [{ id: 'wamid.HBgLNDkxNTExMjM0NTY3OBUCABEYEjQ' }],
  };

  test('2xx with a message id: sent, with the provider id', () => {
    expect(outcomeOf(200, none, ok)).toEqual({
      ok: true,
      providerMessageId: 'wamid.HBgLNDkxNTExMjM0NTY3OBUCABEYEjQ',
    });
    expect(outcomeOf(201, none, ok)).toMatchObject({ ok: true });
  });

  test('2xx without an id is not sent again (it may have gone out)', () => {
    expect(outcomeOf(200, none, {})).toEqual({
      ok: false,
      retryable: false,
      error: 'the provider answered 200 without a message id',
    });
  });

  test('429: retryable after Retry-After, default when missing', () => {
    const body = graphError('(#130429) Rate limit hit', 130429);
    expect(outcomeOf(429, new Headers({ 'retry-after': '17' }), body)).toEqual({
      ok: false,
      retryable: true,
      error: '(#130429) Rate limit hit (code 130429)',
      retryAfterSeconds: 17,
    });
    expect(outcomeOf(429, none, null)).toMatchObject({ retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS });
  });

  test.each([408, 500, 502, 503, 504])('%i is retryable', (status) => {
    expect(outcomeOf(status, none, null)).toEqual({ ok: false, retryable: true, error: `HTTP ${status}` });
  });

  test.each([400, 401, 403, 404, 422])("%i is final, with the provider's reason", (status) => {
    const body = graphError(
      'Recipient phone number not in allowed list',
      131030,
      'Add recipient phone number to recipient list and try again.',
    );
    expect(outcomeOf(status, none, body)).toEqual({
      ok: false,
      retryable: false,
      error:
        'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again. (code 131030)',
    });
  });
});

describe('graphErrorText', () => {
  test('falls back to the HTTP status for bodies that are not Graph errors', () => {
    expect(graphErrorText(502, '<html>Bad gateway</html>')).toBe('HTTP 502');
    expect(graphErrorText(400, { error: { message: '' } })).toBe('HTTP 400');
    expect(graphErrorText(400, { error: { message: 'Invalid parameter' } })).toBe('Invalid parameter');
  });
});

describe('textMessage', () => {
  test("is the Cloud API's text message, with the number's digits", () => {
    expect(textMessage({ to: '+4915112345678', body: 'Hello', messageId: 'x' })).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '4915112345678',
      type: 'text',
      text: { body: 'Hello' },
    });
  });
});

describe('cloudApiSender', () => {
  test('a provider that cannot be reached is retryable', async () => {
    // A port that was just free: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const sender = cloudApiSender({
      baseUrl: `http://127.0.0.1:${port}`,
      phoneNumberId: '1',
      accessToken: 't',
      timeoutMs: 2000,
    });
    const outcome = await sender.send({ to: '+4915112345678', body: 'hi', messageId: 'm' });
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect((outcome as { error: string }).error).toMatch(/^could not reach the provider/);
  });
});
