// Provider credentials at rest (DESIGN.md: data rules): AES-256-GCM under a row key, with a
// fresh 96-bit IV per sealing. The row key comes from HKDF-SHA256 over the row's own salt and
// a key stretched once per key version by PBKDF2-SHA256 from the server secret
// PIGEON_SECRETS_KEY ('pbkdf2-hkdf'). Rows sealed before that ('pbkdf2') stretched per row:
// they still open, and a rotation re-seals them. Stretching once per process, not per channel,
// keeps the first webhook of a real channel as cheap as one for an id that is no channel
// (issue 17 item 14). The channel id is GCM's additional data, so a sealed row copied onto
// another channel does not open. WebCrypto only: the same code runs in Deno (hosted edge
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

/** How a row's key is derived: stretched per row (legacy) or once per key version, then HKDF. */
export type Kdf = 'pbkdf2' | 'pbkdf2-hkdf';
export const CURRENT_KDF: Kdf = 'pbkdf2-hkdf';

/** A sealed secret as channel_secrets stores it. */
export interface SealedSecret {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  salt: Uint8Array;
  keyVersion: number;
  iterations: number;
  kdf: Kdf;
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
// A stretching costs ~0.3 s on purpose; a process stretches each key once (and each legacy row once).
const stretched = new Map<string, Promise<CryptoKey>>();
const MAX_STRETCHED = 2000;
// The salt of the once-per-version stretching: the key itself is the secret, this only keeps
// the stretched key apart from any other use of the same passphrase.
const VERSION_SALT = 'pigeon channel secrets, key version ';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** PBKDF2-SHA256 of `secret`, as an AES-GCM key (a legacy row's) or an HKDF key (a version's). */
function stretch(
  secret: string,
  salt: Uint8Array,
  iterations: number,
  as: 'AES-GCM' | 'HKDF',
): Promise<CryptoKey> {
  const id = `${as}:${iterations}:${hex(salt)}:${secret}`;
  let key = stretched.get(id);
  if (!key) {
    if (stretched.size >= MAX_STRETCHED) stretched.delete(stretched.keys().next().value as string);
    key = crypto.subtle
      .importKey('raw', encoder.encode(secret), 'PBKDF2', false, ['deriveBits'])
      .then((base) =>
        crypto.subtle.deriveBits(
          { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
          base,
          256,
        ),
      )
      .then((bits) =>
        as === 'HKDF'
          ? crypto.subtle.importKey('raw', bits, 'HKDF', false, ['deriveKey'])
          : crypto.subtle.importKey('raw', bits, 'AES-GCM', false, ['encrypt', 'decrypt']),
      );
    key.catch(() => stretched.delete(id));
    stretched.set(id, key);
  }
  return key;
}

/** The AES key of a row sealed with `secret` (key version `version`) and these parameters. */
async function rowKey(
  secret: string,
  version: number,
  sealed: Pick<SealedSecret, 'salt' | 'iterations' | 'kdf'>,
): Promise<CryptoKey> {
  if (sealed.kdf === 'pbkdf2') {
    return stretch(secret, sealed.salt, sealed.iterations, 'AES-GCM');
  }
  const master = await stretch(
    secret,
    encoder.encode(`${VERSION_SALT}${version}`),
    sealed.iterations,
    'HKDF',
  );
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: sealed.salt as BufferSource,
      info: encoder.encode('channel secret'),
    },
    master,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Seals `plaintext` for `channelId` under the keyring's current key. */
export async function sealSecret(
  keyring: SecretKeyring,
  channelId: string,
  plaintext: string,
): Promise<SealedSecret> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const params = { salt, iterations: PBKDF2_ITERATIONS, kdf: CURRENT_KDF };
  const key = await rowKey(keyring.keys.get(keyring.current)!, keyring.current, params);
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(channelId) },
    key,
    encoder.encode(plaintext),
  );
  return {
    ciphertext: new Uint8Array(ciphertext),
    iv,
    keyVersion: keyring.current,
    ...params,
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
  const key = await rowKey(secret, sealed.keyVersion, sealed);
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

/**
 * The work of opening a row that is not there: a row key under the current key version and a
 * failed decryption, so a request about an id that is no channel costs what one about a real
 * channel costs (the first one in a process included: both wait for the same stretching).
 */
export async function openNothing(keyring: SecretKeyring): Promise<void> {
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  const sealed = {
    ciphertext: random(64),
    iv: random(IV_BYTES),
    salt: random(SALT_BYTES),
    keyVersion: keyring.current,
    iterations: PBKDF2_ITERATIONS,
    kdf: CURRENT_KDF,
  };
  await openSecret(keyring, '', sealed).catch(() => undefined);
}
