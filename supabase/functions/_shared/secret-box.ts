// Provider credentials at rest (DESIGN.md: data rules): AES-256-GCM under a key derived by
// PBKDF2-SHA256 from the server secret PIGEON_SECRETS_KEY and a salt of the row's own, with a
// fresh 96-bit IV per sealing. The channel id is GCM's additional data, so a sealed row copied
// onto another channel does not open. WebCrypto only: the same code runs in Deno (hosted edge
// functions) and Node (the local stack).
//
// Keys are versioned: PIGEON_SECRETS_KEY is the current key, PIGEON_SECRETS_KEY_VERSION its
// number (1 unless set), and PIGEON_SECRETS_PREVIOUS_KEYS lists older ones as
// "<version>:<key>" separated by commas, kept only while a rotation re-seals their rows.
export const PBKDF2_ITERATIONS = 600_000;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const MIN_KEY_LENGTH = 32;

export interface SecretKeyring {
  current: number;
  keys: ReadonlyMap<number, string>;
}

/** A sealed secret as channel_secrets stores it. */
export interface SealedSecret {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  salt: Uint8Array;
  keyVersion: number;
  iterations: number;
}

export class SecretKeyError extends Error {}

function keyVersion(raw: string, name: string): number {
  if (!/^[1-9]\d{0,5}$/.test(raw))
    throw new SecretKeyError(`${name} must be a whole number from 1, got ${raw}`);
  return Number(raw);
}

function checkedKey(key: string, name: string): string {
  if (key.length < MIN_KEY_LENGTH) {
    throw new SecretKeyError(`${name} must be at least ${MIN_KEY_LENGTH} characters`);
  }
  return key;
}

/** The keyring of the function's environment; throws SecretKeyError naming what is wrong. */
export function keyringFromEnv(env: Record<string, string | undefined>): SecretKeyring {
  const secret = env.PIGEON_SECRETS_KEY;
  if (!secret)
    throw new SecretKeyError('PIGEON_SECRETS_KEY is not set: channel credentials cannot be stored');
  const current = keyVersion(env.PIGEON_SECRETS_KEY_VERSION || '1', 'PIGEON_SECRETS_KEY_VERSION');
  const keys = new Map<number, string>([[current, checkedKey(secret, 'PIGEON_SECRETS_KEY')]]);
  for (const entry of (env.PIGEON_SECRETS_PREVIOUS_KEYS ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const colon = entry.indexOf(':');
    const version = keyVersion(
      colon > 0 ? entry.slice(0, colon).trim() : '',
      'a version in PIGEON_SECRETS_PREVIOUS_KEYS',
    );
    if (keys.has(version)) {
      throw new SecretKeyError(`key version ${version} is given twice (PIGEON_SECRETS_PREVIOUS_KEYS)`);
    }
    keys.set(
      version,
      checkedKey(entry.slice(colon + 1).trim(), `key ${version} of PIGEON_SECRETS_PREVIOUS_KEYS`),
    );
  }
  return { current, keys };
}

const encoder = new TextEncoder();
// Derivations cost ~0.3 s each on purpose; a process derives each row's key once.
const derived = new Map<string, Promise<CryptoKey>>();
const MAX_DERIVED = 2000;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function deriveKey(
  secret: string,
  version: number,
  salt: Uint8Array,
  iterations: number,
): Promise<CryptoKey> {
  const id = `${version}:${iterations}:${hex(salt)}:${secret}`;
  let key = derived.get(id);
  if (!key) {
    if (derived.size >= MAX_DERIVED) derived.delete(derived.keys().next().value as string);
    key = crypto.subtle
      .importKey('raw', encoder.encode(secret), 'PBKDF2', false, ['deriveKey'])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
          base,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      );
    key.catch(() => derived.delete(id));
    derived.set(id, key);
  }
  return key;
}

/** Seals `plaintext` for `channelId` under the keyring's current key. */
export async function sealSecret(
  keyring: SecretKeyring,
  channelId: string,
  plaintext: string,
): Promise<SealedSecret> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const key = await deriveKey(keyring.keys.get(keyring.current)!, keyring.current, salt, PBKDF2_ITERATIONS);
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(channelId) },
    key,
    encoder.encode(plaintext),
  );
  return {
    ciphertext: new Uint8Array(ciphertext),
    iv,
    salt,
    keyVersion: keyring.current,
    iterations: PBKDF2_ITERATIONS,
  };
}

/** Opens a sealed secret of `channelId`; throws SecretKeyError when its key is missing or wrong. */
export async function openSecret(
  keyring: SecretKeyring,
  channelId: string,
  sealed: SealedSecret,
): Promise<string> {
  const secret = keyring.keys.get(sealed.keyVersion);
  if (!secret) {
    throw new SecretKeyError(
      `the channel's credentials are sealed with key version ${sealed.keyVersion}, which this server does not have`,
    );
  }
  const key = await deriveKey(secret, sealed.keyVersion, sealed.salt, sealed.iterations);
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.iv as BufferSource, additionalData: encoder.encode(channelId) },
      key,
      sealed.ciphertext as BufferSource,
    );
    return new TextDecoder().decode(plain);
  } catch {
    throw new SecretKeyError(
      `the channel's credentials do not open with key version ${sealed.keyVersion}: the key is not the one they were sealed with`,
    );
  }
}
