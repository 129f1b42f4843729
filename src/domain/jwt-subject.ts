/**
 * The user a JWT was issued to (its `sub` claim), read without verifying the signature: the
 * service worker uses it to tell whose queued request is whose on this device, never to
 * trust anybody (the server verifies every token it is sent). Undefined for anything that is
 * not a JWT with a string `sub` (e.g. the anon key).
 */
export function jwtSubject(token: string | null | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const sub: unknown = (JSON.parse(json) as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** The subject of a request's `Authorization: Bearer <jwt>` header. */
export function bearerSubject(authorization: string | null): string | undefined {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  return jwtSubject(match?.[1]);
}
