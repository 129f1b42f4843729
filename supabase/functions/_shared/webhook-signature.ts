// X-Hub-Signature-256: 'sha256=' + hex HMAC-SHA256 of the raw request body under the app
// secret, as Meta signs webhooks. The simulator signs with it; the webhooks function checks.
const encoder = new TextEncoder();

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    usage,
  ]);
}

export async function signWebhook(secret: string, rawBody: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), encoder.encode(rawBody));
  return `sha256=${Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** True only for a well-formed header carrying the body's HMAC (compared in constant time). */
export async function verifyWebhook(
  secret: string,
  rawBody: string,
  header: string | null,
): Promise<boolean> {
  const hex = header?.match(/^sha256=([0-9a-fA-F]{64})$/)?.[1];
  if (!hex) return false;
  const mac = new Uint8Array(hex.match(/../g)!.map((byte) => Number.parseInt(byte, 16)));
  return crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), mac, encoder.encode(rawBody));
}
