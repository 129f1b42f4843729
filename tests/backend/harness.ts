// Starts a fresh local stack per test file: PGlite in memory by default, or a new
// PostgreSQL database when PIGEON_TEST_DB=postgres (TEST_DATABASE_URL names the server).
import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { type Database, openDatabase } from '../../supabase/local/db.ts';
import { type JwtClaims, signJwt } from '../../supabase/local/jwt.ts';
import { type Stack, type StackOptions, startStack } from '../../supabase/local/stack.ts';

export type TestDb = 'pglite' | 'postgres';
export const testDb: TestDb = process.env.PIGEON_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:54329/postgres';

export interface Backend extends Stack {
  /** The PostgreSQL database's URL when running on PostgreSQL (for truly concurrent connections). */
  databaseUrl?: string;
  anon(): SupabaseClient;
  service(): SupabaseClient;
  /** Signs up a new user through /auth/v1 and returns a client signed in as them. */
  user(opts?: { email?: string; password?: string }): Promise<TestUser>;
  /**
   * A user written straight into auth.users with a self-signed access token: for tests of
   * rest, realtime and the schema that must not depend on the auth endpoints.
   */
  mintUser(opts?: { email?: string; expiresIn?: number }): Promise<MintedUser>;
}

export interface MintedUser {
  id: string;
  email: string;
  accessToken: string;
  claims: JwtClaims;
  client: SupabaseClient;
}

export interface TestUser {
  client: SupabaseClient;
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** supabase-js configured as a browser would be, minus storage; ws stands in for Node 20's missing WebSocket. */
export function clientFor(url: string, key: string, accessToken?: string): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
    global: accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {},
    ...(accessToken ? { accessToken: async () => accessToken } : {}),
  });
}

async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pigeon_test_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A database of the kind under test with nothing in it yet (no bootstrap, no migrations). */
export async function freshDatabase(): Promise<Database> {
  const pgdb = testDb === 'postgres' ? await freshPostgresDatabase() : undefined;
  const db = await openDatabase({ databaseUrl: pgdb?.url });
  return {
    ...db,
    async close() {
      await db.close();
      await pgdb?.drop();
    },
  };
}

export async function startBackend(
  opts: Omit<StackOptions, 'databaseUrl' | 'dataDir'> & { db?: TestDb } = {},
): Promise<Backend> {
  const { db = testDb, ...stackOpts } = opts;
  const pgdb = db === 'postgres' ? await freshPostgresDatabase() : undefined;
  const stack = await startStack({ ...stackOpts, databaseUrl: pgdb?.url });
  const clients: SupabaseClient[] = [];
  const track = (c: SupabaseClient) => {
    clients.push(c);
    return c;
  };
  return {
    ...stack,
    databaseUrl: pgdb?.url,
    anon: () => track(clientFor(stack.url, stack.config.anonKey)),
    service: () => track(clientFor(stack.url, stack.config.serviceRoleKey)),
    async user(u = {}) {
      const email = u.email ?? `user-${randomUUID().slice(0, 8)}@example.test`;
      const password = u.password ?? 'correct horse battery staple';
      const client = track(
        createClient(stack.url, stack.config.anonKey, {
          auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
          realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
        }),
      );
      const { data, error } = await client.auth.signUp({ email, password });
      if (error || !data.session || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
      await client.realtime.setAuth(data.session.access_token);
      return {
        client,
        id: data.user.id,
        email,
        password,
        accessToken: data.session.access_token,
        refreshToken: data.session.refresh_token,
      };
    },
    async mintUser(u = {}) {
      const email = u.email ?? `minted-${randomUUID().slice(0, 8)}@example.test`;
      const [row] = await stack.db.query<{ id: string }>(
        'insert into auth.users (email, email_confirmed_at) values ($1, now()) returning id',
        [email],
      );
      const id = row!.id;
      const now = Math.floor(Date.now() / 1000);
      const claims: JwtClaims = {
        aud: 'authenticated',
        iss: `${stack.url}/auth/v1`,
        sub: id,
        email,
        role: 'authenticated',
        iat: now,
        exp: now + (u.expiresIn ?? 3600),
        session_id: randomUUID(),
        is_anonymous: false,
      };
      const accessToken = await signJwt(claims, stack.config.jwtSecret);
      return {
        id,
        email,
        accessToken,
        claims,
        client: track(clientFor(stack.url, stack.config.anonKey, accessToken)),
      };
    },
    async close() {
      await Promise.all(clients.map((c) => c.removeAllChannels()));
      await stack.close();
      await pgdb?.drop();
    },
  };
}
