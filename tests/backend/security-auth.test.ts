// Attacks on the local auth (issue 17, items 3 and 8) and its email flows (issue 15, item 15),
// performed through /auth/v1 as a client would: the mail catcher, recovery, confirmation,
// the double-confirmed email change, password changes that need proof, and rate limits.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lastMail, linkIn, mailsTo } from '../support/mail.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

const PASSWORD = 'correct horse battery staple';
const newEmail = () => `sec-${randomUUID().slice(0, 8)}@example.test`;

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend?.close());

function auth(b: Backend, path: string, init: RequestInit & { bearer?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('apikey', b.config.anonKey);
  headers.set('content-type', 'application/json');
  if (init.bearer) headers.set('authorization', `Bearer ${init.bearer}`);
  return fetch(`${b.url}/auth/v1${path}`, { ...init, headers, redirect: 'manual' });
}

const signIn = (b: Backend, email: string, password: string) =>
  auth(b, '/token?grant_type=password', { method: 'POST', body: JSON.stringify({ email, password }) });

/** Follows a mailed /verify link as a browser would, returning the redirect's fragment. */
async function follow(link: string): Promise<URLSearchParams> {
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(303);
  return new URLSearchParams(new URL(res.headers.get('location') ?? '').hash.slice(1));
}

describe('mail catcher and password recovery', () => {
  test('a reset link arrives at /_mail, signs in once, and lets the password be changed', async () => {
    const user = await backend.user();
    const redirect = 'http://127.0.0.1:5173/reset-password';
    const res = await auth(backend, `/recover?redirect_to=${encodeURIComponent(redirect)}`, {
      method: 'POST',
      body: JSON.stringify({ email: user.email }),
    });
    expect(res.status).toBe(200);
    const mail = await lastMail(backend.url, user.email, 'recovery');
    expect(mail.subject).toBe('Reset your password');
    const html = await (await fetch(`${backend.url}/_mail`)).text();
    expect(html).toContain(user.email);
    expect(html).toContain('Reset your password');

    const link = linkIn(mail);
    const first = await fetch(link, { redirect: 'manual' });
    expect(first.headers.get('location')?.startsWith(`${redirect}#`)).toBe(true);
    const session = new URLSearchParams(new URL(first.headers.get('location')!).hash.slice(1));
    expect(session.get('type')).toBe('recovery');
    const accessToken = session.get('access_token')!;

    const changed = await auth(backend, '/user', {
      method: 'PUT',
      bearer: accessToken,
      body: JSON.stringify({ password: 'a brand new password' }),
    });
    expect(changed.status).toBe(200);
    expect((await signIn(backend, user.email, 'a brand new password')).status).toBe(200);
    expect((await signIn(backend, user.email, PASSWORD)).status).toBe(400);

    // The link works once.
    const again = await follow(link);
    expect(again.get('access_token')).toBeNull();
    expect(again.get('error_code')).toBe('otp_expired');
  });

  test('an unknown address gets the same answer and no mail; a foreign redirect goes to the site', async () => {
    const nobody = newEmail();
    const res = await auth(backend, '/recover', { method: 'POST', body: JSON.stringify({ email: nobody }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(await mailsTo(backend.url, nobody)).toEqual([]);

    const user = await backend.user();
    await auth(backend, `/recover?redirect_to=${encodeURIComponent('https://evil.example/steal')}`, {
      method: 'POST',
      body: JSON.stringify({ email: user.email }),
    });
    const link = linkIn(await lastMail(backend.url, user.email, 'recovery'));
    expect(new URL(link).searchParams.get('redirect_to')).toBe(backend.config.siteUrl);
  });

  test('a forged or guessed token is refused', async () => {
    const res = await auth(backend, '/verify', {
      method: 'POST',
      body: JSON.stringify({ type: 'recovery', token_hash: 'a'.repeat(48) }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).msg ?? '').toMatch(/invalid or has expired/);
  });
});

describe('email change (double_confirm_changes)', () => {
  test('the address changes only once both the old and the new address confirm', async () => {
    const user = await backend.user();
    const target = newEmail();
    const res = await auth(backend, '/user', {
      method: 'PUT',
      bearer: user.accessToken,
      body: JSON.stringify({ email: target }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ email: user.email, new_email: target });

    // Still the old address everywhere: a fresh sign-in, the token's claim, /user.
    const signedIn = await (await signIn(backend, user.email, PASSWORD)).json();
    expect(signedIn.user.email).toBe(user.email);

    const toNew = linkIn(await lastMail(backend.url, target, 'email_change'));
    const toOld = linkIn(await lastMail(backend.url, user.email, 'email_change'));
    const half = await follow(toNew);
    expect(half.get('message')).toMatch(/confirm link sent to the other email/);
    const [row] = await backend.db.query<{ email: string }>('select email from auth.users where id = $1', [
      user.id,
    ]);
    expect(row?.email).toBe(user.email);

    const done = await follow(toOld);
    expect(done.get('access_token')).toBeTruthy();
    const [after] = await backend.db.query<{ email: string }>('select email from auth.users where id = $1', [
      user.id,
    ]);
    expect(after?.email).toBe(target);
    expect((await signIn(backend, target, PASSWORD)).status).toBe(200);
  });

  test('an address that has an account cannot be claimed', async () => {
    const user = await backend.user();
    const other = await backend.user();
    const res = await auth(backend, '/user', {
      method: 'PUT',
      bearer: user.accessToken,
      body: JSON.stringify({ email: other.email }),
    });
    expect(res.status).toBe(422);
    expect(await mailsTo(backend.url, other.email)).toEqual([]);
  });
});

describe('password change needs proof', () => {
  async function staleUser(): Promise<TestUser> {
    const user = await backend.user();
    // A token stolen from a session signed in an hour ago.
    await backend.db.query(
      `update auth.sessions set created_at = now() - interval '1 hour' where user_id = $1`,
      [user.id],
    );
    return user;
  }
  const changePassword = (user: TestUser, extra: Record<string, string> = {}) =>
    auth(backend, '/user', {
      method: 'PUT',
      bearer: user.accessToken,
      body: JSON.stringify({ password: 'taken over password', ...extra }),
    });

  test('a stolen access token alone cannot change the password', async () => {
    const user = await staleUser();
    const res = await changePassword(user);
    expect(res.status).toBe(400);
    expect((await res.json()).error_code).toBe('reauthentication_needed');
    expect((await changePassword(user, { current_password: 'a wrong guess' })).status).toBe(422);
    expect((await signIn(backend, user.email, PASSWORD)).status).toBe(200);
  });

  test('the current password, or a mailed reauthentication code (once), allows it', async () => {
    const user = await staleUser();
    expect((await changePassword(user, { current_password: PASSWORD })).status).toBe(200);

    const other = await staleUser();
    const sent = await auth(backend, '/reauthenticate', { bearer: other.accessToken });
    expect(sent.status).toBe(200);
    const code = /\b(\d{6})\b/.exec((await lastMail(backend.url, other.email, 'reauthentication')).body)?.[1];
    expect(code).toBeDefined();
    expect((await changePassword(other, { nonce: '000000' === code ? '111111' : '000000' })).status).toBe(
      400,
    );
    expect((await changePassword(other, { nonce: code! })).status).toBe(200);
    expect((await changePassword(other, { nonce: code! })).status).toBe(400);
  });
});

describe('sign-up with confirmations (enable_confirmations = true)', () => {
  let confirming: Backend;
  beforeAll(async () => {
    confirming = await startBackend({ mailerAutoconfirm: false, rateLimits: { mailIntervalSeconds: 0 } });
  });
  afterAll(() => confirming?.close());

  test('sign-up mails a link; no sign-in before it is followed; the address is then confirmed', async () => {
    const email = newEmail();
    const res = await auth(confirming, '/signup', {
      method: 'POST',
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.access_token).toBeUndefined();
    expect(body.email_confirmed_at).toBeUndefined();
    const refused = await signIn(confirming, email, PASSWORD);
    expect((await refused.json()).error_code).toBe('email_not_confirmed');

    const fragment = await follow(linkIn(await lastMail(confirming.url, email, 'signup')));
    expect(fragment.get('type')).toBe('signup');
    expect((await signIn(confirming, email, PASSWORD)).status).toBe(200);

    // Signing up again with a taken address answers alike and reveals nothing.
    const again = await auth(confirming, '/signup', {
      method: 'POST',
      body: JSON.stringify({ email, password: 'other password' }),
    });
    expect(again.status).toBe(200);
    expect((await again.json()).id).not.toBe(body.id);
  });
});

describe('rate limits', () => {
  let limited: Backend;
  beforeAll(async () => {
    limited = await startBackend({
      rateLimits: { perAddress: 3, perIp: 12, windowSeconds: 60, mailIntervalSeconds: 60 },
    });
  });
  afterAll(() => limited?.close());

  test('guessing a password stops after the allowed failures, even at the right one, with Retry-After', async () => {
    const victim = await limited.user();
    const other = await limited.user();
    for (let i = 0; i < 3; i++) expect((await signIn(limited, victim.email, `guess ${i}`)).status).toBe(400);
    const blocked = await signIn(limited, victim.email, victim.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signIn(limited, other.email, other.password)).status).toBe(200);
  });

  test('a second reset mail to one address within the interval is refused', async () => {
    const user = await limited.user();
    const ask = () =>
      auth(limited, '/recover', { method: 'POST', body: JSON.stringify({ email: user.email }) });
    expect((await ask()).status).toBe(200);
    const second = await ask();
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await mailsTo(limited.url, user.email)).toHaveLength(1);
  });

  test('one IP gets a bounded number of sign-ups and sign-ins', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await auth(limited, '/signup', {
        method: 'POST',
        body: JSON.stringify({ email: newEmail(), password: PASSWORD }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
    expect(statuses.indexOf(429)).toBeLessThanOrEqual(12);
  });
});
