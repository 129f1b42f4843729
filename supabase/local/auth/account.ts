// The routes a user calls for their own account: sign-up, sign-in, refresh, profile, logout.
// Email confirmation is off (the Supabase CLI's default), so sign-up signs the user in.
import type { LocalContext } from '../context.ts';
import { requireUser } from './caller.ts';
import { AuthError } from './errors.ts';
import {
  type JsonObject,
  mergeMetadata,
  objectField,
  readJson,
  stringField,
  validEmail,
  validPassword,
} from './input.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import {
  type LogoutScope,
  logout,
  refreshReuseInterval,
  rotateRefreshToken,
  sessionJson,
  startSession,
} from './sessions.ts';
import {
  EMAIL_APP_METADATA,
  findUserByEmail,
  insertUser,
  type UserChanges,
  updateUser,
  userJson,
} from './users.ts';

function rejectPhone(body: JsonObject): void {
  if (stringField(body, 'phone')) {
    throw new AuthError(400, 'phone_provider_disabled', 'Phone sign-in is not available on this server');
  }
}

const userExists = () => new AuthError(422, 'user_already_exists', 'User already registered');

export async function signup(req: Request, ctx: LocalContext): Promise<Response> {
  const body = await readJson(req);
  rejectPhone(body);
  const email = validEmail(stringField(body, 'email'));
  const password = validPassword(stringField(body, 'password'));
  const data = objectField(body, 'data') ?? {};
  // Checked before hashing, so a taken address costs no bcrypt work.
  if (await findUserByEmail(ctx.db, email)) throw userExists();
  const passwordHash = await hashPassword(password);
  const { user, issued } = await ctx.db.transaction(async (tx) => {
    const user = await insertUser(tx, {
      email,
      passwordHash,
      confirmed: true,
      signedIn: true,
      userMetadata: data,
      appMetadata: EMAIL_APP_METADATA,
    }).catch((err: unknown) => {
      // A concurrent sign-up with the same address won the insert.
      throw err instanceof AuthError && err.code === 'email_exists' ? userExists() : err;
    });
    return { user, issued: await startSession(tx, user.id) };
  });
  return Response.json(await sessionJson(user, issued, ctx.config));
}

export async function token(req: Request, ctx: LocalContext): Promise<Response> {
  const grantType = new URL(req.url).searchParams.get('grant_type');
  if (grantType === 'password') return passwordGrant(req, ctx);
  if (grantType === 'refresh_token') return refreshGrant(req, ctx);
  throw new AuthError(
    400,
    'validation_failed',
    `unsupported_grant_type: "${grantType ?? ''}" (supported: password, refresh_token)`,
  );
}

async function passwordGrant(req: Request, ctx: LocalContext): Promise<Response> {
  const body = await readJson(req);
  rejectPhone(body);
  const email = stringField(body, 'email');
  if (!email) throw new AuthError(400, 'validation_failed', 'An email address is required');
  const password = stringField(body, 'password') ?? '';
  const found = await findUserByEmail(ctx.db, email.toLowerCase());
  // Same answer, and the same bcrypt work, for an unknown address and a wrong password.
  const matches = await verifyPassword(password, found?.encrypted_password);
  if (!found || !matches) throw new AuthError(400, 'invalid_credentials', 'Invalid login credentials');
  if (found.banned_until && found.banned_until > new Date()) {
    throw new AuthError(400, 'user_banned', 'User is banned');
  }
  if (!found.email_confirmed_at) throw new AuthError(400, 'email_not_confirmed', 'Email not confirmed');
  const { user, issued } = await ctx.db.transaction(async (tx) => ({
    user: await updateUser(tx, found.id, { signedIn: true }),
    issued: await startSession(tx, found.id),
  }));
  return Response.json(await sessionJson(user, issued, ctx.config));
}

async function refreshGrant(req: Request, ctx: LocalContext): Promise<Response> {
  const body = await readJson(req);
  const presented = stringField(body, 'refresh_token');
  if (!presented) throw new AuthError(400, 'validation_failed', 'refresh_token required');
  const { user, issued } = await rotateRefreshToken(ctx.db, presented, refreshReuseInterval());
  return Response.json(await sessionJson(user, issued, ctx.config));
}

export async function getUser(req: Request, ctx: LocalContext): Promise<Response> {
  const { user } = await requireUser(req, ctx.config, ctx.db);
  return Response.json(userJson(user));
}

export async function updateOwnUser(req: Request, ctx: LocalContext): Promise<Response> {
  const { user, sessionId } = await requireUser(req, ctx.config, ctx.db);
  const body = await readJson(req);
  rejectPhone(body);
  const changes: UserChanges = {};
  const email = stringField(body, 'email');
  if (email !== undefined) {
    const valid = validEmail(email);
    if (valid !== user.email) changes.email = valid;
  }
  const password = stringField(body, 'password');
  if (password !== undefined) {
    validPassword(password);
    if (await verifyPassword(password, user.encrypted_password)) {
      throw new AuthError(422, 'same_password', 'New password should be different from the old password.');
    }
    changes.passwordHash = await hashPassword(password);
  }
  const data = objectField(body, 'data');
  if (data) changes.userMetadata = mergeMetadata(user.raw_user_meta_data, data);
  const updated = await ctx.db.transaction(async (tx) => {
    const row = await updateUser(tx, user.id, changes);
    // A new password ends every other session, as GoTrue does.
    if (changes.passwordHash) await logout(tx, user.id, sessionId, 'others');
    return row;
  });
  return Response.json(userJson(updated));
}

const SCOPES: readonly LogoutScope[] = ['global', 'local', 'others'];

export async function logoutRoute(req: Request, ctx: LocalContext): Promise<Response> {
  const raw = new URL(req.url).searchParams.get('scope') || 'global';
  const scope = SCOPES.find((s) => s === raw);
  if (!scope) {
    throw new AuthError(
      400,
      'validation_failed',
      `Unsupported logout scope "${raw}" (use global, local or others)`,
    );
  }
  const { user, sessionId } = await requireUser(req, ctx.config, ctx.db);
  await logout(ctx.db, user.id, sessionId, scope);
  return new Response(null, { status: 204 });
}
