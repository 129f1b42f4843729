// Changes one character in the middle of a JWT's signature. Not the last one: in a
// base64url HS256 signature it carries two unused bits, so a swap there can decode to
// the very same bytes and the "tampered" token would still verify.
export function tamperSignature(token: string): string {
  const [head, payload, sig] = token.split('.') as [string, string, string];
  const i = Math.floor(sig.length / 2);
  return `${head}.${payload}.${sig.slice(0, i)}${sig[i] === 'A' ? 'B' : 'A'}${sig.slice(i + 1)}`;
}
