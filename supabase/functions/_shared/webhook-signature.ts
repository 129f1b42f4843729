// X-Hub-Signature-256: 'sha256=' + hex HMAC-SHA256 of the raw request body under the app
// secret, as Meta signs webhooks. The simulator signs with it; the webhooks function checks
// it over the bytes as received (re-encoding decoded text could change them).
import { hmacHex, verifyHmac } from './hmac.ts';

export async function signWebhook(secret: string, rawBody: string | Uint8Array): Promise<string> {
  return `sha256=${await hmacHex(secret, rawBody)}`;
}

/** True only for a well-formed header carrying the body's HMAC (compared in constant time). */
export async function verifyWebhook(
  secret: string,
  rawBody: Uint8Array,
  header: string | null,
): Promise<boolean> {
  const hex = header?.match(/^sha256=([0-9a-fA-F]{64})$/)?.[1];
  if (!hex || secret === '') return false;
  const mac = new Uint8Array(hex.match(/../g)!.map((byte) => Number.parseInt(byte, 16)));
  return verifyHmac(secret, rawBody, mac);
}
