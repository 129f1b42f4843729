// GoTrue's email flows: the confirmation of a sign-up, password recovery (/recover), the
// double-confirmed email change, reauthentication (/reauthenticate) and /verify, which turns
// a mailed token into a session (POST: JSON; GET: the mail's link, redirecting with the
// session in the URL fragment as GoTrue's implicit flow does).
import type { LocalConfig } from '../config.ts';
import type { LocalContext } from '../context.ts';
import type { Queryable } from '../db.ts';
import { AuthError } from './errors.ts';
import { readJson, stringField, validEmail } from './input.ts';
import { allowedRedirect, confirmationUrl, hashToken, linkToken, otpCode, sendMail } from './mail.ts';
import { limitIp, limitMail } from './rate-limit.ts';
import { type Issued, sessionJson, startSession } from './sessions.ts';
import { findUserByEmail, type UserRow, updateUser } from './users.ts';

/** How long a mailed link or code stays valid (GoTrue's mailer_otp_exp). */
const TOKEN_TTL = '1 hour';

export async function sendConfirmation(
  q: Queryable,
  config: LocalConfig,
  user: UserRow,
  redirectTo: string,
): Promise<void> {
  const token = linkToken();
  await q.query('update auth.users set confirmation_token = $2, confirmation_sent_at = now() where id = $1', [
    user.id,
    hashToken(token),
  ]);
  await sendMail(q, {
    to: user.email ?? '',
    subject: 'Confirm your signup',
    body: `Follow this link to confirm your email address for Pigeon:\n\n${confirmationUrl(config, token, 'signup', redirectTo)}\n`,
    kind: 'signup',
  });
}

/** POST /recover: mails a recovery link when the address has an account; the same answer either way. */
export async function recover(req: Request, ctx: LocalContext, ip: string): Promise<Response> {
  limitIp(ctx, ip);
  const body = await readJson(req);
  const email = validEmail(stringField(body, 'email'));
  limitMail(ctx, email);
  const redirectTo = allowedRedirect(new URL(req.url).searchParams.get('redirect_to'), ctx.config);
  const user = await findUserByEmail(ctx.db, email);
  if (user) {
    const token = linkToken();
    await ctx.db.transaction(async (tx) => {
      await tx.query('update auth.users set recovery_token = $2, recovery_sent_at = now() where id = $1', [
        user.id,
        hashToken(token),
      ]);
      await sendMail(tx, {
        to: email,
        subject: 'Reset your password',
        body:
          `Someone asked to reset the password of your Pigeon account. Follow this link to choose a new one:\n\n` +
          `${confirmationUrl(ctx.config, token, 'recovery', redirectTo)}\n\nIf it was not you, ignore this mail.`,
        kind: 'recovery',
      });
    });
  }
  return Response.json({});
}

/** GET /reauthenticate: mails a six-digit code that PUT /user accepts as `nonce` for a password change. */
export async function reauthenticate(user: UserRow, ctx: LocalContext): Promise<Response> {
  if (!user.email) throw new AuthError(422, 'email_address_not_provided', 'The user has no email address');
  limitMail(ctx, user.email);
  const code = otpCode();
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      'update auth.users set reauthentication_token = $2, reauthentication_sent_at = now() where id = $1',
      [user.id, hashToken(code)],
    );
    await sendMail(tx, {
      to: user.email ?? '',
      subject: 'Confirm reauthentication',
      body: `Enter this code in Pigeon to confirm it is you: ${code}\n`,
      kind: 'reauthentication',
    });
  });
  return Response.json({});
}

/** Consumes a reauthentication code; false when it is wrong or too old. */
export async function consumeNonce(q: Queryable, userId: string, nonce: string): Promise<boolean> {
  const rows = await q.query(
    `update auth.users set reauthentication_token = null
     where id = $1 and reauthentication_token = $2 and reauthentication_sent_at > now() - interval '${TOKEN_TTL}'
     returning id`,
    [userId, hashToken(nonce)],
  );
  return rows.length === 1;
}

/** PUT /user with a new email: pending until the links mailed to both addresses are followed. */
export async function requestEmailChange(
  q: Queryable,
  config: LocalConfig,
  user: UserRow,
  newEmail: string,
  redirectTo: string,
): Promise<void> {
  if (await findUserByEmail(q, newEmail)) {
    throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
  }
  const toNew = linkToken();
  const toCurrent = linkToken();
  await q.query(
    `update auth.users set email_change = $2, email_change_token_new = $3, email_change_token_current = $4,
       email_change_confirm_status = 0, email_change_sent_at = now()
     where id = $1`,
    [user.id, newEmail, hashToken(toNew), hashToken(toCurrent)],
  );
  const body = (token: string) =>
    `Follow this link to confirm the change of your Pigeon address from ${user.email} to ${newEmail}:\n\n` +
    `${confirmationUrl(config, token, 'email_change', redirectTo)}\n\n` +
    'The change needs the links sent to both addresses. If you did not ask for it, ignore this mail and change your password.';
  await sendMail(q, {
    to: newEmail,
    subject: 'Confirm email change',
    body: body(toNew),
    kind: 'email_change',
  });
  await sendMail(q, {
    to: user.email ?? '',
    subject: 'Confirm email change',
    body: body(toCurrent),
    kind: 'email_change',
  });
}

const VERIFY_TYPES = ['signup', 'email', 'recovery', 'email_change'] as const;
type VerifyType = (typeof VERIFY_TYPES)[number];

const invalidLink = () =>
  new AuthError(403, 'otp_expired', 'Email link is invalid or has expired', { error: 'access_denied' });

type Verified = { kind: 'session'; user: UserRow; issued: Issued } | { kind: 'pending'; message: string };

function verifyType(raw: string | null | undefined): VerifyType {
  const type = VERIFY_TYPES.find((t) => t === raw);
  if (!type) {
    throw new AuthError(400, 'validation_failed', `Verify requires a type of ${VERIFY_TYPES.join(', ')}`);
  }
  return type;
}

/** Applies a mailed token; a session for the user unless an email change waits for its other link. */
async function applyToken(ctx: LocalContext, type: VerifyType, token: string): Promise<Verified> {
  const hash = hashToken(token);
  return ctx.db.transaction(async (tx): Promise<Verified> => {
    if (type === 'email_change') {
      const [row] = await tx.query<UserRow & { status: number }>(
        `update auth.users set
           email_change_token_new = case when email_change_token_new = $1 then null else email_change_token_new end,
           email_change_token_current = case when email_change_token_current = $1 then null else email_change_token_current end,
           email_change_confirm_status = email_change_confirm_status + 1
         where (email_change_token_new = $1 or email_change_token_current = $1)
           and email_change_sent_at > now() - interval '${TOKEN_TTL}'
         returning id, email_change_confirm_status as status`,
        [hash],
      );
      if (!row) throw invalidLink();
      if (row.status < 2) {
        return {
          kind: 'pending',
          message: 'Confirmation link accepted. Please proceed to confirm link sent to the other email',
        };
      }
      await tx.query(
        `update auth.users set email = email_change, email_confirmed_at = now(), email_change = null,
           email_change_confirm_status = 0, email_change_sent_at = null, updated_at = now()
         where id = $1`,
        [row.id],
      );
      return session(tx, row.id);
    }
    const [column, sentColumn] =
      type === 'recovery'
        ? ['recovery_token', 'recovery_sent_at']
        : ['confirmation_token', 'confirmation_sent_at'];
    const [row] = await tx.query<{ id: string }>(
      `update auth.users set ${column} = null, email_confirmed_at = coalesce(email_confirmed_at, now())
       where ${column} = $1 and ${sentColumn} > now() - interval '${TOKEN_TTL}'
       returning id`,
      [hash],
    );
    if (!row) throw invalidLink();
    return session(tx, row.id);
  });
}

async function session(tx: Queryable, userId: string): Promise<Verified> {
  const user = await updateUser(tx, userId, { signedIn: true });
  return { kind: 'session', user, issued: await startSession(tx, userId) };
}

/** POST /verify {type, token_hash} (supabase-js verifyOtp) or {type, token, email}. */
export async function verifyPost(req: Request, ctx: LocalContext, ip: string): Promise<Response> {
  limitIp(ctx, ip);
  const body = await readJson(req);
  const type = verifyType(stringField(body, 'type'));
  const token = stringField(body, 'token_hash') ?? stringField(body, 'token');
  if (!token) throw new AuthError(400, 'validation_failed', 'Verify requires a token or a token_hash');
  const email = stringField(body, 'email');
  const verified = await applyToken(ctx, type, token);
  if (verified.kind === 'pending') return Response.json({ msg: verified.message, code: 200 });
  if (email !== undefined && validEmail(email) !== verified.user.email) throw invalidLink();
  return Response.json(await sessionJson(verified.user, verified.issued, ctx.config));
}

/** GET /verify?token&type&redirect_to: the mailed link; redirects with the outcome in the fragment. */
export async function verifyLink(req: Request, ctx: LocalContext, ip: string): Promise<Response> {
  const params = new URL(req.url).searchParams;
  const redirectTo = allowedRedirect(params.get('redirect_to'), ctx.config);
  const fragment = new URLSearchParams();
  try {
    limitIp(ctx, ip);
    const type = verifyType(params.get('type'));
    const verified = await applyToken(ctx, type, params.get('token') ?? '');
    if (verified.kind === 'pending') {
      fragment.set('message', verified.message);
    } else {
      const json = await sessionJson(verified.user, verified.issued, ctx.config);
      for (const key of [
        'access_token',
        'expires_at',
        'expires_in',
        'refresh_token',
        'token_type',
      ] as const) {
        fragment.set(key, String(json[key]));
      }
      fragment.set('type', type);
    }
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    fragment.set('error', 'access_denied');
    fragment.set('error_code', err.code);
    fragment.set('error_description', err.message);
  }
  return new Response(null, { status: 303, headers: { location: `${redirectTo}#${fragment}` } });
}
