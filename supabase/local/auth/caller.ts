// Who is calling an /auth/v1 route that needs a signed-in user or an admin, with GoTrue's
// answers when the bearer token does not qualify.
import type { LocalConfig } from '../config.ts';
import type { Queryable } from '../db.ts';
import type { JwtClaims } from '../jwt.ts';
import { type CallerResult, resolveCaller } from '../request-auth.ts';
import { AuthError } from './errors.ts';
import { isUuid } from './input.ts';
import { findSession } from './sessions.ts';
import { findUserById, type UserRow } from './users.ts';

const UNVERIFIABLE = 'invalid JWT: unable to parse or verify signature, ';

function badJwt(message: string): AuthError {
  return new AuthError(403, 'bad_jwt', message);
}

async function verifiedClaims(req: Request, config: LocalConfig): Promise<JwtClaims> {
  const caller: CallerResult = await resolveCaller(req, config);
  if (caller.ok) return caller.claims;
  if (caller.error === 'jwt_expired')
    throw badJwt(`${UNVERIFIABLE}token has invalid claims: token is expired`);
  if (caller.error === 'jwt_invalid') throw badJwt(caller.message.replace(/^invalid JWT: /, UNVERIFIABLE));
  // The apikey gate in front of every route answers missing or bad keys before this point.
  throw new AuthError(401, 'no_authorization', caller.message);
}

export interface SignedIn {
  user: UserRow;
  /** Absent for tokens that carry no session_id claim. */
  sessionId: string | undefined;
}

/** The user of the bearer token; its session must still exist (GoTrue checks on /user, /logout). */
export async function requireUser(req: Request, config: LocalConfig, q: Queryable): Promise<SignedIn> {
  const claims = await verifiedClaims(req, config);
  if (!isUuid(claims.sub)) throw badJwt('invalid claim: missing sub claim');
  const user = await findUserById(q, claims.sub);
  if (!user) throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
  const sessionId = claims.session_id;
  if (sessionId === undefined || sessionId === '') return { user, sessionId: undefined };
  if (!isUuid(sessionId)) throw badJwt('invalid claim: session_id claim must be a UUID');
  const session = await findSession(q, sessionId);
  if (!session || session.user_id !== user.id) {
    throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
  }
  return { user, sessionId };
}

/** Admin routes take the service_role key (or a token with that role) as bearer. */
export async function requireAdmin(req: Request, config: LocalConfig): Promise<void> {
  const claims = await verifiedClaims(req, config);
  if (claims.role !== 'service_role') throw new AuthError(403, 'not_admin', 'User not allowed');
}
