// What the local stack demands before it listens beyond loopback. On 127.0.0.1 only this
// machine reaches it, so the Supabase CLI's public JWT secret and the demo password are
// harmless; on any other address whoever reaches the port could sign a service_role key
// with that public secret, or sign in as the demo owner.
import { hashPassword, verifyPassword } from './auth/passwords.ts';
import { CLI_DEFAULT_JWT_SECRET } from './config.ts';
import type { Database } from './db.ts';
import { isLoopbackHost } from './loopback.ts';

export const DEMO_EMAIL = 'demo@pigeon.local';
export const DEFAULT_DEMO_PASSWORD = 'pigeon-demo';

export class ExposureError extends Error {}

/**
 * Refuses, before anything starts, a stack beyond loopback that would sign with the public
 * secret, and a demo password that is the published one.
 */
export function checkExposure(
  host: string,
  jwtSecret: string | undefined,
  demoPassword: string | undefined,
): void {
  if (demoPassword !== undefined && (demoPassword === DEFAULT_DEMO_PASSWORD || demoPassword.length < 8))
    throw new ExposureError('PIGEON_DEMO_PASSWORD must be 8 characters at least, and not the default one');
  if (isLoopbackHost(host)) return;
  if (!jwtSecret || jwtSecret === CLI_DEFAULT_JWT_SECRET) {
    throw new ExposureError(
      `HOST=${host} exposes the API beyond this machine, and the JWT secret is the Supabase CLI's public one: ` +
        'anybody could sign a service_role key with it and bypass every access rule. ' +
        'Set JWT_SECRET to a secret of your own (32 characters at least), or listen on 127.0.0.1.',
    );
  }
}

/**
 * Sets the demo account's password when one is given, then refuses a stack beyond loopback
 * whose demo account still opens with the published default password.
 */
export async function secureDemoAccount(
  db: Database,
  host: string,
  demoPassword: string | undefined,
): Promise<void> {
  if (demoPassword !== undefined) {
    await db.query('update auth.users set encrypted_password = $1 where email = $2', [
      await hashPassword(demoPassword),
      DEMO_EMAIL,
    ]);
  }
  if (isLoopbackHost(host)) return;
  const [demo] = await db.query<{ hash: string | null }>(
    'select encrypted_password as hash from auth.users where email = $1',
    [DEMO_EMAIL],
  );
  if (demo?.hash && (await verifyPassword(DEFAULT_DEMO_PASSWORD, demo.hash))) {
    throw new ExposureError(
      `HOST=${host} exposes the API beyond this machine, and the demo account ${DEMO_EMAIL} still has the ` +
        `published password "${DEFAULT_DEMO_PASSWORD}": anybody could sign in as its workspace's owner. ` +
        'Set PIGEON_DEMO_PASSWORD to a password of your own, or start a database without the demo (PIGEON_SEED=false).',
    );
  }
}
