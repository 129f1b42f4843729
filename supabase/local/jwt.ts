// HS256 JWTs as GoTrue issues them, through jose.
import { errors, jwtVerify, SignJWT } from 'jose';

export type JwtClaims = Record<string, unknown> & { role?: string; sub?: string; exp?: number };

const encoder = new TextEncoder();

export async function signJwt(claims: JwtClaims, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(encoder.encode(secret));
}

export type VerifyResult =
  | { ok: true; claims: JwtClaims }
  | { ok: false; reason: 'expired' | 'invalid'; message: string };

export async function verifyJwt(token: string, secret: string): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), { algorithms: ['HS256'] });
    return { ok: true, claims: payload as JwtClaims };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired', message: 'JWT expired' };
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: 'invalid', message: `invalid JWT: ${detail}` };
  }
}

// Verified tokens, so a client's every request does not pay for an HMAC again: keyed by
// secret and token, bounded, and each hit re-checks the expiry. Failures are never cached.
const VERIFIED_CACHE_SIZE = 2000;
const verified = new Map<string, JwtClaims>();

/** verifyJwt with a small cache of successful verifications. */
export async function verifyJwtCached(token: string, secret: string): Promise<VerifyResult> {
  const key = `${secret}\u0000${token}`;
  const hit = verified.get(key);
  if (hit) {
    if (typeof hit.exp !== 'number' || hit.exp * 1000 > Date.now()) return { ok: true, claims: hit };
    verified.delete(key);
  }
  const result = await verifyJwt(token, secret);
  if (result.ok) {
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
    verified.set(key, result.claims);
  }
  return result;
}
