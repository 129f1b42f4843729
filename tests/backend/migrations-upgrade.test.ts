// Migrations after the baseline upgrade a database in use: a database built from the baseline
// files and filled with data, then given a later migration, ends with the schema of a
// database built fresh from all the files (tests/backend/catalog.ts), its data intact. A
// database whose applied migrations no longer match the files is refused, by migrate() and
// by the local stack, with what to do. Runs on PGlite, and on PostgreSQL under
// backend-postgres.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../supabase/local/db.ts';
import { openPglite } from '../../supabase/local/db.ts';
import {
  bootstrap,
  MIGRATIONS_DIR,
  migrate,
  readBaseline,
  StaleDatabaseError,
} from '../../supabase/local/migrate.ts';
import { startStack } from '../../supabase/local/stack.ts';
import { catalogDiff, readCatalog } from './catalog.ts';
import { freshDatabase } from './harness.ts';

const FIXTURE = '20991231000000_upgrade_fixture.sql';
const FIXTURE_DIR = join(import.meta.dirname, 'fixtures', 'migrations');

async function migratedDatabase(dir: string): Promise<Database> {
  const db = await freshDatabase();
  await bootstrap(db);
  await migrate(db, dir);
  return db;
}

/** Every row of every public table and of auth.users, without the columns named in `added`. */
async function dataOf(db: Database, added: string[] = []): Promise<Record<string, unknown>> {
  const tables = await db.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where (n.nspname = 'public' or (n.nspname = 'auth' and c.relname = 'users')) and c.relkind = 'r' order by 1`,
  );
  const data: Record<string, unknown> = {};
  for (const { name } of tables) {
    const [row] = await db.query<{ rows: unknown }>(
      `select coalesce(jsonb_agg(r order by r::text), '[]') as rows
       from (select to_jsonb(t) - $1::text[] as r from ${name} t) s`,
      [added],
    );
    data[name] = row!.rows;
  }
  return data;
}

/** A workspace in use: its owner, contacts, a channel, chats and messages, a launched campaign, an invite. */
async function fill(db: Database): Promise<string> {
  const owner = randomUUID();
  await db.query(
    `insert into auth.users (id, email, email_confirmed_at) values ($1, 'owner@example.test', now())`,
    [owner],
  );
  const [member] = await db.query<{ ws: string }>(
    'select workspace_id as ws from public.workspace_members where user_id = $1',
    [owner],
  );
  const ws = member!.ws;
  const channel = randomUUID();
  const campaign = randomUUID();
  await db.exec(`
    insert into public.contacts (id, workspace_id, phone, name, tags)
    select private.contact_id('${ws}', p.phone), '${ws}', p.phone, p.name, p.tags
    from (values ('+14155550101', 'Ada', array['vip']), ('+14155550102', 'Grace', array[]::text[]),
                 ('+447700900123', 'Alan', array['uk'])) p (phone, name, tags);
    insert into public.channels (id, workspace_id, name, rate_per_minute) values ('${channel}', '${ws}', 'Main', 30);
    insert into public.workspace_invites (workspace_id, email, role) values ('${ws}', 'agent@example.test', 'agent');
    insert into public.campaigns (id, workspace_id, name, channel_id, body, tags)
    values ('${campaign}', '${ws}', 'Spring', '${channel}', 'Hello {{name}}', array['vip']);
    select private.launch_campaign(c, 1) from public.campaigns c where c.id = '${campaign}';
  `);
  const chat = `private.chat_id('${channel}', private.wa_chat_id('+14155550101'))`;
  await db.exec(`
    insert into public.chats (id, workspace_id, channel_id, wa_chat_id, contact_id)
    values (${chat}, '${ws}', '${channel}', private.wa_chat_id('+14155550101'),
            private.contact_id('${ws}', '+14155550101'));
    insert into public.messages (id, workspace_id, channel_id, chat_id, contact_id, direction, phone, body,
      campaign_id, campaign_round)
    values (private.campaign_message_id('${campaign}', private.contact_id('${ws}', '+14155550101')), '${ws}',
            '${channel}', ${chat}, private.contact_id('${ws}', '+14155550101'), 'out', '+14155550101', 'Hello Ada',
            '${campaign}', 0);
    insert into public.outbox_messages (message_id, workspace_id, channel_id, campaign_id, status)
    select m.id, m.workspace_id, m.channel_id, m.campaign_id, 'paused' from public.messages m;
    insert into public.messages (id, workspace_id, channel_id, chat_id, direction, phone, body, status, wa_message_id)
    values (gen_random_uuid(), '${ws}', '${channel}', ${chat}, 'in', '+14155550101', 'Thanks!', 'delivered', 'wamid.in1');
  `);
  return ws;
}

let workdir: string;
let upgraded: Database;
const opened: Database[] = [];

beforeAll(async () => {
  workdir = await mkdtemp(join(tmpdir(), 'pigeon-migrations-'));
  for (const { file } of await readBaseline())
    await copyFile(join(MIGRATIONS_DIR, file), join(workdir, file));
  upgraded = await migratedDatabase(workdir);
  opened.push(upgraded);
});

afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
  await rm(workdir, { recursive: true, force: true });
});

describe('a migration after the baseline', () => {
  test('upgrades a database in use to the schema of a fresh one, its data intact', async () => {
    const ws = await fill(upgraded);
    const before = await dataOf(upgraded);
    expect((before['public.messages'] as unknown[]).length).toBe(2);

    await copyFile(join(FIXTURE_DIR, FIXTURE), join(workdir, FIXTURE));
    expect(await migrate(upgraded, workdir)).toEqual([FIXTURE.split('_')[0]]);
    expect(await migrate(upgraded, workdir)).toEqual([]);

    const fresh = await migratedDatabase(workdir);
    opened.push(fresh);
    expect(catalogDiff(await readCatalog(upgraded), await readCatalog(fresh))).toEqual([]);

    expect(await dataOf(upgraded, ['nickname'])).toEqual(before);
    const [after] = await upgraded.query<{ nicknames: string[]; count: number; quota: { reserved: number } }>(
      `select array_agg(distinct nickname) as nicknames, public.contact_count($1) as count,
              public.quota_status($1) as quota
       from public.contacts where workspace_id = $1`,
      [ws],
    );
    expect(after).toEqual({ nicknames: [''], count: 3, quota: expect.objectContaining({ reserved: 1 }) });
  });

  test('a changed or removed migration is refused, naming it, and nothing is applied', async () => {
    const fixture = join(workdir, FIXTURE);
    const applied = async () =>
      (await upgraded.query('select version from supabase_migrations.schema_migrations')).length;
    const count = await applied();
    await writeFile(join(workdir, '29991231000000_later.sql'), 'create table public.later (id int);');

    await writeFile(fixture, `${await readFile(fixture, 'utf8')}\n-- edited after it was applied\n`);
    const changed = await migrate(upgraded, workdir).catch((e: unknown) => e);
    expect(changed).toBeInstanceOf(StaleDatabaseError);
    expect((changed as StaleDatabaseError).problems).toEqual([`${FIXTURE} has changed since it was applied`]);

    await rm(fixture);
    const removed = await migrate(upgraded, workdir).catch((e: unknown) => e);
    expect((removed as StaleDatabaseError).problems).toEqual([
      `${FIXTURE} was applied, and is no longer in the repository`,
    ]);
    expect(await applied()).toBe(count);
  });
});

describe('the local stack on a data folder made by another build', () => {
  test('refuses to start, naming the folder, the files and what to do', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pigeon-stale-'));
    try {
      await (await startStack({ dataDir })).close();
      // What a build from before the baseline left: its own migration files, no checksums.
      const db = await openPglite(dataDir);
      await db.query(
        `insert into supabase_migrations.schema_migrations (version, name) values ('20261123000100', 'workspaces')`,
      );
      await db.query(
        `update supabase_migrations.schema_migrations set sha256 = 'edited' where name = 'quota'`,
      );
      await db.close();

      const refused = await startStack({ dataDir }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(StaleDatabaseError);
      const message = (refused as Error).message;
      expect(message).toContain(
        `The migrations applied to the data folder ${dataDir} differ from supabase/migrations:`,
      );
      expect(message).toContain(
        '20261123000100_workspaces.sql was applied, and is no longer in the repository',
      );
      expect(message).toContain('20261202000400_quota.sql has changed since it was applied');
      expect(message).toContain('add a new migration file instead');
      expect(message).toContain(`delete the data folder ${dataDir} and start again`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
