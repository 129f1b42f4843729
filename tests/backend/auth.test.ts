// /auth/v1 through the official supabase-js client (and raw HTTP where the wire shape itself
// is under test), on PGlite and on PostgreSQL.
import { randomUUID } from 'node:crypto';
import { AuthApiError, AuthSessionMissingError, AuthWeakPasswordError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { type JwtClaims, signJwt, verifyJwt } from '../../supabase/local/jwt.ts';
import { tamperSignature } from '../support/tamper.ts';
import { type Backend, clientFor, startBackend } from './harness.ts';

// Tests present spent tokens right after rotating them; GoTrue's default grace of 10 s would
// hand the current token back instead of detecting reuse.
vi.stubEnv('GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL', '0');

const PASSWORD = 'correct horse battery staple';
const OTHER_SECRET = 'another-secret-that-is-at-least-32-characters-long';

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend?.close());

const newEmail = () => `auth-${randomUUID().slice(0, 8)}@example.test`;

async function signUp(email = newEmail(), data: Record<string, unknown> = {}) {
  const client = backend.anon();
  const res = await client.auth.signUp({ email, password: PASSWORD, options: { data } });
  if (res.error || !res.data.session || !res.data.user)
    throw new Error(`sign-up failed: ${res.error?.message}`);
  return { client, email, session: res.data.session, user: res.data.user };
}

/** A request to /auth/v1 with the anon key unless told otherwise, and auth-js's version header. */
function authFetch(
  path: string,
  init: RequestInit & { apikey?: string | null; bearer?: string; version?: boolean } = {},
): Promise<Response> {
  const { apikey = backend.config.anonKey, bearer, version = true, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (apikey) headers.set('apikey', apikey);
  if (bearer) headers.set('authorization', `Bearer ${bearer}`);
  if (version) headers.set('x-supabase-api-version', '2024-01-01');
  if (rest.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${backend.url}/auth/v1${path}`, { ...rest, headers });
}

const refresh = (refreshToken: string) => backend.anon().auth.refreshSession({ refresh_token: refreshToken });

function expectAuthError(error: unknown, status: number, code: string | undefined, message?: string) {
  expect(error).toBeInstanceOf(Error);
  const e = error as { status?: number; code?: string; message: string };
  expect({ status: e.status, code: e.code }).toEqual({ status, code });
  if (message !== undefined) expect(e.message).toBe(message);
}

function decodeClaims(token: string): JwtClaims {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as JwtClaims;
}

describe('sign-up and sign-in', () => {
  test('sign-up returns a session whose access token works, with the claims GoTrue issues', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { client, email, session, user } = await signUp(undefined, { display_name: 'Ada' });
    expect(session.token_type).toBe('bearer');
    expect(session.expires_in).toBe(3600);
    expect(session.expires_at).toBeGreaterThanOrEqual(before + 3600);
    expect(session.refresh_token).toMatch(/^[\w-]{20,}$/);
    expect(user).toMatchObject({
      email,
      aud: 'authenticated',
      role: 'authenticated',
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { display_name: 'Ada' },
      is_anonymous: false,
    });
    expect(user.email_confirmed_at).toBeTruthy();
    expect(user.identities?.[0]).toMatchObject({ provider: 'email', user_id: user.id });
    expect(JSON.stringify(session)).not.toContain('encrypted_password');
    expect(JSON.stringify(session)).not.toMatch(/\$2[aby]\$/);

    const verified = await verifyJwt(session.access_token, backend.config.jwtSecret);
    expect(verified.ok).toBe(true);
    const claims = decodeClaims(session.access_token);
    expect(claims).toEqual({
      aud: 'authenticated',
      exp: session.expires_at,
      iat: (session.expires_at as number) - 3600,
      iss: `${backend.url}/auth/v1`,
      sub: user.id,
      email,
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { display_name: 'Ada' },
      role: 'authenticated',
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: expect.any(Number) }],
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      is_anonymous: false,
    });

    const got = await client.auth.getUser(session.access_token);
    expect(got.error).toBeNull();
    expect(got.data.user?.id).toBe(user.id);

    const [row] = await backend.db.query<{ encrypted_password: string; sessions: number }>(
      `select encrypted_password, (select count(*)::int from auth.sessions where user_id = u.id) as sessions
       from auth.users u where id = $1`,
      [user.id],
    );
    expect(row?.encrypted_password).toMatch(/^\$2[ab]\$10\$/);
    expect(row?.sessions).toBe(1);
  });

  test('sign-in with the password opens a new session; the address is case-insensitive', async () => {
    const { email, session: first, user } = await signUp();
    const client = backend.anon();
    const { data, error } = await client.auth.signInWithPassword({
      email: email.toUpperCase(),
      password: PASSWORD,
    });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(user.id);
    expect(data.user?.last_sign_in_at).toBeTruthy();
    expect(decodeClaims(data.session!.access_token).session_id).not.toBe(
      decodeClaims(first.access_token).session_id,
    );
    const got = await client.auth.getUser();
    expect(got.data.user?.email).toBe(email);
  });

  test('a user seeded in SQL with a pgcrypto bcrypt hash signs in', async () => {
    const email = newEmail();
    await backend.db.query(
      `insert into auth.users (email, encrypted_password, email_confirmed_at)
       values ($1, extensions.crypt($2, extensions.gen_salt('bf', 10)), now())`,
      [email, PASSWORD],
    );
    const { data, error } = await backend.anon().auth.signInWithPassword({ email, password: PASSWORD });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);
  });

  test('a wrong password and an unknown email get the same invalid_credentials error', async () => {
    const { email } = await signUp();
    const wrong = await backend.anon().auth.signInWithPassword({ email, password: 'not the password' });
    const unknown = await backend.anon().auth.signInWithPassword({ email: newEmail(), password: PASSWORD });
    for (const { data, error } of [wrong, unknown]) {
      expect(error).toBeInstanceOf(AuthApiError);
      expectAuthError(error, 400, 'invalid_credentials', 'Invalid login credentials');
      expect(data.session).toBeNull();
    }
  });

  test('signing up an address twice is user_already_exists, whatever its case', async () => {
    const { email } = await signUp();
    const again = await backend.anon().auth.signUp({ email: email.toUpperCase(), password: PASSWORD });
    expectAuthError(again.error, 422, 'user_already_exists', 'User already registered');
    const [row] = await backend.db.query<{ n: number }>(
      'select count(*)::int as n from auth.users where email = $1',
      [email],
    );
    expect(row?.n).toBe(1);
  });

  test('a password shorter than 6 characters is weak_password and creates nothing', async () => {
    const email = newEmail();
    const { error } = await backend.anon().auth.signUp({ email, password: '12345' });
    expect(error).toBeInstanceOf(AuthWeakPasswordError);
    expectAuthError(error, 422, 'weak_password', 'Password should be at least 6 characters.');
    expect((error as AuthWeakPasswordError).reasons).toEqual(['length']);
    const rows = await backend.db.query('select 1 from auth.users where email = $1', [email]);
    expect(rows).toHaveLength(0);
  });

  test('a malformed email address and an over-long password are refused', async () => {
    const bad = await backend.anon().auth.signUp({ email: 'not-an-email', password: PASSWORD });
    expectAuthError(
      bad.error,
      400,
      'email_address_invalid',
      'Unable to validate email address: invalid format',
    );
    const long = await backend.anon().auth.signUp({ email: newEmail(), password: 'x'.repeat(73) });
    expectAuthError(long.error, 422, 'validation_failed', 'Password cannot be longer than 72 characters');
  });

  test('sign-up runs the AFTER INSERT triggers migrations put on auth.users, atomically', async () => {
    await backend.db.exec(`
      create table public.auth_test_signups (user_id uuid primary key, email text);
      create function public.auth_test_on_signup() returns trigger language plpgsql as $$
      begin
        if new.email like 'reject-%' then raise exception 'rejected by trigger'; end if;
        insert into public.auth_test_signups values (new.id, new.email);
        return new;
      end $$;
      create trigger auth_test_on_signup after insert on auth.users
        for each row execute function public.auth_test_on_signup();
    `);
    try {
      const { user } = await signUp();
      const rows = await backend.db.query('select email from public.auth_test_signups where user_id = $1', [
        user.id,
      ]);
      expect(rows).toEqual([{ email: user.email }]);

      // A failing trigger fails the sign-up and leaves no user behind.
      const email = `reject-${newEmail()}`;
      const res = await authFetch('/signup', {
        method: 'POST',
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({
        code: 'unexpected_failure',
        message: 'Unexpected failure, please check server logs for more information',
      });
      expect(await backend.db.query('select 1 from auth.users where email = $1', [email])).toHaveLength(0);
    } finally {
      await backend.db.exec(`
        drop trigger auth_test_on_signup on auth.users;
        drop function public.auth_test_on_signup();
        drop table public.auth_test_signups;
      `);
    }
  });
});

describe('access tokens', () => {
  let strict: Backend;
  beforeAll(async () => {
    strict = await startBackend({ jwtExpiry: 1, maxBodyBytes: 1024 });
  });
  afterAll(() => strict?.close());

  test('an expired access token is bad_jwt on /user, and the refresh token still renews it', async () => {
    const client = strict.anon();
    const { data } = await client.auth.signUp({ email: newEmail(), password: PASSWORD });
    const session = data.session!;
    expect(session.expires_in).toBe(1);
    await new Promise((r) => setTimeout(r, 2100));

    const expired = await client.auth.getUser(session.access_token);
    expectAuthError(
      expired.error,
      403,
      'bad_jwt',
      'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired',
    );

    const renewed = await strict.anon().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(renewed.error).toBeNull();
    const res = await fetch(`${strict.url}/auth/v1/user`, {
      headers: {
        apikey: strict.config.anonKey,
        authorization: `Bearer ${renewed.data.session!.access_token}`,
      },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(data.user!.id);
  });

  test('a body over maxBodyBytes is 413, with or without a content-length', async () => {
    const big = JSON.stringify({ email: newEmail(), password: PASSWORD, data: { pad: 'x'.repeat(2000) } });
    const headers = { apikey: strict.config.anonKey, 'x-supabase-api-version': '2024-01-01' };
    const sized = await fetch(`${strict.url}/auth/v1/signup`, { method: 'POST', headers, body: big });
    expect(sized.status).toBe(413);
    expect(await sized.json()).toEqual({
      code: 'request_too_large',
      message: 'Request body is larger than the limit of 1024 bytes',
    });
    const streamed = await fetch(`${strict.url}/auth/v1/signup`, {
      method: 'POST',
      headers,
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const [row] = await strict.db.query<{ n: number }>('select count(*)::int as n from auth.users');
    expect(row?.n).toBe(1);
  });

  test('a tampered signature and a token signed with another secret are bad_jwt', async () => {
    const { client, session } = await signUp();
    const [head, , sig] = session.access_token.split('.') as [string, string, string];
    const flipped = tamperSignature(session.access_token);
    const forged = await signJwt(decodeClaims(session.access_token), OTHER_SECRET);
    for (const token of [flipped, forged]) {
      const { data, error } = await client.auth.getUser(token);
      expectAuthError(error, 403, 'bad_jwt');
      expect(error?.message).toMatch(/^invalid JWT: unable to parse or verify signature, /);
      expect(data.user).toBeNull();
    }
    // A token claiming more than it was given (edited payload, original signature) fails too.
    const claims = { ...decodeClaims(session.access_token), role: 'service_role' };
    const edited = `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    const res = await authFetch('/admin/users', { bearer: edited });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('bad_jwt');
  });

  test('the anon key as bearer has no user: /user is bad_jwt (missing sub)', async () => {
    const res = await authFetch('/user', { bearer: backend.config.anonKey });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
  });
});

describe('refresh tokens', () => {
  test('rotation issues a new token in the same session and spends the old one', async () => {
    const { session, user } = await signUp();
    const { data, error } = await refresh(session.refresh_token);
    expect(error).toBeNull();
    const next = data.session!;
    expect(next.refresh_token).not.toBe(session.refresh_token);
    expect(next.user.id).toBe(user.id);
    expect(decodeClaims(next.access_token).session_id).toBe(decodeClaims(session.access_token).session_id);
    const got = await backend.anon().auth.getUser(next.access_token);
    expect(got.data.user?.id).toBe(user.id);

    const rows = await backend.db.query<{ token: string; parent: string | null; revoked: boolean }>(
      'select token, parent, revoked from auth.refresh_tokens where user_id = $1 order by id',
      [user.id],
    );
    expect(rows).toEqual([
      { token: session.refresh_token, parent: null, revoked: true },
      { token: next.refresh_token, parent: session.refresh_token, revoked: false },
    ]);

    // The newest token rotates on; the spent one now counts as reuse.
    const third = await refresh(next.refresh_token);
    expect(third.error).toBeNull();
    const reused = await refresh(session.refresh_token);
    expectAuthError(reused.error, 400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
  });

  test('reusing a spent token revokes the whole family: the newest token and the session die', async () => {
    const { session } = await signUp();
    const second = (await refresh(session.refresh_token)).data.session!;
    const reused = await refresh(session.refresh_token);
    expectAuthError(reused.error, 400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');

    const newest = await refresh(second.refresh_token);
    expectAuthError(
      newest.error,
      400,
      'refresh_token_not_found',
      'Invalid Refresh Token: Refresh Token Not Found',
    );
    const again = await refresh(session.refresh_token);
    expectAuthError(again.error, 400, 'refresh_token_not_found');

    // Access tokens of the ended session no longer reach /user.
    const res = await authFetch('/user', { bearer: second.access_token });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      code: 'session_not_found',
      message: 'Session from session_id claim in JWT does not exist',
    });
    const viaClient = await backend.anon().auth.getUser(second.access_token);
    expect(viaClient.error).toBeInstanceOf(AuthSessionMissingError);
  });

  test('reuse ends only that session: the same user’s other sessions keep working', async () => {
    const { email, session } = await signUp();
    const other = (await backend.anon().auth.signInWithPassword({ email, password: PASSWORD })).data.session!;
    await refresh(session.refresh_token);
    await refresh(session.refresh_token);
    const { error } = await refresh(other.refresh_token);
    expect(error).toBeNull();
  });

  test('within the reuse interval, the parent of the current token gets the current token back', async () => {
    vi.stubEnv('GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL', '10');
    try {
      const { session } = await signUp();
      // Two tabs refreshing with the same token at once both end up with one live token.
      const [a, b] = await Promise.all([refresh(session.refresh_token), refresh(session.refresh_token)]);
      expect(a.error).toBeNull();
      expect(b.error).toBeNull();
      expect(a.data.session!.refresh_token).toBe(b.data.session!.refresh_token);
      const later = await refresh(session.refresh_token);
      expect(later.data.session!.refresh_token).toBe(a.data.session!.refresh_token);
      const [live] = await backend.db.query<{ n: number }>(
        `select count(*)::int as n from auth.refresh_tokens
         where session_id = $1 and not revoked`,
        [decodeClaims(session.access_token).session_id],
      );
      expect(live?.n).toBe(1);
    } finally {
      vi.stubEnv('GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL', '0');
    }
  });

  test('an unknown or missing refresh token is refused', async () => {
    const unknown = await refresh('no-such-token-anywhere');
    expectAuthError(
      unknown.error,
      400,
      'refresh_token_not_found',
      'Invalid Refresh Token: Refresh Token Not Found',
    );
    const res = await authFetch('/token?grant_type=refresh_token', { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'validation_failed', message: 'refresh_token required' });
    const grant = await authFetch('/token?grant_type=magic', { method: 'POST', body: '{}' });
    expect(grant.status).toBe(400);
  });
});

describe('user and logout', () => {
  test('PUT /user merges metadata and changes the password, ending the other sessions', async () => {
    const { client, email, user } = await signUp(undefined, { keep: 1, drop: 2 });
    const other = (await backend.anon().auth.signInWithPassword({ email, password: PASSWORD })).data.session!;

    const meta = await client.auth.updateUser({ data: { drop: null, added: 'yes' } });
    expect(meta.error).toBeNull();
    expect(meta.data.user?.user_metadata).toEqual({ keep: 1, added: 'yes' });

    const same = await client.auth.updateUser({ password: PASSWORD });
    expectAuthError(same.error, 422, 'same_password');

    const changed = await client.auth.updateUser({ password: 'a brand new password' });
    expect(changed.error).toBeNull();
    const oldPw = await backend.anon().auth.signInWithPassword({ email, password: PASSWORD });
    expectAuthError(oldPw.error, 400, 'invalid_credentials');
    const newPw = await backend.anon().auth.signInWithPassword({ email, password: 'a brand new password' });
    expect(newPw.data.user?.id).toBe(user.id);

    expectAuthError((await refresh(other.refresh_token)).error, 400, 'refresh_token_not_found');
    expect((await client.auth.getUser()).data.user?.id).toBe(user.id);
  });

  test('logout (global) revokes every refresh token and session of the user', async () => {
    const { client, email, session } = await signUp();
    const other = (await backend.anon().auth.signInWithPassword({ email, password: PASSWORD })).data.session!;
    const { error } = await client.auth.signOut();
    expect(error).toBeNull();
    expectAuthError((await refresh(session.refresh_token)).error, 400, 'refresh_token_not_found');
    expectAuthError((await refresh(other.refresh_token)).error, 400, 'refresh_token_not_found');
    const res = await authFetch('/user', { bearer: session.access_token });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('session_not_found');
  });

  test('logout scopes: local ends this session only, others ends all but this one', async () => {
    const { email, session: a } = await signUp();
    const signIn = async () =>
      (await backend.anon().auth.signInWithPassword({ email, password: PASSWORD })).data.session!;
    const b = await signIn();
    const c = await signIn();

    const local = await authFetch('/logout?scope=local', { method: 'POST', bearer: a.access_token });
    expect(local.status).toBe(204);
    expectAuthError((await refresh(a.refresh_token)).error, 400, 'refresh_token_not_found');

    const others = await authFetch('/logout?scope=others', { method: 'POST', bearer: b.access_token });
    expect(others.status).toBe(204);
    expectAuthError((await refresh(c.refresh_token)).error, 400, 'refresh_token_not_found');
    expect((await refresh(b.refresh_token)).error).toBeNull();

    const bad = await authFetch('/logout?scope=everywhere', { method: 'POST', bearer: b.access_token });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('validation_failed');
  });
});

describe('admin', () => {
  test('admin routes need the service_role key', async () => {
    const { session } = await signUp();
    const asAnon = await backend.anon().auth.admin.createUser({ email: newEmail(), password: PASSWORD });
    expectAuthError(asAnon.error, 403, 'not_admin', 'User not allowed');
    const listAsAnon = await backend.anon().auth.admin.listUsers();
    expectAuthError(listAsAnon.error, 403, 'not_admin');
    const asUser = await authFetch('/admin/users', { bearer: session.access_token });
    expect(asUser.status).toBe(403);
    expect(await asUser.json()).toEqual({ code: 'not_admin', message: 'User not allowed' });
  });

  test('create, list, fetch and delete users', async () => {
    const admin = backend.service().auth.admin;
    const email = newEmail();
    const created = await admin.createUser({
      email,
      password: PASSWORD,
      email_confirm: true,
      user_metadata: { team: 'blue' },
    });
    expect(created.error).toBeNull();
    const id = created.data.user!.id;
    expect(created.data.user).toMatchObject({ email, user_metadata: { team: 'blue' } });
    expect(JSON.stringify(created.data)).not.toMatch(/encrypted_password|\$2[aby]\$/);

    const signedIn = await backend.anon().auth.signInWithPassword({ email, password: PASSWORD });
    expect(signedIn.data.user?.id).toBe(id);

    const duplicate = await admin.createUser({ email, password: PASSWORD });
    expectAuthError(duplicate.error, 422, 'email_exists');

    const list = await admin.listUsers({ page: 1, perPage: 1000 });
    expect(list.error).toBeNull();
    expect(list.data.users.map((u) => u.id)).toContain(id);
    const [count] = await backend.db.query<{ n: number }>('select count(*)::int as n from auth.users');
    expect(list.data.users).toHaveLength(count!.n);

    const one = await admin.getUserById(id);
    expect(one.data.user?.email).toBe(email);

    const deleted = await admin.deleteUser(id);
    expect(deleted.error).toBeNull();
    expect(await backend.db.query('select 1 from auth.users where id = $1', [id])).toHaveLength(0);
    expectAuthError(
      (await refresh(signedIn.data.session!.refresh_token)).error,
      400,
      'refresh_token_not_found',
    );
    const gone = await admin.getUserById(id);
    expectAuthError(gone.error, 404, 'user_not_found');
  });

  test('an admin-created user without email_confirm cannot sign in yet', async () => {
    const email = newEmail();
    await backend.service().auth.admin.createUser({ email, password: PASSWORD });
    const { error } = await backend.anon().auth.signInWithPassword({ email, password: PASSWORD });
    expectAuthError(error, 400, 'email_not_confirmed', 'Email not confirmed');
  });

  test('list pagination follows per_page and reports the total', async () => {
    const admin = backend.service().auth.admin;
    const [count] = await backend.db.query<{ n: number }>('select count(*)::int as n from auth.users');
    const page = await admin.listUsers({ page: 1, perPage: 1 });
    expect(page.data.users).toHaveLength(1);
    expect((page.data as { total?: number }).total).toBe(count!.n);
    const res = await authFetch('/admin/users?per_page=zero', { bearer: backend.config.serviceRoleKey });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('per_page');
  });
});

describe('request hygiene', () => {
  test('malformed JSON is bad_json, in both of GoTrue’s error shapes', async () => {
    const res = await authFetch('/signup', { method: 'POST', body: '{"email": "a@b.c", ' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('bad_json');
    expect(body.message).toMatch(/^Could not parse request body as JSON: /);

    const legacy = await authFetch('/token?grant_type=password', {
      method: 'POST',
      body: '[1,2]',
      version: false,
    });
    expect(legacy.status).toBe(400);
    expect(await legacy.json()).toEqual({
      code: 400,
      error_code: 'bad_json',
      msg: 'Could not parse request body as JSON: the request body must be a JSON object',
    });

    const wrongType = await authFetch('/signup', { method: 'POST', body: JSON.stringify({ email: 5 }) });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { message: string }).message).toContain('"email" must be a string');
  });

  test('a missing or invalid apikey is 401 before auth runs; /health needs none', async () => {
    const missing = await authFetch('/settings', { apikey: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'No API key found in request' });

    const forgedKey = await signJwt({ role: 'anon' }, OTHER_SECRET);
    const invalid = await authFetch('/signup', {
      method: 'POST',
      apikey: forgedKey,
      body: JSON.stringify({ email: newEmail(), password: PASSWORD }),
    });
    expect(invalid.status).toBe(401);
    expect(await invalid.json()).toEqual({ message: 'Invalid API key' });

    const badClient = clientFor(backend.url, forgedKey);
    const viaClient = await badClient.auth.signInWithPassword({ email: newEmail(), password: PASSWORD });
    expectAuthError(viaClient.error, 401, undefined, 'Invalid API key');

    expect((await authFetch('/health', { apikey: null })).status).toBe(200);
    const settings = await authFetch('/settings');
    expect(settings.status).toBe(200);
    expect(await settings.json()).toMatchObject({ mailer_autoconfirm: true, external: { email: true } });
  });
});
