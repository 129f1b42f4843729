// The migrations apply to a fresh database after the bootstrap (PGlite, or stock
// PostgreSQL 15 under backend-postgres), are recorded where the Supabase CLI records them,
// apply once; the seed builds the demo workspace, also against hosted Supabase's auth shape.
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { MIGRATIONS_DIR, migrate, readMigrations, seed } from '../../supabase/local/migrate.ts';
import { asCaller } from '../../supabase/local/request-auth.ts';
import { type Backend, startBackend } from './harness.ts';

const DEMO_ID = 'd0d0d0d0-0000-4000-8000-000000000001';

let backend: Backend;

beforeAll(async () => {
  backend = await startBackend();
});

afterAll(() => backend?.close());

describe('migrations', () => {
  test('every migration file is applied once and recorded as the CLI records it, with its sha256', async () => {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(f).toMatch(/^\d{14}_[a-z0-9_]+\.sql$/);
    const recorded = await backend.db.query<{ version: string; name: string; sha256: string }>(
      'select version, name, sha256 from supabase_migrations.schema_migrations order by version',
    );
    expect(recorded.map((r) => `${r.version}_${r.name}.sql`)).toEqual(files);
    expect(recorded.map((r) => r.sha256)).toEqual((await readMigrations()).map((m) => m.sha256));
    expect(await migrate(backend.db)).toEqual([]);
    const again = await backend.db.query<{ n: number }>(
      'select count(*)::int as n from supabase_migrations.schema_migrations',
    );
    expect(again[0]!.n).toBe(files.length);
  });

  test('the database is the one under test (PGlite, or PostgreSQL 15 with CI)', async () => {
    const [row] = await backend.db.query<{ v: number }>(
      `select current_setting('server_version_num')::int as v`,
    );
    if (backend.db.kind === 'postgres') expect(Math.floor(row!.v / 10000)).toBe(15);
    else expect(row!.v).toBeGreaterThanOrEqual(150000);
  });

  test('every public table has row-level security on', async () => {
    const tables = await backend.db.query<{ relname: string; rls: boolean }>(
      `select c.relname::text as relname, c.relrowsecurity as rls
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind = 'r' order by 1`,
    );
    expect(tables.map((t) => t.relname)).toEqual(
      expect.arrayContaining([
        'channel_secrets',
        'channels',
        'contact_groups',
        'contacts',
        'quota_reservations',
        'quotas',
        'templates',
        'workspace_members',
        'workspaces',
      ]),
    );
    expect(tables.filter((t) => !t.rls)).toEqual([]);
  });

  test('SECURITY DEFINER functions pin an empty search_path, and the RPCs are closed to anon', async () => {
    const definers = await backend.db.query<{ fn: string; config: string[] | null }>(
      `select p.oid::regprocedure::text as fn, p.proconfig as config
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ('public', 'private', 'sync') and p.prosecdef`,
    );
    expect(definers.length).toBeGreaterThan(5);
    for (const d of definers) expect(d.config ?? [], d.fn).toContain('search_path=""');

    // Members read the quota; only the server moves it (20261203120100_quota_server_owned.sql).
    const rpcs = {
      'public.reserve_quota(uuid,text,integer,integer)': false,
      'public.commit_quota(uuid,text,integer)': false,
      'public.release_quota(uuid,text)': false,
      'public.quota_status(uuid)': true,
    };
    for (const [fn, members] of Object.entries(rpcs)) {
      const [row] = await backend.db.query<{ anon: boolean; authenticated: boolean; service: boolean }>(
        `select has_function_privilege('anon', $1, 'execute') as anon,
                has_function_privilege('authenticated', $1, 'execute') as authenticated,
                has_function_privilege('service_role', $1, 'execute') as service`,
        [fn],
      );
      expect(row, fn).toEqual({ anon: false, authenticated: members, service: true });
    }
    const [priv] = await backend.db.query<{ usage: boolean }>(
      `select has_schema_privilege('authenticated', 'private', 'usage') as usage`,
    );
    expect(priv!.usage).toBe(false);
  });
});

describe('seed', () => {
  test('seed.sql creates the demo user, its workspace and demo rows, once', async () => {
    expect(await seed(backend.db)).toBe(true);
    expect(await seed(backend.db)).toBe(false);

    const [user] = await backend.db.query<{ ok: boolean; confirmed: boolean }>(
      `select encrypted_password = extensions.crypt('pigeon-demo', encrypted_password) as ok,
              email_confirmed_at is not null as confirmed
       from auth.users where id = $1 and email = 'demo@pigeon.local'`,
      [DEMO_ID],
    );
    expect(user).toEqual({ ok: true, confirmed: true });

    // What the demo user sees through the API is its workspace with the demo rows.
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: DEMO_ID,
      role: 'authenticated',
      aud: 'authenticated',
      email: 'demo@pigeon.local',
      exp: now + 60,
    };
    const seen = await asCaller(backend.db, { role: 'authenticated', claims }, async (tx) => {
      const [ws] = await tx.query<{ id: string; name: string }>('select id, name from public.workspaces');
      const count = async (table: string) =>
        (await tx.query<{ n: number }>(`select count(*)::int as n from public.${table}`))[0]!.n;
      const [member] = await tx.query<{ role: string }>('select role from public.workspace_members');
      // The seed derives ids in SQL; they must equal the app's contactId().
      const ids = await tx.query<{ id: string; workspace_id: string; phone: string }>(
        'select id, workspace_id, phone from public.contacts',
      );
      const grouped = await tx.query<{ n: number }>(
        `select count(*)::int as n from public.contacts c join public.contact_groups g on g.id = any (c.group_ids)`,
      );
      const quota = await tx.query<{ r: { limit: number; used: number } }>(
        'select public.quota_status($1) as r',
        [ws!.id],
      );
      return {
        workspace: ws!.name,
        role: member!.role,
        contacts: await count('contacts'),
        groups: await count('contact_groups'),
        templates: await count('templates'),
        channels: await count('channels'),
        idsDerived: ids.every((c) => c.id === contactId(c.workspace_id, c.phone)),
        grouped: grouped[0]!.n,
        limit: quota[0]!.r.limit,
      };
    });
    expect(seen).toEqual({
      workspace: 'Demo workspace',
      role: 'owner',
      contacts: 5,
      groups: 1,
      templates: 2,
      channels: 1,
      idsDerived: true,
      grouped: 3,
      limit: 1000,
    });
  });

  test("seed.sql fills hosted Supabase's extra auth columns and the email identity", async () => {
    // A second fresh stack whose auth schema carries the hosted-only parts the seed handles.
    const hosted = await startBackend();
    try {
      await hosted.db.exec(`
        alter table auth.users
          add column if not exists instance_id uuid,
          add column if not exists confirmation_token varchar(255),
          add column if not exists recovery_token varchar(255),
          add column if not exists email_change_token_new varchar(255),
          add column if not exists email_change varchar(255);
        create table if not exists auth.identities (
          provider_id text not null,
          user_id uuid not null references auth.users (id) on delete cascade,
          identity_data jsonb not null,
          provider text not null,
          last_sign_in_at timestamptz,
          created_at timestamptz,
          updated_at timestamptz,
          id uuid primary key default gen_random_uuid(),
          unique (provider_id, provider)
        );
      `);
      expect(await seed(hosted.db)).toBe(true);
      const [row] = await hosted.db.query<Record<string, unknown>>(
        `select instance_id::text as instance_id, confirmation_token, recovery_token, email_change_token_new, email_change
         from auth.users where id = $1`,
        [DEMO_ID],
      );
      expect(row).toEqual({
        instance_id: '00000000-0000-0000-0000-000000000000',
        confirmation_token: '',
        recovery_token: '',
        email_change_token_new: '',
        email_change: '',
      });
      const identities = await hosted.db.query<{ provider: string; provider_id: string; email: string }>(
        `select provider, provider_id, identity_data ->> 'email' as email from auth.identities where user_id = $1`,
        [DEMO_ID],
      );
      expect(identities).toEqual([{ provider: 'email', provider_id: DEMO_ID, email: 'demo@pigeon.local' }]);
      const [ws] = await hosted.db.query<{ name: string }>(
        `select w.name from public.workspaces w join public.workspace_members m on m.workspace_id = w.id
         where m.user_id = $1`,
        [DEMO_ID],
      );
      expect(ws!.name).toBe('Demo workspace');
    } finally {
      await hosted.close();
    }
  });
});
