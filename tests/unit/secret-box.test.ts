// Channel secrets at rest: AES-256-GCM under a row key (HKDF over the row's salt) of a
// versioned server key stretched once by PBKDF2-SHA256 (600,000 iterations), bound to its
// channel; rows sealed with a per-row PBKDF2 key still open.
import { randomBytes } from 'node:crypto';
import { describe, expect, test, vi } from 'vitest';
import {
  keyringFromEnv,
  openSecret,
  PBKDF2_ITERATIONS,
  SecretKeyError,
  sealSecret,
} from '../../supabase/functions/_shared/secret-box.ts';
import { legacySeal } from '../support/legacy-seal.ts';

const KEY_1 = 'k1-0123456789abcdef0123456789abcdef';
const KEY_2 = 'k2-fedcba9876543210fedcba9876543210';
const CHANNEL = '9b2f3f5e-5c1e-4a55-9a51-7f3b8f1d2c10';

describe('keyringFromEnv', () => {
  test('the current key, its version, and previous keys for a rotation', () => {
    const ring = keyringFromEnv({
      PIGEON_SECRETS_KEY: KEY_2,
      PIGEON_SECRETS_KEY_VERSION: '2',
      PIGEON_SECRETS_PREVIOUS_KEYS: `1:${KEY_1}`,
    });
    expect(ring.current).toBe(2);
    expect([...ring.keys]).toEqual([
      [2, KEY_2],
      [1, KEY_1],
    ]);
    expect(keyringFromEnv({ PIGEON_SECRETS_KEY: KEY_1 }).current).toBe(1);
  });

  test.each([
    [{}, /PIGEON_SECRETS_KEY is not set/],
    [{ PIGEON_SECRETS_KEY: 'short' }, /at least 32 characters/],
    [{ PIGEON_SECRETS_KEY: KEY_1, PIGEON_SECRETS_KEY_VERSION: 'two' }, /PIGEON_SECRETS_KEY_VERSION must be/],
    [{ PIGEON_SECRETS_KEY: KEY_1, PIGEON_SECRETS_PREVIOUS_KEYS: `1:${KEY_2}` }, /version 1 is given twice/],
    [
      { PIGEON_SECRETS_KEY: KEY_1, PIGEON_SECRETS_PREVIOUS_KEYS: KEY_2 },
      /a version in PIGEON_SECRETS_PREVIOUS_KEYS/,
    ],
  ])('a bad environment is refused with its reason: %j', (env, reason) => {
    expect(() => keyringFromEnv(env)).toThrow(SecretKeyError);
    expect(() => keyringFromEnv(env)).toThrow(reason);
  });
});

describe('sealSecret and openSecret', () => {
  const ring = keyringFromEnv({ PIGEON_SECRETS_KEY: KEY_1 });

  test('a sealed secret opens to its plaintext; the ciphertext does not contain it', async () => {
    const plaintext = JSON.stringify({ access_token: 'EAAGsecret-token-value' });
    const sealed = await sealSecret(ring, CHANNEL, plaintext);
    expect(sealed).toMatchObject({ keyVersion: 1, iterations: PBKDF2_ITERATIONS, kdf: 'pbkdf2-hkdf' });
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect([sealed.iv.length, sealed.salt.length]).toEqual([12, 16]);
    // Plaintext plus GCM's 16-byte tag.
    expect(sealed.ciphertext.length).toBe(new TextEncoder().encode(plaintext).length + 16);
    expect(Buffer.from(sealed.ciphertext).toString('latin1')).not.toContain('secret-token');
    expect(await openSecret(ring, CHANNEL, sealed)).toBe(plaintext);
  });

  test('each sealing has its own salt and IV', async () => {
    const [a, b] = await Promise.all([sealSecret(ring, CHANNEL, 'same'), sealSecret(ring, CHANNEL, 'same')]);
    expect(Buffer.from(a!.salt)).not.toEqual(Buffer.from(b!.salt));
    expect(Buffer.from(a!.iv)).not.toEqual(Buffer.from(b!.iv));
    expect(Buffer.from(a!.ciphertext)).not.toEqual(Buffer.from(b!.ciphertext));
  });

  test('a row copied onto another channel, a flipped byte or another key does not open', async () => {
    const sealed = await sealSecret(ring, CHANNEL, 'token');
    await expect(openSecret(ring, '00000000-0000-4000-8000-000000000000', sealed)).rejects.toThrow(
      SecretKeyError,
    );
    const tampered = {
      ...sealed,
      ciphertext: Uint8Array.from(sealed.ciphertext, (b, i) => (i === 0 ? b ^ 1 : b)),
    };
    await expect(openSecret(ring, CHANNEL, tampered)).rejects.toThrow(/do not open with key version 1/);
    const other = keyringFromEnv({ PIGEON_SECRETS_KEY: KEY_2 });
    await expect(openSecret(other, CHANNEL, sealed)).rejects.toThrow(SecretKeyError);
  });

  test('after a rotation, the previous key still opens old rows; without it they are named', async () => {
    const sealed = await sealSecret(ring, CHANNEL, 'token');
    const rotated = keyringFromEnv({
      PIGEON_SECRETS_KEY: KEY_2,
      PIGEON_SECRETS_KEY_VERSION: '2',
      PIGEON_SECRETS_PREVIOUS_KEYS: `1:${KEY_1}`,
    });
    expect(await openSecret(rotated, CHANNEL, sealed)).toBe('token');
    const resealed = await sealSecret(rotated, CHANNEL, 'token');
    expect(resealed.keyVersion).toBe(2);
    const onlyNew = keyringFromEnv({ PIGEON_SECRETS_KEY: KEY_2, PIGEON_SECRETS_KEY_VERSION: '2' });
    expect(await openSecret(onlyNew, CHANNEL, resealed)).toBe('token');
    await expect(openSecret(onlyNew, CHANNEL, sealed)).rejects.toThrow(
      /key version 1, which this server does not have/,
    );
  });
});

describe('derivation', () => {
  const pbkdf2Runs = (spy: { mock: { calls: unknown[][] } }) =>
    spy.mock.calls.filter(([a]) => (a as Pbkdf2Params).name === 'PBKDF2').length;

  test('sealing and opening the credentials of many channels stretches the key once', async () => {
    const ring = keyringFromEnv({ PIGEON_SECRETS_KEY: `fresh-${randomBytes(16).toString('hex')}` });
    const bits = vi.spyOn(crypto.subtle, 'deriveBits');
    const keys = vi.spyOn(crypto.subtle, 'deriveKey');
    const channels = ['a', 'b', 'c'].map((c) => `${CHANNEL.slice(0, -1)}${c}`);
    const sealed = await Promise.all(channels.map((c) => sealSecret(ring, c, `token of ${c}`)));
    expect(await Promise.all(sealed.map((s, i) => openSecret(ring, channels[i]!, s)))).toEqual(
      channels.map((c) => `token of ${c}`),
    );
    expect(pbkdf2Runs(bits) + pbkdf2Runs(keys)).toBe(1);
    bits.mockRestore();
    keys.mockRestore();
  });

  test('a row sealed the old way (PBKDF2 over its own salt) still opens', async () => {
    const old = await legacySeal(KEY_1, CHANNEL, 'legacy token');
    const ring = keyringFromEnv({ PIGEON_SECRETS_KEY: KEY_1 });
    const legacy = { ...old, keyVersion: 1, iterations: PBKDF2_ITERATIONS, kdf: 'pbkdf2' as const };
    expect(await openSecret(ring, CHANNEL, legacy)).toBe('legacy token');
    await expect(openSecret(ring, CHANNEL, { ...legacy, kdf: 'pbkdf2-hkdf' })).rejects.toThrow(
      SecretKeyError,
    );
  });
});
