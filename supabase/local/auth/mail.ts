// The mails of the email flows (confirmation, recovery, email change, reauthentication):
// one-time tokens, of which auth.users keeps only the sha256, and the mail itself, written to
// private.outgoing_mail where the mail catcher (/_mail) shows it, as the Supabase CLI's
// Inbucket shows what GoTrue sends.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { LocalConfig } from '../config.ts';
import type { Queryable } from '../db.ts';
import { isLoopbackHost } from '../loopback.ts';

export type MailKind = 'signup' | 'recovery' | 'email_change' | 'reauthentication';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A token for a link (unguessable). */
export function linkToken(): string {
  return randomBytes(24).toString('hex');
}

/** A six-digit code the user types (reauthentication), as GoTrue sends. */
export function otpCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export async function sendMail(
  q: Queryable,
  mail: { to: string; subject: string; body: string; kind: MailKind },
): Promise<void> {
  await q.query('select private.send_mail($1, $2, $3, $4)', [mail.to, mail.subject, mail.body, mail.kind]);
}

/**
 * Where a link may send the user after /verify: the redirect_to the client asked for when it
 * is on the site's origin or on this machine (development), else the site itself. GoTrue
 * checks it against site_url and additional_redirect_urls the same way.
 */
export function allowedRedirect(requested: string | null | undefined, config: LocalConfig): string {
  if (requested) {
    try {
      const url = new URL(requested);
      const site = new URL(config.siteUrl);
      if (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        (url.origin === site.origin || isLoopbackHost(url.hostname))
      ) {
        return url.toString();
      }
    } catch {
      // Not a URL: the site instead.
    }
  }
  return config.siteUrl;
}

/** GoTrue's {{ .ConfirmationURL }}: /verify, which checks the token and redirects with a session. */
export function confirmationUrl(
  config: LocalConfig,
  token: string,
  type: string,
  redirectTo: string,
): string {
  const url = new URL(`${config.apiUrl}/auth/v1/verify`);
  url.searchParams.set('token', token);
  url.searchParams.set('type', type);
  url.searchParams.set('redirect_to', redirectTo);
  return url.toString();
}
