import { describe, expect, test } from 'vitest';
import { AuthError, errorResponse } from '../../supabase/local/auth/errors.ts';
import { mergeMetadata, readJson, validEmail, validPassword } from '../../supabase/local/auth/input.ts';
import { refreshReuseInterval } from '../../supabase/local/auth/sessions.ts';

function codeOf(fn: () => unknown): { status: number; code: string } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof AuthError) return { status: err.status, code: err.code };
    throw err;
  }
  return undefined;
}

describe('validEmail', () => {
  test('accepts addresses and lower-cases them', () => {
    expect(validEmail('Ada.Lovelace+tag@Example.CO.uk')).toBe('ada.lovelace+tag@example.co.uk');
  });

  test.each([
    ['', 400, 'validation_failed'],
    ['plain', 400, 'email_address_invalid'],
    ['a@b', 400, 'email_address_invalid'],
    ['a b@example.com', 400, 'email_address_invalid'],
    ["x@example.com' or '1'='1", 400, 'email_address_invalid'],
    [`${'a'.repeat(250)}@example.com`, 400, 'validation_failed'],
  ])('refuses %j', (email, status, code) => {
    expect(codeOf(() => validEmail(email))).toEqual({ status, code });
  });
});

describe('validPassword', () => {
  test('needs 6 characters, counting characters rather than bytes', () => {
    expect(codeOf(() => validPassword('12345'))).toEqual({ status: 422, code: 'weak_password' });
    expect(validPassword('ééééé1')).toBe('ééééé1');
  });

  test('refuses what bcrypt would silently cut (over 72 bytes)', () => {
    expect(validPassword('x'.repeat(72))).toHaveLength(72);
    expect(codeOf(() => validPassword('é'.repeat(37)))).toEqual({ status: 422, code: 'validation_failed' });
  });
});

test('mergeMetadata merges keys and drops the ones set to null', () => {
  expect(mergeMetadata({ a: 1, b: 2, c: { d: 1 } }, { b: null, c: { e: 2 }, f: 'x' })).toEqual({
    a: 1,
    c: { e: 2 },
    f: 'x',
  });
});

describe('readJson', () => {
  const req = (body: string) => new Request('http://x/', { method: 'POST', body });

  test('returns a JSON object', async () => {
    await expect(readJson(req('{"a":1}'))).resolves.toEqual({ a: 1 });
  });

  test.each(['', '{bad', '[1]', '"text"', 'null'])('refuses %j as bad_json', async (body) => {
    await expect(readJson(req(body))).rejects.toMatchObject({ status: 400, code: 'bad_json' });
  });

  test('an empty body is {} where the route allows it', async () => {
    await expect(readJson(req(''), { optional: true })).resolves.toEqual({});
  });
});

describe('refreshReuseInterval', () => {
  test('defaults to GoTrue’s 10 seconds and reads the GoTrue variable', () => {
    expect(refreshReuseInterval({})).toBe(10);
    expect(refreshReuseInterval({ GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL: '0' })).toBe(0);
  });

  test.each(['-1', '1.5', 'ten'])('refuses %j with a message naming the variable', (raw) => {
    expect(() => refreshReuseInterval({ GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL: raw })).toThrow(
      /GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL/,
    );
  });
});

describe('errorResponse', () => {
  const err = new AuthError(422, 'weak_password', 'Too short', { weak_password: { reasons: ['length'] } });

  test('speaks the 2024-01-01 shape and echoes the version to clients that ask for it', async () => {
    const res = errorResponse(
      new Request('http://x/', { headers: { 'x-supabase-api-version': '2024-01-01' } }),
      err,
    );
    expect(res.status).toBe(422);
    expect(res.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(await res.json()).toEqual({
      code: 'weak_password',
      message: 'Too short',
      weak_password: { reasons: ['length'] },
    });
  });

  test('keeps the older shape for clients that send no version', async () => {
    const res = errorResponse(new Request('http://x/'), err);
    expect(res.headers.get('x-supabase-api-version')).toBeNull();
    expect(await res.json()).toEqual({
      code: 422,
      error_code: 'weak_password',
      msg: 'Too short',
      weak_password: { reasons: ['length'] },
    });
  });
});
