// The workspace schema's row-level security and data rules, exercised through SQL exactly as
// an API request runs it: one transaction as the caller's role with its JWT claims set.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Queryable, Row } from '../../supabase/local/db.ts';
import { asCaller } from '../../supabase/local/request-auth.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let alice: MintedUser;
let bob: MintedUser;
let aliceWs: string;
let bobWs: string;

const REPLICATED = [
  'workspaces',
  'workspace_members',
  'contacts',
  'contact_groups',
  'templates',
  'channels',
] as const;
const ALL_TABLES = [...REPLICATED, 'channel_secrets', 'quotas', 'quota_reservations'] as const;

function as<T>(user: MintedUser, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return asCaller(backend.db, { role: 'authenticated', claims: user.claims }, fn);
}

function asAnon<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return asCaller(backend.db, { role: 'anon', claims: { role: 'anon' } }, fn);
}

function asService<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return asCaller(backend.db, { role: 'service_role', claims: { role: 'service_role' } }, fn);
}

/** Resolves to the SQLSTATE the promise rejected with; fails the test if it resolved. */
async function sqlstate(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
  throw new Error('expected the statement to fail, but it succeeded');
}

async function workspaceOf(userId: string): Promise<string> {
  const rows = await backend.db.query<{ workspace_id: string }>(
    `select workspace_id from public.workspace_members where user_id = $1 and role = 'owner'`,
    [userId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.workspace_id;
}

async function one<T extends Row>(tx: Queryable, sql: string, params: unknown[] = []): Promise<T> {
  const rows = await tx.query<T>(sql, params);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** Inserts one row of every client-writable table into ws, acting as user. */
async function seedRows(user: MintedUser, ws: string, phone: string) {
  return as(user, async (tx) => {
    const contact = await one<{ id: string }>(
      tx,
      `insert into public.contacts (workspace_id, phone, name, tags, custom_fields)
       values ($1, $2, 'Someone', '{a,b}', '{"city":"Oslo"}') returning id`,
      [ws, phone],
    );
    const group = await one<{ id: string }>(
      tx,
      `insert into public.contact_groups (workspace_id, name) values ($1, 'VIP') returning id`,
      [ws],
    );
    const template = await one<{ id: string }>(
      tx,
      `insert into public.templates (workspace_id, name, body) values ($1, 'Hi', 'Hello {{name}}') returning id`,
      [ws],
    );
    const channel = await one<{ id: string }>(
      tx,
      `insert into public.channels (workspace_id, name, provider) values ($1, 'Main', 'simulator') returning id`,
      [ws],
    );
    // A reservation is the server's to make: the last statement, as service_role.
    await tx.query(`select set_config('request.jwt.claims', '{"role":"service_role"}', true)`);
    await tx.query('set local role service_role');
    await tx.query(`select public.reserve_quota($1, $2, 1)`, [ws, `seed-${randomUUID()}`]);
    return { contact: contact.id, group: group.id, template: template.id, channel: channel.id };
  });
}

let aliceRows: Awaited<ReturnType<typeof seedRows>>;
let bobRows: Awaited<ReturnType<typeof seedRows>>;

beforeAll(async () => {
  backend = await startBackend();
  alice = await backend.mintUser();
  bob = await backend.mintUser();
  aliceWs = await workspaceOf(alice.id);
  bobWs = await workspaceOf(bob.id);
  aliceRows = await seedRows(alice, aliceWs, '+4791234567');
  bobRows = await seedRows(bob, bobWs, '+4791234568');
  // Secrets are written by server code (service_role) only.
  for (const [ws, channel] of [
    [aliceWs, aliceRows.channel],
    [bobWs, bobRows.channel],
  ] as const) {
    await asService((tx) =>
      tx.query(
        `insert into public.channel_secrets (channel_id, workspace_id, ciphertext, iv, salt)
         values ($1, $2, '\\x0102'::bytea, decode(repeat('00', 12), 'hex'), decode(repeat('11', 16), 'hex'))`,
        [channel, ws],
      ),
    );
  }
});

afterAll(() => backend?.close());

describe('sign-up', () => {
  test('every new user gets their own workspace, an owner membership and a quota', async () => {
    const rows = await backend.db.query<{ name: string; role: string; monthly_limit: number; used: number }>(
      `select w.name, m.role, q.monthly_limit, q.used
       from public.workspace_members m
       join public.workspaces w on w.id = m.workspace_id
       join public.quotas q on q.workspace_id = w.id
       where m.user_id = $1`,
      [alice.id],
    );
    expect(rows).toEqual([{ name: alice.email, role: 'owner', monthly_limit: 1000, used: 0 }]);
    expect(aliceWs).not.toBe(bobWs);
  });

  test('the workspace name comes from metadata, and odd emails never fail the sign-up', async () => {
    const cases: { email: string | null; meta: unknown; expected: string }[] = [
      {
        email: `x-${randomUUID()}@example.test`,
        meta: { workspace_name: '  Acme\u0001 Ltd ' },
        expected: 'Acme Ltd',
      },
      { email: null, meta: {}, expected: 'My workspace' },
      { email: `${'y'.repeat(150)}-${randomUUID()}@example.test`, meta: [1, 2], expected: 'y'.repeat(100) },
      { email: `z-${randomUUID()}@example.test`, meta: { workspace_name: '   ' }, expected: '' },
    ];
    for (const c of cases) {
      const [user] = await backend.db.query<{ id: string }>(
        'insert into auth.users (email, raw_user_meta_data) values ($1, $2) returning id',
        [c.email, JSON.stringify(c.meta)],
      );
      const [ws] = await backend.db.query<{ name: string }>(
        `select w.name from public.workspaces w join public.workspace_members m on m.workspace_id = w.id
         where m.user_id = $1 and m.role = 'owner'`,
        [user!.id],
      );
      expect(ws!.name).toBe(c.expected || c.email);
    }
  });
});

describe('isolation between workspaces', () => {
  test('each user reads only its own workspace rows, in every table', async () => {
    for (const [user, ws, other] of [
      [alice, aliceWs, bobWs],
      [bob, bobWs, aliceWs],
    ] as const) {
      await as(user, async (tx) => {
        for (const table of [
          'contacts',
          'contact_groups',
          'templates',
          'channels',
          'quotas',
          'quota_reservations',
        ]) {
          const rows = await tx.query<{ workspace_id: string }>(`select workspace_id from public.${table}`);
          expect(rows.length, table).toBeGreaterThan(0);
          expect(new Set(rows.map((r) => r.workspace_id)), table).toEqual(new Set([ws]));
        }
        const workspaces = await tx.query<{ id: string }>('select id from public.workspaces');
        expect(workspaces.map((r) => r.id)).toEqual([ws]);
        const members = await tx.query<{ user_id: string }>('select user_id from public.workspace_members');
        expect(members.map((r) => r.user_id)).toEqual([user.id]);
        // Even asking for the other workspace by id finds nothing.
        const probe = await tx.query('select 1 from public.contacts where workspace_id = $1', [other]);
        expect(probe).toHaveLength(0);
      });
    }
  });

  test('nobody inserts a row into a workspace it does not belong to', async () => {
    const inserts: [string, unknown[]][] = [
      [`insert into public.contacts (workspace_id, phone) values ($1, '+4799999999')`, [bobWs]],
      [`insert into public.contact_groups (workspace_id, name) values ($1, 'x')`, [bobWs]],
      [`insert into public.templates (workspace_id, name, body) values ($1, 'x', 'y')`, [bobWs]],
      [`insert into public.channels (workspace_id, name) values ($1, 'x')`, [bobWs]],
      [
        `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'owner')`,
        [bobWs, alice.id],
      ],
    ];
    for (const [sql, params] of inserts) {
      expect(await sqlstate(as(alice, (tx) => tx.query(sql, params))), sql).toBe('42501');
    }
    const [count] = await backend.db.query<{ n: number }>(
      `select (select count(*) from public.contacts where workspace_id = $1)::int
            + (select count(*) from public.workspace_members where workspace_id = $1)::int as n`,
      [bobWs],
    );
    expect(count!.n).toBe(2);
  });

  test("updates never reach another workspace's rows", async () => {
    const targets: [string, string][] = [
      ['contacts', bobRows.contact],
      ['contact_groups', bobRows.group],
      ['templates', bobRows.template],
      ['channels', bobRows.channel],
      ['workspaces', bobWs],
    ];
    for (const [table, id] of targets) {
      const updated = await as(alice, (tx) =>
        tx.query(`update public.${table} set _deleted = true where id = $1 returning id`, [id]),
      );
      expect(updated, table).toHaveLength(0);
      const [row] = await backend.db.query<{ _deleted: boolean }>(
        `select _deleted from public.${table} where id = $1`,
        [id],
      );
      expect(row!._deleted, table).toBe(false);
    }
  });

  test('a row cannot be moved to another workspace, even by a member of both', async () => {
    // Make alice a member of a second workspace (carol's), so RLS alone would allow the move.
    const carol = await backend.mintUser();
    const carolWs = await workspaceOf(carol.id);
    // As accept_invite makes it: clients cannot insert memberships (security-invites.test.ts).
    await backend.db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'admin')`,
      [carolWs, alice.id],
    );
    for (const [table, id] of [
      ['contacts', aliceRows.contact],
      ['contact_groups', aliceRows.group],
      ['templates', aliceRows.template],
      ['channels', aliceRows.channel],
    ] as const) {
      for (const target of [carolWs, bobWs]) {
        const code = await sqlstate(
          as(alice, (tx) =>
            tx.query(`update public.${table} set workspace_id = $2 where id = $1`, [id, target]),
          ),
        );
        expect(['23514', '42501'], `${table} -> ${target}`).toContain(code);
      }
      const [row] = await backend.db.query<{ workspace_id: string }>(
        `select workspace_id from public.${table} where id = $1`,
        [id],
      );
      expect(row!.workspace_id).toBe(aliceWs);
    }
    // The id is fixed too (it is the replication key).
    expect(
      await sqlstate(
        as(alice, (tx) =>
          tx.query('update public.contacts set id = $2 where id = $1', [aliceRows.contact, randomUUID()]),
        ),
      ),
    ).toBe('23514');
    // Leave alice with only her own workspace for the other tests.
    await backend.db.query('delete from public.workspace_members where workspace_id = $1 and user_id = $2', [
      carolWs,
      alice.id,
    ]);
  });

  test('clients cannot hard-delete; rows are soft-deleted through _deleted', async () => {
    for (const table of REPLICATED) {
      const code = await sqlstate(
        as(alice, (tx) => tx.query(`delete from public.${table} where workspace_id = $1`, [aliceWs])),
      );
      expect(code, table).toBe('42501');
    }
    const deleted = await as(alice, (tx) =>
      tx.query<{ _deleted: boolean }>(
        'update public.contact_groups set _deleted = true where id = $1 returning _deleted',
        [aliceRows.group],
      ),
    );
    expect(deleted).toEqual([{ _deleted: true }]);
    // Still there, so every client pulls the deletion.
    const seen = await as(alice, (tx) =>
      tx.query<{ _deleted: boolean }>('select _deleted from public.contact_groups where id = $1', [
        aliceRows.group,
      ]),
    );
    expect(seen).toEqual([{ _deleted: true }]);
  });
});

describe('secrets and anonymous callers', () => {
  test('channel_secrets is unreadable and unwritable by clients, even for their own channel', async () => {
    for (const user of [alice, bob]) {
      expect(await sqlstate(as(user, (tx) => tx.query('select * from public.channel_secrets')))).toBe(
        '42501',
      );
      expect(
        await sqlstate(
          as(user, (tx) =>
            tx.query('update public.channel_secrets set iv = iv where channel_id = $1', [aliceRows.channel]),
          ),
        ),
      ).toBe('42501');
    }
    expect(
      await sqlstate(
        as(alice, (tx) =>
          tx.query(
            `insert into public.channel_secrets (channel_id, workspace_id, ciphertext, iv, salt)
             values ($1, $2, '\\x00', '\\x00', '\\x00')`,
            [aliceRows.channel, aliceWs],
          ),
        ),
      ),
    ).toBe('42501');
    // service_role (server code) reads them.
    const secrets = await asService((tx) =>
      tx.query<{ channel_id: string }>('select channel_id from public.channel_secrets order by channel_id'),
    );
    expect(secrets.map((s) => s.channel_id).sort()).toEqual([aliceRows.channel, bobRows.channel].sort());
  });

  test('a secret stays with its own channel and workspace', async () => {
    // The composite key pins the secret to the channel's workspace.
    expect(
      await sqlstate(
        asService((tx) =>
          tx.query(
            `insert into public.channel_secrets (channel_id, workspace_id, ciphertext, iv, salt)
             values ($1, $2, '\\x01', decode(repeat('00', 12), 'hex'), decode(repeat('11', 16), 'hex'))`,
            [aliceRows.channel, bobWs],
          ),
        ),
      ),
    ).toBe('23505');
    const other = await one<{ id: string }>(
      backend.db,
      `insert into public.channels (workspace_id, name) values ($1, 'Spare') returning id`,
      [aliceWs],
    );
    expect(
      await sqlstate(
        asService((tx) =>
          tx.query(
            `insert into public.channel_secrets (channel_id, workspace_id, ciphertext, iv, salt)
             values ($1, $2, '\\x01', decode(repeat('00', 12), 'hex'), decode(repeat('11', 16), 'hex'))`,
            [other.id, bobWs],
          ),
        ),
      ),
    ).toBe('23503');
  });

  test('anon reaches nothing', async () => {
    for (const table of ALL_TABLES) {
      expect(await sqlstate(asAnon((tx) => tx.query(`select * from public.${table}`))), table).toBe('42501');
    }
    expect(
      await sqlstate(
        asAnon((tx) =>
          tx.query(`insert into public.contacts (workspace_id, phone) values ($1, '+4712345678')`, [aliceWs]),
        ),
      ),
    ).toBe('42501');
    expect(
      await sqlstate(asAnon((tx) => tx.query(`select public.reserve_quota($1, 'anon', 1)`, [aliceWs]))),
    ).toBe('42501');
    expect(await sqlstate(asAnon((tx) => tx.query('select public.my_workspace_ids()')))).toBe('42501');
  });
});

describe('roles', () => {
  let agent: MintedUser;
  let admin: MintedUser;
  let agentMembership: string;

  beforeAll(async () => {
    agent = await backend.mintUser();
    admin = await backend.mintUser();
    // Both joined as accept_invite makes members (clients cannot insert memberships).
    const rows = await backend.db.query<{ id: string }>(
      `insert into public.workspace_members (workspace_id, user_id, role)
       values ($1, $2, 'agent'), ($1, $3, 'admin') returning id`,
      [aliceWs, agent.id, admin.id],
    );
    agentMembership = rows[0]!.id;
  });

  test('an agent reads channels and writes contacts, but cannot write channels, members or settings', async () => {
    const channels = await as(agent, (tx) =>
      tx.query('select id from public.channels where workspace_id = $1', [aliceWs]),
    );
    expect(channels.length).toBeGreaterThan(0);
    const contact = await as(agent, (tx) =>
      tx.query(
        `insert into public.contacts (workspace_id, phone, name) values ($1, '+4790000001', 'By agent') returning id`,
        [aliceWs],
      ),
    );
    expect(contact).toHaveLength(1);

    expect(
      await sqlstate(
        as(agent, (tx) =>
          tx.query(`insert into public.channels (workspace_id, name) values ($1, 'Mine')`, [aliceWs]),
        ),
      ),
    ).toBe('42501');
    const renamed = await as(agent, (tx) =>
      tx.query(`update public.channels set name = 'Hijacked' where id = $1 returning id`, [
        aliceRows.channel,
      ]),
    );
    expect(renamed).toHaveLength(0);
    expect(
      await sqlstate(
        as(agent, (tx) =>
          tx.query(
            `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`,
            [aliceWs, bob.id],
          ),
        ),
      ),
    ).toBe('42501');
    const promoted = await as(agent, (tx) =>
      tx.query(`update public.workspace_members set role = 'owner' where id = $1 returning id`, [
        agentMembership,
      ]),
    );
    expect(promoted).toHaveLength(0);
    const settings = await as(agent, (tx) =>
      tx.query(`update public.workspaces set name = 'Agent was here' where id = $1 returning id`, [aliceWs]),
    );
    expect(settings).toHaveLength(0);
    const [check] = await backend.db.query<{ channel: string; ws: string; role: string }>(
      `select (select name from public.channels where id = $1) as channel,
              (select name from public.workspaces where id = $2) as ws,
              (select role from public.workspace_members where id = $3) as role`,
      [aliceRows.channel, aliceWs, agentMembership],
    );
    expect(check).toEqual({ channel: 'Main', ws: alice.email, role: 'agent' });
  });

  test('an admin manages channels and non-owner members, but cannot make owners nor change settings', async () => {
    const renamed = await as(admin, (tx) =>
      tx.query(`update public.channels set name = 'Support line' where id = $1 returning name`, [
        aliceRows.channel,
      ]),
    );
    expect(renamed).toEqual([{ name: 'Support line' }]);
    // Settings are the owners' (issue 15, item 13).
    const settings = await as(admin, (tx) =>
      tx.query<{ time_zone: string }>(
        `update public.workspaces set time_zone = 'Europe/Oslo', default_country = 'NO' where id = $1 returning time_zone`,
        [aliceWs],
      ),
    );
    expect(settings).toEqual([]);
    const demoted = await as(admin, (tx) =>
      tx.query(`update public.workspace_members set role = 'admin' where id = $1 returning role`, [
        agentMembership,
      ]),
    );
    expect(demoted).toEqual([{ role: 'admin' }]);
    expect(
      await sqlstate(
        as(admin, (tx) =>
          tx.query(`update public.workspace_members set role = 'owner' where user_id = $1`, [admin.id]),
        ),
      ),
    ).toBe('42501');
    // Owners' rows are out of an admin's reach.
    const ownerTouched = await as(admin, (tx) =>
      tx.query(`update public.workspace_members set _deleted = true where user_id = $1 returning id`, [
        alice.id,
      ]),
    );
    expect(ownerTouched).toHaveLength(0);
    await as(admin, (tx) =>
      tx.query(`update public.workspace_members set role = 'agent' where id = $1`, [agentMembership]),
    );
  });

  test('the last owner cannot leave or step down', async () => {
    expect(
      await sqlstate(
        as(alice, (tx) =>
          tx.query(
            `update public.workspace_members set role = 'admin' where workspace_id = $1 and user_id = $2`,
            [aliceWs, alice.id],
          ),
        ),
      ),
    ).toBe('23514');
    expect(
      await sqlstate(
        as(alice, (tx) =>
          tx.query(
            `update public.workspace_members set _deleted = true where workspace_id = $1 and user_id = $2`,
            [aliceWs, alice.id],
          ),
        ),
      ),
    ).toBe('23514');
  });

  test('a removed member loses the workspace but still sees its own membership end', async () => {
    await as(alice, (tx) =>
      tx.query('update public.workspace_members set _deleted = true where id = $1', [agentMembership]),
    );
    await as(agent, async (tx) => {
      expect(
        await tx.query('select id from public.contacts where workspace_id = $1', [aliceWs]),
      ).toHaveLength(0);
      expect(await tx.query('select id from public.workspaces where id = $1', [aliceWs])).toHaveLength(0);
      const own = await tx.query<{ _deleted: boolean }>(
        'select _deleted from public.workspace_members where id = $1',
        [agentMembership],
      );
      expect(own).toEqual([{ _deleted: true }]);
    });
    expect(
      await sqlstate(
        as(agent, (tx) =>
          tx.query(`insert into public.contacts (workspace_id, phone) values ($1, '+4790000002')`, [aliceWs]),
        ),
      ),
    ).toBe('42501');
  });
});

describe('replication columns', () => {
  test('_modified is set by the server on insert and grows on every update', async () => {
    const inserted = await as(alice, (tx) =>
      one<{ id: string; _modified: Date; tx_start: Date }>(
        tx,
        `insert into public.templates (workspace_id, name, body, _modified)
         values ($1, 'T', 'body', '2000-01-01') returning id, _modified, now() as tx_start`,
        [aliceWs],
      ),
    );
    // A client-supplied value is ignored, and the stamp is never before its transaction began.
    expect(inserted._modified.getTime()).toBeGreaterThanOrEqual(inserted.tx_start.getTime());
    expect(inserted._modified.getFullYear()).toBeGreaterThan(2000);

    let previous = inserted._modified.getTime();
    for (let i = 0; i < 5; i++) {
      const row = await as(alice, (tx) =>
        one<{ _modified: Date; tx_start: Date; xid: string | null }>(
          tx,
          `update public.templates set body = $2, _modified = '2000-01-01' where id = $1
           returning _modified, now() as tx_start, pg_current_xact_id_if_assigned()::text as xid`,
          [inserted.id, `body ${i}`],
        ),
      );
      expect(row._modified.getTime()).toBeGreaterThan(previous);
      expect(row._modified.getTime()).toBeGreaterThanOrEqual(row.tx_start.getTime());
      expect(row.xid).not.toBeNull();
      previous = row._modified.getTime();
    }
    // Several updates of one row in one transaction still move it forward each time.
    const stamps = await as(alice, async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await one<{ m: string }>(
          tx,
          `update public.templates set name = $2 where id = $1 returning _modified::text as m`,
          [inserted.id, `T${i}`],
        );
        out.push(r.m);
      }
      return out;
    });
    const micros = await backend.db.query<{ us: string }>(
      'select (extract(epoch from m::timestamptz) * 1000000)::bigint::text as us from unnest($1::text[]) as m',
      [stamps],
    );
    const values = micros.map((r) => BigInt(r.us));
    expect(values[1]! > values[0]! && values[2]! > values[1]!).toBe(true);
    expect(values[0]! > BigInt(previous) * 1000n).toBe(true);
  });

  test('_modified is stamped on workspaces and memberships too, and the schema carries the pull indexes', async () => {
    const before = await one<{ m: Date }>(
      backend.db,
      'select _modified as m from public.workspaces where id = $1',
      [aliceWs],
    );
    await as(alice, (tx) =>
      tx.query(`update public.workspaces set name = 'Alice & Co' where id = $1`, [aliceWs]),
    );
    const after = await one<{ m: Date; workspace_id: string }>(
      backend.db,
      'select _modified as m, workspace_id from public.workspaces where id = $1',
      [aliceWs],
    );
    expect(after.m.getTime()).toBeGreaterThan(before.m.getTime());
    expect(after.workspace_id).toBe(aliceWs);

    for (const table of REPLICATED) {
      const indexes = await backend.db.query<{ cols: string }>(
        `select string_agg(a.attname::text, ',' order by k.ord) as cols
         from pg_index i
         cross join lateral unnest(i.indkey::int2[]) with ordinality as k(attnum, ord)
         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
         where i.indrelid = $1::regclass
         group by i.indexrelid`,
        [`public.${table}`],
      );
      const cols = indexes.map((r) => r.cols);
      expect(cols, table).toContain('workspace_id,_modified,id');
      expect(cols, table).toContain('_modified,id');
    }
    const published = await backend.db.query<{ tablename: string }>(
      `select tablename from pg_publication_tables where pubname = 'supabase_realtime' and schemaname = 'public'`,
    );
    expect(published.map((r) => r.tablename)).toEqual(expect.arrayContaining([...REPLICATED]));
    expect(published.map((r) => r.tablename)).not.toContain('channel_secrets');
  });

  test('bad data is refused with the constraint that names it', async () => {
    const bad: [string, unknown[], string][] = [
      [`insert into public.contacts (workspace_id, phone) values ($1, '12345')`, [aliceWs], '23514'],
      [`insert into public.contacts (workspace_id, phone) values ($1, '+0123456789')`, [aliceWs], '23514'],
      [
        `insert into public.contacts (workspace_id, phone, custom_fields) values ($1, '+4790000003', '[1]')`,
        [aliceWs],
        '23514',
      ],
      [`insert into public.contacts (workspace_id, phone) values ($1, '+4791234567')`, [aliceWs], '23505'],
      [
        `insert into public.templates (workspace_id, name, body) values ($1, 'x', repeat('a', 4097))`,
        [aliceWs],
        '23514',
      ],
      [
        `insert into public.channels (workspace_id, name, provider) values ($1, 'x', 'twilio')`,
        [aliceWs],
        '23514',
      ],
      [`update public.workspaces set time_zone = 'Mars/Olympus' where id = $1`, [aliceWs], '22023'],
      [`update public.workspaces set default_country = 'usa' where id = $1`, [aliceWs], '23514'],
    ];
    for (const [sql, params, code] of bad) {
      expect(await sqlstate(as(alice, (tx) => tx.query(sql, params))), sql).toBe(code);
    }
  });

  test('opted_out_at follows opted_out', async () => {
    const out = await as(alice, (tx) =>
      one<{ opted_out_at: Date | null }>(
        tx,
        'update public.contacts set opted_out = true where id = $1 returning opted_out_at',
        [aliceRows.contact],
      ),
    );
    expect(out.opted_out_at).toBeInstanceOf(Date);
    // Clearing it takes an owner or admin and a reason (security-opt-out.test.ts).
    const back = await as(alice, (tx) =>
      one<{ opted_out_at: Date | null }>(
        tx,
        "select opted_out_at from public.set_contact_opt_out($1, false, 'asked to hear from us again')",
        [aliceRows.contact],
      ),
    );
    expect(back.opted_out_at).toBeNull();
  });
});
