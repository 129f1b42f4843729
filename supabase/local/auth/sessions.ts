// Sessions, refresh-token rotation with reuse detection, and the session response GoTrue
// returns from /signup and /token.
import { randomBytes } from 'node:crypto';
import type { LocalConfig } from '../config.ts';
import type { Database, Queryable } from '../db.ts';
import { signJwt } from '../jwt.ts';
import { AuthError } from './errors.ts';
import type { JsonObject } from './input.ts';
import { findUserById, type UserRow, userJson } from './users.ts';

/** GoTrue's default GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL, in seconds. */
const DEFAULT_REUSE_INTERVAL = 10;

/**
 * How long a just-rotated refresh token may still be presented (two tabs refreshing at once)
 * and get the session's current token back instead of counting as reuse.
 */
export function refreshReuseInterval(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL;
  if (raw === undefined || raw === '') return DEFAULT_REUSE_INTERVAL;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new Error(
      `GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL must be a whole number of seconds >= 0, got "${raw}"`,
    );
  }
  return seconds;
}

interface SessionRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  aal: string;
  created_at: Date;
}

export async function findSession(q: Queryable, id: string): Promise<SessionRow | undefined> {
  const [row] = await q.query<SessionRow>(
    'select id, user_id, aal, created_at from auth.sessions where id = $1',
    [id],
  );
  return row;
}

function newRefreshToken(): string {
  return randomBytes(24).toString('base64url');
}

async function insertRefreshToken(
  q: Queryable,
  session: { id: string; user_id: string },
  parent: string | null,
): Promise<string> {
  const token = newRefreshToken();
  await q.query(
    'insert into auth.refresh_tokens (token, user_id, session_id, parent) values ($1, $2, $3, $4)',
    [token, session.user_id, session.id, parent],
  );
  return token;
}

export interface Issued {
  session: SessionRow;
  refreshToken: string;
}

/** A new session for a user who just proved who they are, with its first refresh token. */
export async function startSession(q: Queryable, userId: string): Promise<Issued> {
  const [session] = await q.query<SessionRow>(
    'insert into auth.sessions (user_id) values ($1) returning id, user_id, aal, created_at',
    [userId],
  );
  return { session: session!, refreshToken: await insertRefreshToken(q, session!, null) };
}

/** The access-token claims GoTrue issues for a password session. */
export function accessTokenClaims(
  user: UserRow,
  session: SessionRow,
  config: LocalConfig,
  now = Math.floor(Date.now() / 1000),
): JsonObject & { exp: number } {
  return {
    aud: user.aud,
    exp: now + config.jwtExpiry,
    iat: now,
    iss: `${config.apiUrl}/auth/v1`,
    sub: user.id,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data,
    user_metadata: user.raw_user_meta_data,
    role: user.role,
    aal: session.aal,
    amr: [{ method: 'password', timestamp: Math.floor(session.created_at.getTime() / 1000) }],
    session_id: session.id,
    is_anonymous: user.is_anonymous,
  };
}

export async function sessionJson(user: UserRow, issued: Issued, config: LocalConfig): Promise<JsonObject> {
  const claims = accessTokenClaims(user, issued.session, config);
  return {
    access_token: await signJwt(claims, config.jwtSecret),
    token_type: 'bearer',
    expires_in: config.jwtExpiry,
    expires_at: claims.exp,
    refresh_token: issued.refreshToken,
    user: userJson(user),
  };
}

interface TokenRow extends Record<string, unknown> {
  id: string;
  token: string;
  session_id: string;
  revoked: boolean;
  /** Seconds since the token was revoked (or last touched). */
  idle_seconds: number;
}

const notFound = () =>
  new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');

/**
 * Rotates a refresh token: the presented one is revoked and a child is issued in the same
 * session. Presenting a revoked token again ends the whole session (every token of the family
 * and the session row), unless it is the parent of the current token and within the reuse
 * interval, when the current token is handed back.
 */
export async function rotateRefreshToken(
  db: Database,
  presented: string,
  reuseInterval: number,
): Promise<{ user: UserRow; issued: Issued }> {
  // Reuse detection must be committed even though the request fails, so the transaction
  // returns the outcome instead of throwing it.
  const outcome = await db.transaction(async (tx) => {
    const [found] = await tx.query<{ session_id: string }>(
      'select session_id from auth.refresh_tokens where token = $1',
      [presented],
    );
    if (!found) return notFound();
    // One refresh per session at a time: concurrent ones queue here and then see the result.
    const [session] = await tx.query<SessionRow>(
      'select id, user_id, aal, created_at from auth.sessions where id = $1 for update',
      [found.session_id],
    );
    if (!session) return notFound();
    const [token] = await tx.query<TokenRow>(
      `select id, token, session_id, revoked, extract(epoch from now() - updated_at)::float8 as idle_seconds
       from auth.refresh_tokens where token = $1`,
      [presented],
    );
    if (!token) return notFound();
    const user = await findUserById(tx, session.user_id);
    if (!user) return notFound();
    if (user.banned_until && user.banned_until > new Date()) {
      return new AuthError(400, 'user_banned', 'Invalid Refresh Token: User Banned');
    }

    if (token.revoked) {
      const [active] = await tx.query<{ token: string; parent: string | null }>(
        `select token, parent from auth.refresh_tokens
         where session_id = $1 and not revoked order by id desc limit 1`,
        [session.id],
      );
      if (active && active.parent === presented && token.idle_seconds < reuseInterval) {
        return { user, issued: { session, refreshToken: active.token } };
      }
      await tx.query('delete from auth.sessions where id = $1', [session.id]);
      console.warn(`auth: refresh token reuse detected; session ${session.id} revoked`);
      return new AuthError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
    }

    await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1', [
      token.id,
    ]);
    await tx.query('update auth.sessions set refreshed_at = now(), updated_at = now() where id = $1', [
      session.id,
    ]);
    return { user, issued: { session, refreshToken: await insertRefreshToken(tx, session, presented) } };
  });
  if (outcome instanceof AuthError) throw outcome;
  return outcome;
}

export type LogoutScope = 'global' | 'local' | 'others';

/** Ends sessions; their refresh tokens go with them (on delete cascade). */
export async function logout(
  q: Queryable,
  userId: string,
  sessionId: string | undefined,
  scope: LogoutScope,
): Promise<void> {
  // A token without a session id can only be logged out everywhere, as GoTrue does.
  if (scope === 'global' || !sessionId) {
    await q.query('delete from auth.sessions where user_id = $1', [userId]);
  } else if (scope === 'local') {
    await q.query('delete from auth.sessions where id = $1', [sessionId]);
  } else {
    await q.query('delete from auth.sessions where user_id = $1 and id <> $2', [userId, sessionId]);
  }
}
