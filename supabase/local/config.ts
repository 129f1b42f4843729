// Settings of the local stack. Defaults match the Supabase CLI's local development
// values, so tools written for `supabase start` work unchanged.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { signJwt } from './jwt.ts';

export interface LocalConfig {
  /** Public base URL, e.g. http://127.0.0.1:54321 */
  apiUrl: string;
  jwtSecret: string;
  /** Access token lifetime in seconds. */
  jwtExpiry: number;
  anonKey: string;
  serviceRoleKey: string;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** Where the app is served: auth mails link back to it unless the client names a loopback page. */
  siteUrl: string;
  /** Sign-ups are confirmed at once (config.toml: [auth.email] enable_confirmations = false). */
  mailerAutoconfirm: boolean;
  rateLimits: AuthRateLimits;
}

/** Attempts allowed per window on the password grant, sign-up and recovery (GoTrue: 429). */
export interface AuthRateLimits {
  windowSeconds: number;
  /** Per email address and route. */
  perAddress: number;
  /** Per client IP, all those routes together. */
  perIp: number;
  /** Seconds between two mails to one address (config.toml: [auth.email] max_frequency). */
  mailIntervalSeconds: number;
}

export const DEFAULT_RATE_LIMITS: AuthRateLimits = {
  windowSeconds: 300,
  perAddress: 10,
  perIp: 300,
  mailIntervalSeconds: 60,
};

/** The Supabase CLI's well-known local JWT secret: for local development only. */
export const CLI_DEFAULT_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

export async function makeConfig(opts: {
  apiUrl: string;
  jwtSecret?: string;
  jwtExpiry?: number;
  maxBodyBytes?: number;
  siteUrl?: string;
  mailerAutoconfirm?: boolean;
  rateLimits?: Partial<AuthRateLimits>;
}): Promise<LocalConfig> {
  const jwtSecret = opts.jwtSecret ?? CLI_DEFAULT_JWT_SECRET;
  if (jwtSecret.length < 32) throw new Error('JWT secret must be at least 32 characters');
  // Ten years, like the CLI's keys: they are API keys, not sessions.
  const exp = Math.floor(Date.now() / 1000) + 10 * 365 * 24 * 3600;
  return {
    apiUrl: opts.apiUrl.replace(/\/$/, ''),
    jwtSecret,
    jwtExpiry: opts.jwtExpiry ?? 3600,
    maxBodyBytes: opts.maxBodyBytes ?? 10 * 1024 * 1024,
    siteUrl: (opts.siteUrl ?? 'http://127.0.0.1:5173').replace(/\/$/, ''),
    mailerAutoconfirm: opts.mailerAutoconfirm ?? true,
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...opts.rateLimits },
    anonKey: await signJwt({ iss: 'supabase-demo', role: 'anon', exp }, jwtSecret),
    serviceRoleKey: await signJwt({ iss: 'supabase-demo', role: 'service_role', exp }, jwtSecret),
  };
}

/**
 * The key channel secrets are sealed with (PIGEON_SECRETS_KEY), kept in `file`: read when it
 * exists, made and written (readable by its owner only) on first start. Losing it loses
 * every stored channel credential: they must then be connected again.
 */
export async function secretsKeyFile(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  // 'wx': a second stack starting at once keeps the first one's key.
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return (await readFile(file, 'utf8')).trim();
}
