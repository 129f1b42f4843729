// Channel credentials at rest and in flight: sealed in channel_secrets, never readable by
// anon or authenticated (REST, RPC, realtime), absent from every table and from the server's
// log after channels are connected, tested and reconnected; and the key rotation.
import { createClient, type RealtimeChannel } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import WebSocket from 'ws';
import { openCredentials, type SealedRow } from '../../supabase/functions/_shared/channel-secrets.ts';
import { keyringFromEnv } from '../../supabase/functions/_shared/secret-box.ts';
import { createHandler } from '../../supabase/functions/channels/handler.ts';
import { functionEnv } from '../../supabase/local/functions.ts';
import { legacySeal } from '../support/legacy-seal.ts';
import {
  type ConnectedChannel,
  callFunction,
  connectMeta,
  connectWhapi,
  workspaceOf,
} from './channel-steps.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

const KEY_1 = 'first-key-0123456789abcdef0123456789abcdef';
const KEY_2 = 'second-key-fedcba9876543210fedcba9876543210';

let backend: Backend;
let owner: MintedUser;
let workspaceId: string;
const logged: string[] = [];
const events: unknown[] = [];
let realtime: RealtimeChannel;
let meta: ConnectedChannel;
let whapi: ConnectedChannel;

beforeAll(async () => {
  // Everything the process prints while channels are connected and used: the server's log.
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const print = console[level].bind(console);
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(' '));
      print(...args);
    });
  }
  process.env.PIGEON_SECRETS_KEY = KEY_1;
  backend = await startBackend({ simulator: { delays: { sent: 10, delivered: 20, read: 30 } } });
  owner = await backend.mintUser();
  workspaceId = await workspaceOf(backend, owner);

  // A member listening to every published table while the credentials come and go.
  const listener = createClient(backend.url, backend.config.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
    accessToken: async () => owner.accessToken,
  });
  await listener.realtime.setAuth();
  realtime = listener
    .channel('everything')
    .on('postgres_changes', { event: '*', schema: 'public' }, (p) => events.push(p));
  await new Promise<void>((resolve, reject) =>
    realtime.subscribe((status, err) =>
      status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' ? reject(err) : undefined,
    ),
  );

  meta = await connectMeta(backend, owner, workspaceId);
  whapi = await connectWhapi(backend, owner, workspaceId);
  expect((await callFunction(backend, owner.accessToken, `channels/${meta.id}/test`)).status).toBe(200);
  // A reconnect with a new token, and a failed one with a wrong token.
  const fresh = backend.simulator!.rotateToken(meta.numberId);
  expect(
    (
      await callFunction(backend, owner.accessToken, `channels/${meta.id}/reconnect`, {
        body: { access_token: fresh },
      })
    ).status,
  ).toBe(200);
  meta.credentials.fresh_token = fresh;
  expect(
    (
      await callFunction(backend, owner.accessToken, `channels/${whapi.id}/reconnect`, {
        body: { api_token: 'wrong-token-0123' },
      })
    ).status,
  ).toBe(422);
  await new Promise((resolve) => setTimeout(resolve, 500));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await realtime?.unsubscribe();
  await backend?.close();
  delete process.env.PIGEON_SECRETS_KEY;
});

/** Every secret this test handed to Pigeon, as text, hex and base64. */
function secretForms(): string[] {
  const secrets = [
    ...Object.entries(meta.credentials)
      .filter(([k]) => k !== 'phone_number_id' && k !== 'waba_id')
      .map(([, v]) => v),
    whapi.credentials.api_token!,
    'wrong-token-0123',
  ];
  return secrets.flatMap((s) => [s, Buffer.from(s).toString('hex'), Buffer.from(s).toString('base64')]);
}

describe('at rest', () => {
  test('channel_secrets holds ciphertext with a salt, an IV, the key version and the iteration count', async () => {
    const rows = await backend.db.query<Record<string, unknown>>(
      `select channel_id, octet_length(iv) as iv, octet_length(salt) as salt, key_version, kdf_iterations, kdf
       from public.channel_secrets order by channel_id`,
    );
    expect(rows.map((r) => r.channel_id).sort()).toEqual([meta.id, whapi.id].sort());
    for (const row of rows)
      expect(row).toMatchObject({
        iv: 12,
        salt: 16,
        key_version: 1,
        kdf_iterations: 600000,
        kdf: 'pbkdf2-hkdf',
      });
  });

  test('no table of any schema, and no line of the server log, carries a credential', async () => {
    const tables = await backend.db.query<{ s: string; t: string }>(
      `select table_schema as s, table_name as t from information_schema.tables
       where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    );
    expect(tables.length).toBeGreaterThan(20);
    let dump = '';
    for (const { s, t } of tables) {
      const rows = await backend.db.query<{ r: string }>(`select t::text as r from "${s}"."${t}" t`);
      dump += rows.map((r) => r.r).join('\n');
    }
    expect(dump).toContain(meta.id);
    const log = logged.join('\n');
    for (const form of secretForms()) {
      expect(dump.includes(form), `a table holds ${form.slice(0, 6)}…`).toBe(false);
      expect(log.includes(form), `the log holds ${form.slice(0, 6)}…`).toBe(false);
    }
  });
});

describe('closed to clients', () => {
  test('neither anon nor authenticated reads channel_secrets or calls its functions', async () => {
    for (const client of [owner.client, backend.anon()]) {
      const read = await client.from('channel_secrets').select('*');
      expect(read.data ?? []).toEqual([]);
      expect(read.error).not.toBeNull();
      for (const [fn, args] of [
        ['channel_with_secret', { p_channel_id: meta.id }],
        ['channel_secrets_to_rotate', { p_key_version: 2 }],
        [
          'seal_channel_secret',
          {
            p_channel_id: meta.id,
            p_ciphertext: 'AA==',
            p_iv: 'AA==',
            p_salt: 'AA==',
            p_key_version: 1,
            p_kdf_iterations: 600000,
            p_kdf: 'pbkdf2-hkdf',
          },
        ],
        ['record_channel_check', { p_channel_id: meta.id, p_check: { ok: true, status: 'connected' } }],
        [
          'create_provider_channel',
          { p_id: meta.id, p_workspace_id: workspaceId, p_name: 'x', p_provider: 'meta', p_settings: {} },
        ],
      ] as const) {
        const { error } = await client.rpc(fn, args);
        expect(error?.code, fn).toBe('42501');
      }
    }
  });

  test('realtime: channel_secrets is not published, and no change a member saw carried a credential', async () => {
    expect(events.length).toBeGreaterThan(0);
    expect(events.some((e) => (e as { table: string }).table === 'channel_secrets')).toBe(false);
    const seen = JSON.stringify(events);
    for (const form of secretForms()) expect(seen.includes(form)).toBe(false);
    const join = await new Promise<string>((resolve) => {
      const client = createClient(backend.url, backend.config.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
        accessToken: async () => owner.accessToken,
      });
      void client.realtime.setAuth().then(() =>
        client
          .channel('secrets')
          .on('postgres_changes', { event: '*', schema: 'public', table: 'channel_secrets' }, () => undefined)
          .subscribe((status, err) => {
            if (status !== 'SUBSCRIBED' && status !== 'CHANNEL_ERROR') return;
            resolve(status === 'SUBSCRIBED' ? 'subscribed' : String(err?.message));
            void client.removeAllChannels();
          }),
      );
    });
    expect(join).toMatch(/not in publication/);
  });
});

describe('key rotation', () => {
  const rotatedEnv = (keys: Record<string, string>) => ({ ...functionEnv(backend.config), ...keys });
  const post = (handler: ReturnType<typeof createHandler>, path: string, token: string) =>
    handler(
      new Request(`${backend.url}/functions/v1/channels/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      }),
    );

  test('re-seals every row under the new key; the old key then opens nothing', async () => {
    const before = await backend.db.query<{ channel_id: string; ciphertext: string; iv: string }>(
      `select channel_id, encode(ciphertext, 'hex') as ciphertext, encode(iv, 'hex') as iv from public.channel_secrets`,
    );
    const rotating = createHandler(
      rotatedEnv({
        PIGEON_SECRETS_KEY: KEY_2,
        PIGEON_SECRETS_KEY_VERSION: '2',
        PIGEON_SECRETS_PREVIOUS_KEYS: `1:${KEY_1}`,
      }),
    );
    expect((await post(rotating, 'rotate-key', owner.accessToken)).status).toBe(401);
    const rotated = await post(rotating, 'rotate-key', backend.config.serviceRoleKey);
    expect([rotated.status, await rotated.json()]).toEqual([
      200,
      { key_version: 2, resealed: 2, skipped: 0 },
    ]);
    const after = await backend.db.query<{
      channel_id: string;
      ciphertext: string;
      iv: string;
      key_version: number;
    }>(
      `select channel_id, encode(ciphertext, 'hex') as ciphertext, encode(iv, 'hex') as iv, key_version from public.channel_secrets`,
    );
    for (const row of after) {
      const old = before.find((b) => b.channel_id === row.channel_id)!;
      expect(row.key_version).toBe(2);
      expect([row.ciphertext, row.iv]).not.toEqual([old.ciphertext, old.iv]);
    }
    // Nothing left to rotate.
    expect(await (await post(rotating, 'rotate-key', backend.config.serviceRoleKey)).json()).toMatchObject({
      resealed: 0,
    });

    // A server with only the new key works with the channel; one with only the old key cannot.
    const current = createHandler(rotatedEnv({ PIGEON_SECRETS_KEY: KEY_2, PIGEON_SECRETS_KEY_VERSION: '2' }));
    expect((await post(current, `${meta.id}/test`, owner.accessToken)).status).toBe(200);
    const stale = createHandler(rotatedEnv({ PIGEON_SECRETS_KEY: KEY_1 }));
    const refused = await post(stale, `${meta.id}/test`, owner.accessToken);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /key version 2, which this server does not have/,
    );
  });

  test('a row sealed the old way (a key stretched per row) still opens, and the rotation re-seals it', async () => {
    const env = rotatedEnv({ PIGEON_SECRETS_KEY: KEY_2, PIGEON_SECRETS_KEY_VERSION: '2' });
    const [row] = await backend.db.query<{ j: SealedRow }>(
      `select private.sealed_secret_json(s) as j from public.channel_secrets s where channel_id = $1`,
      [meta.id],
    );
    const plaintext = JSON.stringify(await openCredentials(keyringFromEnv(env), row!.j));
    const old = await legacySeal(KEY_2, meta.id, plaintext);
    await backend.db.query(
      `update public.channel_secrets set ciphertext = $2, iv = $3, salt = $4, kdf = 'pbkdf2' where channel_id = $1`,
      [meta.id, Buffer.from(old.ciphertext), Buffer.from(old.iv), Buffer.from(old.salt)],
    );
    const current = createHandler(env);
    expect((await post(current, `${meta.id}/test`, owner.accessToken)).status).toBe(200);
    const rotated = await post(current, 'rotate-key', backend.config.serviceRoleKey);
    expect(await rotated.json()).toEqual({ key_version: 2, resealed: 1, skipped: 0 });
    const kdfs = await backend.db.query<{ kdf: string }>('select kdf from public.channel_secrets');
    expect(kdfs.map((k) => k.kdf)).toEqual(['pbkdf2-hkdf', 'pbkdf2-hkdf']);
    expect((await post(current, `${meta.id}/test`, owner.accessToken)).status).toBe(200);
  });
});
