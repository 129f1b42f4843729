// Who is calling: the apikey gate (Kong's job on hosted Supabase) and the JWT that
// decides the Postgres role of the request.
import type { LocalConfig } from './config.ts';
import type { Database, Queryable } from './db.ts';
import { type JwtClaims, verifyJwtCached } from './jwt.ts';

export const API_ROLES = ['anon', 'authenticated', 'service_role'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export type CallerResult =
  | { ok: true; role: ApiRole; claims: JwtClaims; token: string }
  | {
      ok: false;
      status: 401;
      error: 'no_apikey' | 'bad_apikey' | 'jwt_expired' | 'jwt_invalid';
      message: string;
    };

function bearer(req: Request): string | undefined {
  const header = req.headers.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

export function apikeyOf(req: Request): string | undefined {
  return req.headers.get('apikey') ?? new URL(req.url).searchParams.get('apikey') ?? undefined;
}

/** Checks the apikey, then resolves the caller from the bearer token (or the apikey itself). */
export async function resolveCaller(
  req: Request,
  config: LocalConfig,
  opts: { requireApikey?: boolean } = {},
): Promise<CallerResult> {
  const apikey = apikeyOf(req);
  if (opts.requireApikey !== false) {
    if (!apikey)
      return { ok: false, status: 401, error: 'no_apikey', message: 'No API key found in request' };
    const key = await verifyJwtCached(apikey, config.jwtSecret);
    if (!key.ok) return { ok: false, status: 401, error: 'bad_apikey', message: 'Invalid API key' };
  }
  const token = bearer(req) ?? apikey;
  if (!token) return { ok: false, status: 401, error: 'no_apikey', message: 'No API key found in request' };
  return callerFromToken(token, config);
}

export async function callerFromToken(token: string, config: LocalConfig): Promise<CallerResult> {
  const verified = await verifyJwtCached(token, config.jwtSecret);
  if (!verified.ok) {
    return verified.reason === 'expired'
      ? { ok: false, status: 401, error: 'jwt_expired', message: 'JWT expired' }
      : { ok: false, status: 401, error: 'jwt_invalid', message: verified.message };
  }
  const role = verified.claims.role;
  if (!API_ROLES.includes(role as ApiRole)) {
    return {
      ok: false,
      status: 401,
      error: 'jwt_invalid',
      message: `JWT role "${String(role)}" is not allowed`,
    };
  }
  return { ok: true, role: role as ApiRole, claims: verified.claims, token };
}

/**
 * Runs fn in one transaction as the caller's role with `request.jwt.claims` set, so RLS
 * and auth.uid() behave as on hosted Supabase; `settings` are further transaction-local
 * settings (e.g. the time zone), set in the same round trip.
 */
export function asCaller<T>(
  db: Database,
  caller: { role: ApiRole; claims: JwtClaims },
  fn: (tx: Queryable) => Promise<T>,
  settings: Readonly<Record<string, string>> = {},
): Promise<T> {
  return db.transaction(async (tx) => {
    await setCaller(tx, caller, settings);
    return fn(tx);
  });
}

/**
 * Sets role, claims and `settings` for the rest of the current transaction, in one statement
 * as PostgREST does (`set_config('role', …)` checks the role like `set local role`): each
 * request's round trips are most of a busy test's database time.
 */
export async function setCaller(
  tx: Queryable,
  caller: { role: ApiRole; claims: JwtClaims },
  settings: Readonly<Record<string, string>> = {},
): Promise<void> {
  if (!API_ROLES.includes(caller.role)) throw new Error(`role ${caller.role} is not an API role`);
  const pairs = Object.entries({ ...settings, 'request.jwt.claims': JSON.stringify(caller.claims) });
  const values = [...pairs.flat(), caller.role];
  const sets = pairs.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
  await tx.query(`select ${[...sets, `set_config('role', $${values.length}, true)`].join(', ')}`, values);
}
