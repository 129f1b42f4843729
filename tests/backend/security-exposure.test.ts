// Attacks on a local stack listening beyond loopback (HOST=0.0.0.0): a service_role key
// forged with the Supabase CLI's public JWT secret, the demo owner's published password,
// and web pages of other origins driving the API. The stack refuses to start exposed with
// the public secret or the default demo password, and says why.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI_DEFAULT_JWT_SECRET } from '../../supabase/local/config.ts';
import { signJwt } from '../../supabase/local/jwt.ts';
import { deliveryOptions } from '../../supabase/local/outbox-options.ts';
import { type Backend, startBackend } from './harness.ts';

const OWN_SECRET = 'an-own-secret-of-this-deployment-0123456789';
const DEMO_PASSWORD = 'a demo password of our own';
const root = join(import.meta.dirname, '..', '..');

/** A client that gives supabase-js no session storage. */
function anonClient(url: string, key: string) {
  return createClient(url, key, { auth: { persistSession: false, autoRefreshToken: false } });
}

describe('refusing to start exposed', () => {
  test('without JWT_SECRET, or with the CLI public one, beyond loopback: refused, saying why', async () => {
    for (const jwtSecret of [undefined, CLI_DEFAULT_JWT_SECRET]) {
      await expect(
        startBackend({ host: '0.0.0.0', seed: true, demoPassword: DEMO_PASSWORD, jwtSecret }),
      ).rejects.toThrow(
        /HOST=0\.0\.0\.0 exposes the API beyond this machine, and the JWT secret is the Supabase CLI's public one.*Set JWT_SECRET/,
      );
    }
  });

  test('with the demo account on its published password beyond loopback: refused, saying why', async () => {
    await expect(startBackend({ host: '0.0.0.0', seed: true, jwtSecret: OWN_SECRET })).rejects.toThrow(
      /demo account demo@pigeon\.local still has the published password "pigeon-demo".*PIGEON_DEMO_PASSWORD/,
    );
    await expect(
      startBackend({ host: '0.0.0.0', seed: true, jwtSecret: OWN_SECRET, demoPassword: 'pigeon-demo' }),
    ).rejects.toThrow(/PIGEON_DEMO_PASSWORD must be 8 characters at least, and not the default one/);
    // It migrates and seeds a whole database before it can tell: slow on a loaded machine.
  }, 180_000);

  test('`npm run backend` with HOST=0.0.0.0 and no JWT_SECRET exits with the reason', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pigeon-exposed-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOST: '0.0.0.0',
      PORT: '0',
      PIGEON_DATA_DIR: dataDir,
      OUTBOX_INTERVAL_MS: '0',
    };
    delete env.JWT_SECRET;
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'supabase/local/main.ts')], { env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/npm run backend failed: HOST=0\.0\.0\.0 exposes the API.*Set JWT_SECRET/);
  }, 120_000);
});

describe('the simulator, which signs webhooks for whoever holds its secrets', () => {
  test('is not started beyond loopback unless PIGEON_SIMULATOR=true asks for it', () => {
    for (const HOST of ['0.0.0.0', '192.168.1.5', '::']) {
      expect(deliveryOptions({ HOST }).simulator, HOST).toBeUndefined();
      expect(deliveryOptions({ HOST, PIGEON_SIMULATOR: 'true' }).simulator, HOST).toBeDefined();
    }
    for (const HOST of [undefined, '127.0.0.1', 'localhost', '::1']) {
      expect(deliveryOptions({ HOST }).simulator, HOST).toBeDefined();
      expect(deliveryOptions({ HOST, PIGEON_SIMULATOR: 'false' }).simulator, HOST).toBeUndefined();
    }
  });
});

describe('exposed with its own secret and demo password', () => {
  let backend: Backend;
  let ip: string;
  beforeAll(async () => {
    backend = await startBackend({
      host: '0.0.0.0',
      seed: true,
      jwtSecret: OWN_SECRET,
      demoPassword: DEMO_PASSWORD,
    });
    // Reached as another machine would: by an address that is not loopback's name.
    ip = backend.url.replace('0.0.0.0', '127.0.0.1');
  });
  afterAll(() => backend?.close());

  test('a service_role key forged with the public secret is refused', async () => {
    const forged = await signJwt(
      { iss: 'supabase-demo', role: 'service_role', exp: 4e9 },
      CLI_DEFAULT_JWT_SECRET,
    );
    const res = await fetch(`${ip}/rest/v1/workspaces?select=id`, {
      headers: { apikey: forged, authorization: `Bearer ${forged}` },
    });
    expect(res.status).toBe(401);
    const admin = await fetch(`${ip}/auth/v1/admin/users`, {
      headers: { apikey: forged, authorization: `Bearer ${forged}` },
    });
    expect(admin.status).toBe(401);
  });

  test('the demo owner no longer opens with the published password, only with the chosen one', async () => {
    const published = await anonClient(ip, backend.config.anonKey).auth.signInWithPassword({
      email: 'demo@pigeon.local',
      password: 'pigeon-demo',
    });
    expect(published.error?.message).toMatch(/invalid login credentials/i);
    const own = await anonClient(ip, backend.config.anonKey).auth.signInWithPassword({
      email: 'demo@pigeon.local',
      password: DEMO_PASSWORD,
    });
    expect(own.error).toBeNull();
  });

  test('CORS: a foreign page may not read answers; the app on the same host may', async () => {
    const port = new URL(ip).port;
    const foreign = await fetch(`${ip}/rest/v1/`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(`${ip}/functions/v1/outbox`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const app = await fetch(`${ip}/rest/v1/`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'GET' },
    });
    expect(app.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(port).not.toBe('5173');
  });
});

describe('on loopback', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await startBackend();
  });
  afterAll(() => backend?.close());

  test('CORS answers any origin, as for `supabase start`', async () => {
    const res = await fetch(`${backend.url}/rest/v1/`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('a private-network preflight from a public page is refused with the reason; from a local page allowed', async () => {
    const pna = (origin: string) =>
      fetch(`${backend.url}/rest/v1/rpc/pull_rows`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-private-network': 'true',
        },
      });
    const publicPage = await pna('https://evil.example');
    expect(publicPage.status).toBe(403);
    expect(publicPage.headers.get('access-control-allow-private-network')).toBeNull();
    expect(await publicPage.json()).toEqual({
      message:
        'Private network access from https://evil.example is not allowed: list the origin in PIGEON_CORS_ORIGINS',
    });
    const localPage = await pna('http://localhost:5173');
    expect(localPage.status).toBe(204);
    expect(localPage.headers.get('access-control-allow-private-network')).toBe('true');
  });
});
