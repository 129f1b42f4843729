// The routes a user calls for their own account: sign-up, sign-in, refresh, profile, logout.
// With mailerAutoconfirm (config.toml: enable_confirmations = false, the Supabase CLI's
// default) sign-up signs the user in; otherwise it mails a confirmation link first.
import type { LocalContext } from '../context.ts';
import { requireUser } from './caller.ts';
import { consumeNonce, reauthenticate, requestEmailChange, sendConfirmation } from './email-flows.ts';
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
import { allowedRedirect } from './mail.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { failedAttempt, limitAddress, limitIp, limitMail } from './rate-limit.ts';
import {
  findSession,
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

export async function signup(req: Request, ctx: LocalContext, ip: string): Promise<Response> {
  limitIp(ctx, ip);
  const body = await readJson(req);
  rejectPhone(body);
  const email = validEmail(stringField(body, 'email'));
  limitAddress(ctx, 'signup', email);
  const password = validPassword(stringField(body, 'password'));
  const data = objectField(body, 'data') ?? {};
  const autoconfirm = ctx.config.mailerAutoconfirm;
  if (!autoconfirm) limitMail(ctx, email);
  const redirectTo = allowedRedirect(new URL(req.url).searchParams.get('redirect_to'), ctx.config);
  // Checked before hashing, so a taken address costs no bcrypt work.
  const existing = await findUserByEmail(ctx.db, email);
  if (existing) {
    if (autoconfirm) throw userExists();
    // With confirmations, GoTrue answers a taken address like a new one (no enumeration),
    // and mails an unconfirmed one its link again.
    if (!existing.email_confirmed_at) await sendConfirmation(ctx.db, ctx.config, existing, redirectTo);
    return Response.json(userJson({ ...existing, id: crypto.randomUUID(), email_confirmed_at: null }));
  }
  const passwordHash = await hashPassword(password);
  const { user, issued } = await ctx.db.transaction(async (tx) => {
    const user = await insertUser(tx, {
      email,
      passwordHash,
      confirmed: autoconfirm,
      signedIn: autoconfirm,
      userMetadata: data,
      appMetadata: EMAIL_APP_METADATA,
    }).catch((err: unknown) => {
      // A concurrent sign-up with the same address won the insert.
      throw err instanceof AuthError && err.code === 'email_exists' ? userExists() : err;
    });
    if (!autoconfirm) {
      await sendConfirmation(tx, ctx.config, user, redirectTo);
      return { user, issued: undefined };
    }
    return { user, issued: await startSession(tx, user.id) };
  });
  // Unconfirmed: the user, no session, as GoTrue answers.
  if (!issued) return Response.json(userJson(user));
  return Response.json(await sessionJson(user, issued, ctx.config));
}

export async function token(req: Request, ctx: LocalContext, ip: string): Promise<Response> {
  const grantType = new URL(req.url).searchParams.get('grant_type');
  if (grantType === 'password') {
    limitIp(ctx, ip);
    return passwordGrant(req, ctx);
  }
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
  const address = email.toLowerCase();
  // Failed attempts count; once they are used up even the right password waits, so guessing
  // learns nothing more.
  limitAddress(ctx, 'token', address, false);
  const found = await findUserByEmail(ctx.db, address);
  // Same answer, and the same bcrypt work, for an unknown address and a wrong password.
  const matches = await verifyPassword(password, found?.encrypted_password);
  if (!found || !matches) {
    failedAttempt(ctx, 'token', address);
    throw new AuthError(400, 'invalid_credentials', 'Invalid login credentials');
  }
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

/** A session signed in this recently may change its password without proving it again. */
const RECENT_SIGN_IN_MS = 10 * 60 * 1000;

/**
 * Changing the password of a signed-in session needs proof it is still the user (a stolen
 * access token must not be enough): the current password, a reauthentication code
 * (GET /reauthenticate), or a sign-in (or recovery link) in the last ten minutes.
 */
async function assertMayChangePassword(
  ctx: LocalContext,
  user: Awaited<ReturnType<typeof requireUser>>,
  body: JsonObject,
): Promise<void> {
  const current = stringField(body, 'current_password');
  if (current !== undefined) {
    if (await verifyPassword(current, user.user.encrypted_password)) return;
    throw new AuthError(422, 'current_password_mismatch', 'Current password is incorrect');
  }
  const nonce = stringField(body, 'nonce');
  if (nonce !== undefined) {
    if (await consumeNonce(ctx.db, user.user.id, nonce)) return;
    throw new AuthError(400, 'reauthentication_not_valid', 'Reauthentication code is invalid or has expired');
  }
  const session = user.sessionId ? await findSession(ctx.db, user.sessionId) : undefined;
  if (session && Date.now() - session.created_at.getTime() < RECENT_SIGN_IN_MS) return;
  throw new AuthError(
    400,
    'reauthentication_needed',
    'Changing the password needs the current password or a recent sign-in',
  );
}

export async function updateOwnUser(req: Request, ctx: LocalContext): Promise<Response> {
  const signedIn = await requireUser(req, ctx.config, ctx.db);
  const { user, sessionId } = signedIn;
  const body = await readJson(req);
  rejectPhone(body);
  const changes: UserChanges = {};
  const email = stringField(body, 'email');
  const newEmail = email === undefined ? undefined : validEmail(email);
  const password = stringField(body, 'password');
  if (password !== undefined) {
    validPassword(password);
    await assertMayChangePassword(ctx, signedIn, body);
    if (await verifyPassword(password, user.encrypted_password)) {
      throw new AuthError(422, 'same_password', 'New password should be different from the old password.');
    }
    changes.passwordHash = await hashPassword(password);
  }
  const data = objectField(body, 'data');
  if (data) changes.userMetadata = mergeMetadata(user.raw_user_meta_data, data);
  const redirectTo = allowedRedirect(new URL(req.url).searchParams.get('redirect_to'), ctx.config);
  const updated = await ctx.db.transaction(async (tx) => {
    // double_confirm_changes: the address changes only once both links are followed.
    if (newEmail !== undefined && newEmail !== user.email) {
      await requestEmailChange(tx, ctx.config, user, newEmail, redirectTo);
    }
    const row = await updateUser(tx, user.id, changes);
    // A new password ends every other session, as GoTrue does.
    if (changes.passwordHash) await logout(tx, user.id, sessionId, 'others');
    return row;
  });
  return Response.json(userJson(updated));
}

export async function reauthenticateRoute(req: Request, ctx: LocalContext): Promise<Response> {
  const { user } = await requireUser(req, ctx.config, ctx.db);
  return reauthenticate(user, ctx);
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
