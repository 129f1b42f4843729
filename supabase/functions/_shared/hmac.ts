// HMAC-SHA256 and constant-time comparison, for webhook signatures, appsecret_proof and
// shared secrets. WebCrypto only (Deno and Node).
const encoder = new TextEncoder();

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    usage,
  ]);
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Hex HMAC-SHA256 of `data` (text or raw bytes) under `secret`. */
export async function hmacHex(secret: string, data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return toHex(await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), bytes as BufferSource));
}

/** Whether `mac` is the HMAC-SHA256 of `data` under `secret`, compared in constant time. */
export async function verifyHmac(secret: string, data: Uint8Array, mac: Uint8Array): Promise<boolean> {
  return crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret, 'verify'),
    mac as BufferSource,
    data as BufferSource,
  );
}

/**
 * Whether two strings are equal, in time that depends on their lengths only: both are
 * hashed first, so the comparison never stops at the first differing character.
 */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all(
    [given, expected].map(
      async (s) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(s))),
    ),
  );
  let diff = 0;
  for (let i = 0; i < a!.length; i++) diff |= a![i]! ^ b![i]!;
  return diff === 0 && expected !== '';
}
