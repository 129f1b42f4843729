// The sealing channel secrets had before issue 17 item 14, written out with WebCrypto for the
// tests that prove such rows still open and get re-sealed: AES-256-GCM under a key stretched by
// PBKDF2-SHA256 (600,000 iterations) from the server key and the row's own salt.
import { randomBytes } from 'node:crypto';

export interface LegacySealed {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  salt: Uint8Array;
}

export async function legacySeal(
  serverKey: string,
  channelId: string,
  plaintext: string,
): Promise<LegacySealed> {
  const encoder = new TextEncoder();
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const base = await crypto.subtle.importKey('raw', encoder.encode(serverKey), 'PBKDF2', false, [
    'deriveKey',
  ]);
  const key = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 600_000 },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(channelId) },
    key,
    encoder.encode(plaintext),
  );
  return { ciphertext: new Uint8Array(sealed), iv, salt };
}
