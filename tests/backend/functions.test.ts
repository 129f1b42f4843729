// /functions/v1/<name>: web-standard handlers mounted from a functions folder, with
// Supabase's verify_jwt gate and CORS, called through supabase-js functions.invoke.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { functionsWithoutJwt } from '../../supabase/local/functions.ts';
import { type Backend, startBackend } from './harness.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
let backend: Backend;

beforeAll(async () => {
  backend = await startBackend({
    functionsDir: join(fixtures, 'functions'),
    configToml: join(fixtures, 'config.toml'),
  });
});
afterAll(() => backend?.close());

test('invoke reaches the handler with the caller JWT and the function environment', async () => {
  const user = await backend.mintUser();
  const { data, error } = await user.client.functions.invoke('echo', { body: { hello: 'world' } });
  expect(error).toBeNull();
  expect(data).toEqual({
    method: 'POST',
    path: '/functions/v1/echo',
    body: { hello: 'world' },
    hasServiceKey: true,
    supabaseUrl: backend.url,
    authorization: true,
  });
});

test('verify_jwt: no or a forged token is refused before the handler runs', async () => {
  const none = await fetch(`${backend.url}/functions/v1/echo`, { method: 'POST', body: '{}' });
  expect(none.status).toBe(401);
  const user = await backend.mintUser();
  const forged = `${user.accessToken.slice(0, -4)}AAAA`;
  const res = await fetch(`${backend.url}/functions/v1/echo`, {
    method: 'POST',
    headers: { authorization: `Bearer ${forged}` },
    body: '{}',
  });
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ message: expect.stringMatching(/invalid JWT/) });
});

test('a function with verify_jwt = false takes unauthenticated calls (webhooks)', async () => {
  const res = await fetch(`${backend.url}/functions/v1/open-hook`, { method: 'POST', body: 'x' });
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('hook ok');
});

test('a throwing handler is a 500 that does not leak its error', async () => {
  const res = await fetch(`${backend.url}/functions/v1/open-hook?fail`, { method: 'POST' });
  expect(res.status).toBe(500);
  expect(await res.text()).not.toContain('secret internal detail');
});

test('an unknown function is a 404', async () => {
  const res = await fetch(`${backend.url}/functions/v1/nope`, {
    method: 'POST',
    headers: { authorization: `Bearer ${backend.config.anonKey}` },
  });
  expect(res.status).toBe(404);
});

test('CORS preflight answers any origin with the headers supabase-js sends, and exposes Content-Range', async () => {
  for (const path of ['/rest/v1/contacts', '/auth/v1/token', '/functions/v1/echo']) {
    const res = await fetch(`${backend.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,apikey,content-type,prefer,x-client-info',
      },
    });
    expect(res.status, path).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase(), path).toContain('apikey');
  }
  const get = await fetch(`${backend.url}/rest/v1/contacts?select=id`, {
    headers: { apikey: backend.config.anonKey, origin: 'http://localhost:5173' },
  });
  expect(get.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('content-range');
});

test('config.toml parsing: only verify_jwt = false under [functions.<name>] turns the gate off', () => {
  const off = functionsWithoutJwt(
    '[functions.a]\nverify_jwt = false\n[functions.b]\nverify_jwt = true\n[auth]\nverify_jwt = false\n',
  );
  expect([...off]).toEqual(['a']);
});
