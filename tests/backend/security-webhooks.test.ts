// Issue 17 item 14: the webhook endpoint must not tell anybody which channel ids exist. The
// probe: post a delivery with a bad signature (or a handshake with a wrong verify token) to a
// real channel and to ids that are not channels (unknown, deleted, malformed), and compare
// the answers and the work done for them. The endpoint looks the channel up before it can
// check a signature (the secret is the channel's), so an unknown channel is checked against
// a decoy's secrets: the same HMAC over the same raw bytes, the same constant-time compares.
// The work is observed by watching WebCrypto (the real one runs) while each request is served.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { type ConnectedChannel, connectMeta, connectWhapi, workspaceOf } from './channel-steps.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let owner: MintedUser;
let meta: ConnectedChannel;
let whapi: ConnectedChannel;
let simulatorChannel: string;
let deletedChannel: string;

beforeAll(async () => {
  backend = await startBackend({ simulator: { delays: { sent: null, delivered: null, read: null } } });
  owner = await backend.mintUser();
  const workspaceId = await workspaceOf(backend, owner);
  meta = await connectMeta(backend, owner, workspaceId);
  whapi = await connectWhapi(backend, owner, workspaceId);
  const [sim] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider) values ($1, 'Simulator', 'simulator') returning id`,
    [workspaceId],
  );
  simulatorChannel = sim!.id;
  const gone = await connectMeta(backend, owner, workspaceId);
  await backend.db.query('update public.channels set _deleted = true where id = $1', [gone.id]);
  deletedChannel = gone.id;
});
afterAll(() => backend?.close());
afterEach(() => vi.restoreAllMocks());

const webhookUrl = (channel: string) => `${backend.url}/functions/v1/webhooks/${channel}`;

/** A Cloud API delivery of `size` bytes or so, its raw bytes. */
function delivery(size = 200): Uint8Array {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: 'x', changes: [{ field: 'messages', value: { padding: 'p'.repeat(size) } }] }],
  });
  return new TextEncoder().encode(body);
}

const WRONG_SIGNATURE = `sha256=${'ab'.repeat(32)}`;
const WRONG_SECRET = 'a-guess-at-the-webhook-secret';

async function post(channel: string, raw: Uint8Array) {
  const res = await fetch(webhookUrl(channel), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': WRONG_SIGNATURE,
      'x-pigeon-webhook-secret': WRONG_SECRET,
    },
    body: raw as BodyInit,
  });
  return [res.status, res.headers.get('content-type'), await res.text()];
}

async function handshake(channel: string, token: string) {
  const res = await fetch(
    `${webhookUrl(channel)}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=42`,
  );
  return [res.status, res.headers.get('content-type'), await res.text()];
}

describe('answers', () => {
  test('a bad signature on a real channel and any id that is no channel get the very same answer', async () => {
    const raw = delivery();
    const real = [meta.id, whapi.id, simulatorChannel];
    const none = [randomUUID(), deletedChannel, 'not-a-channel-id'];
    const answers = await Promise.all([...real, ...none].map((channel) => post(channel, raw)));
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(
      new Set([JSON.stringify([401, 'application/json', '{"error":"missing or invalid signature"}'])]),
    );
  });

  test('a wrong verify token and an id that is no channel get the very same handshake answer', async () => {
    const answers = await Promise.all(
      [meta.id, whapi.id, randomUUID(), deletedChannel].map((channel) => handshake(channel, WRONG_SECRET)),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]![0]).toBe(403);
  });
});

describe('work', () => {
  /** The HMAC checks WebCrypto made over exactly these bytes while `run` was served. */
  async function hmacsOver(raw: Uint8Array, run: () => Promise<unknown>): Promise<number> {
    const verify = vi.spyOn(crypto.subtle, 'verify');
    await run();
    const over = verify.mock.calls.filter(
      ([algorithm, , , data]) =>
        algorithm === 'HMAC' &&
        Buffer.compare(Buffer.from(data as ArrayBufferView as Uint8Array), Buffer.from(raw)) === 0,
    );
    verify.mockRestore();
    return over.length;
  }

  /** How many times WebCrypto hashed exactly this text (a constant-time compare hashes what it is given). */
  async function hashesOf(text: string, run: () => Promise<unknown>): Promise<number> {
    const digest = vi.spyOn(crypto.subtle, 'digest');
    await run();
    const given = Buffer.from(text);
    const over = digest.mock.calls.filter(
      ([, data]) => Buffer.compare(Buffer.from(data as ArrayBufferView as Uint8Array), given) === 0,
    );
    digest.mockRestore();
    return over.length;
  }

  test('an unknown or deleted channel costs the HMAC over the raw body that a bad signature costs', async () => {
    // Large enough that skipping the HMAC would show in the time taken.
    const raw = delivery(500_000);
    const onMeta = await hmacsOver(raw, () => post(meta.id, raw));
    expect(onMeta).toBe(1);
    expect(await hmacsOver(raw, () => post(randomUUID(), raw))).toBe(onMeta);
    expect(await hmacsOver(raw, () => post(deletedChannel, raw))).toBe(onMeta);
  });

  test('an unknown channel compares a Whapi secret and a verify token as a real channel does', async () => {
    const raw = delivery();
    const onWhapi = await hashesOf(WRONG_SECRET, () => post(whapi.id, raw));
    expect(onWhapi).toBe(1);
    expect(await hashesOf(WRONG_SECRET, () => post(randomUUID(), raw))).toBe(onWhapi);

    const token = `token-${randomUUID()}`;
    const onMeta = await hashesOf(token, () => handshake(meta.id, token));
    expect(onMeta).toBe(1);
    expect(await hashesOf(token, () => handshake(randomUUID(), token))).toBe(onMeta);
  });

  test('an unknown channel opens credentials as a real one does, so even the first probe costs the same', async () => {
    // A Meta or Whapi channel opens its sealed credentials before it checks anything; with a
    // key stretched per channel, the first probe of each real channel in a process was ≈ 0.3 s
    // slower than an id that is no channel. Now both open a row under the one stretched key.
    const openings = async (run: () => Promise<unknown>) => {
      const decrypt = vi.spyOn(crypto.subtle, 'decrypt');
      const derive = vi.spyOn(crypto.subtle, 'deriveKey');
      await run();
      const counts = [
        decrypt.mock.calls.filter(([a]) => (a as AesGcmParams).name === 'AES-GCM').length,
        derive.mock.calls.filter(([a]) => (a as HkdfParams).name === 'HKDF').length,
      ];
      decrypt.mockRestore();
      derive.mockRestore();
      return counts;
    };
    const raw = delivery();
    const onMeta = await openings(() => post(meta.id, raw));
    expect(onMeta).toEqual([1, 1]);
    expect(await openings(() => post(whapi.id, raw))).toEqual(onMeta);
    expect(await openings(() => post(randomUUID(), raw))).toEqual(onMeta);
    expect(await openings(() => post(deletedChannel, raw))).toEqual(onMeta);
    expect(await openings(() => handshake(randomUUID(), WRONG_SECRET))).toEqual(
      await openings(() => handshake(meta.id, WRONG_SECRET)),
    );
  });
});
