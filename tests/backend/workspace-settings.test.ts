// Workspace settings are the owners' (issue 15, item 13; supabase/migrations/
// 20261203130000_owner_settings.sql): an owner changes the name, time zone and default country;
// an admin, an agent and an outsider trying the same through the API change nothing. A new
// workspace starts from the sign-up's browser: its time zone and country, when valid.
import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Backend, startBackend, type TestUser } from './harness.ts';

let backend: Backend;
let owner: TestUser;
let workspace: string;

beforeAll(async () => {
  backend = await startBackend();
  owner = await backend.user();
  const [row] = await backend.db.query<{ workspace_id: string }>(
    `select workspace_id from public.workspace_members where user_id = $1 and role = 'owner'`,
    [owner.id],
  );
  workspace = row!.workspace_id;
});

afterAll(() => backend?.close());

async function settings(ws = workspace) {
  const [row] = await backend.db.query<{ name: string; time_zone: string; default_country: string }>(
    'select name, time_zone, default_country from public.workspaces where id = $1',
    [ws],
  );
  return row;
}

async function member(role: 'admin' | 'agent'): Promise<TestUser> {
  const user = await backend.user();
  await backend.db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)`,
    [workspace, user.id, role],
  );
  return user;
}

async function signUpWith(data: Record<string, string>): Promise<string> {
  const client = createClient(backend.url, backend.config.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const email = `signup-${randomUUID().slice(0, 8)}@example.test`;
  const { data: signedUp, error } = await client.auth.signUp({
    email,
    password: 'correct horse battery staple',
    options: { data },
  });
  if (error || !signedUp.user) throw new Error(`sign-up failed: ${error?.message}`);
  const [row] = await backend.db.query<{ workspace_id: string }>(
    `select workspace_id from public.workspace_members where user_id = $1 and role = 'owner'`,
    [signedUp.user.id],
  );
  return row!.workspace_id;
}

describe('owners change the settings', () => {
  test('an owner renames the workspace and sets its time zone and default country', async () => {
    const { data, error } = await owner.client
      .from('workspaces')
      .update({ name: 'Lisbon Bakery', time_zone: 'Europe/Lisbon', default_country: 'PT' })
      .eq('id', workspace)
      .select('name, time_zone, default_country');
    expect(error).toBeNull();
    expect(data).toEqual([{ name: 'Lisbon Bakery', time_zone: 'Europe/Lisbon', default_country: 'PT' }]);
    expect(await settings()).toEqual({
      name: 'Lisbon Bakery',
      time_zone: 'Europe/Lisbon',
      default_country: 'PT',
    });
  });

  test('an owner still cannot set a time zone or country that does not exist', async () => {
    const zone = await owner.client
      .from('workspaces')
      .update({ time_zone: 'Mars/Olympus' })
      .eq('id', workspace);
    expect(zone.error?.message).toMatch(/unknown time zone "Mars\/Olympus"/);
    const country = await owner.client
      .from('workspaces')
      .update({ default_country: 'usa' })
      .eq('id', workspace);
    expect(country.error).not.toBeNull();
    expect((await settings())?.time_zone).toBe('Europe/Lisbon');
  });
});

describe('attackers: everyone else changes nothing', () => {
  test('an admin, an agent and an outsider each try to rewrite the settings through the API', async () => {
    const before = await settings();
    const attackers = [await member('admin'), await member('agent'), await backend.user()];
    for (const attacker of attackers) {
      const { data, error } = await attacker.client
        .from('workspaces')
        .update({ name: 'Hijacked', time_zone: 'Asia/Tokyo', default_country: 'JP' })
        .eq('id', workspace)
        .select('id');
      expect(error).toBeNull();
      expect(data).toEqual([]);
    }
    expect(await settings()).toEqual(before);
  });
});

describe('a new workspace starts from the browser that signs up', () => {
  test("the sign-up's time zone and country", async () => {
    const ws = await signUpWith({ time_zone: 'Europe/Lisbon', default_country: 'PT' });
    expect(await settings(ws)).toMatchObject({ time_zone: 'Europe/Lisbon', default_country: 'PT' });
  });

  test('unknown or malformed ones fall back to UTC and US, and the sign-up still succeeds', async () => {
    const ws = await signUpWith({ time_zone: 'Mars/Olympus', default_country: "US'; drop table x; --" });
    expect(await settings(ws)).toMatchObject({ time_zone: 'UTC', default_country: 'US' });
  });
});
