// Consent-gated sync (issue 16; supabase/migrations/20261206110000_contacts_kept_on_devices.sql):
// a workspace may keep its contacts and templates on its members' devices only. Attacks: a
// member who is not an owner or admin turns it on or off with their own token; a client pushes
// a contact or template while it is on (push_rows, REST insert and update), so that the server
// stores it after all. And campaigns still reach contacts the server never stored: the launch
// commands carry each recipient's phone and name, and the server still enforces membership,
// opt-outs and the quota.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { campaignCommandChunks } from '../../src/domain/campaign-commands.ts';
import { contactId } from '../../src/domain/ids.ts';
import type { Contact } from '../../src/domain/types.ts';
import { immediateLaunch } from './campaign-launch.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';
import { workspaceOf } from './pull-client.ts';

interface CommandResult {
  message_id: string | null;
  status: 'queued' | 'duplicate' | 'rejected';
  error?: string;
}

let backend: Backend;
let owner: MintedUser;
let admin: MintedUser;
let agent: MintedUser;
let ws: string;
let channel: string;
let serial = 0;

beforeAll(async () => {
  backend = await startBackend();
  [owner, admin, agent] = [await backend.mintUser(), await backend.mintUser(), await backend.mintUser()];
  ws = await workspaceOf(backend, owner.id);
  await backend.db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'admin'), ($1, $3, 'agent')`,
    [ws, admin.id, agent.id],
  );
  const [ch] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, rate_per_minute) values ($1, 'Main line', 6000) returning id`,
    [ws],
  );
  channel = ch!.id;
  await backend.db.query('update public.quotas set monthly_limit = 100, used = 0 where workspace_id = $1', [
    ws,
  ]);
});
afterAll(() => backend?.close());

type Setting = {
  contacts_local_only: boolean;
  contacts_local_only_by: string | null;
  contacts_local_only_at: string | null;
};

async function setting(): Promise<Setting> {
  const [row] = await backend.db.query<Setting>(
    'select contacts_local_only, contacts_local_only_by, contacts_local_only_at from public.workspaces where id = $1',
    [ws],
  );
  return row!;
}

async function events(): Promise<{ contacts_local_only: boolean; actor_id: string | null }[]> {
  return backend.db.query(
    'select contacts_local_only, actor_id from public.workspace_consent_events where workspace_id = $1 order by created_at, id',
    [ws],
  );
}

function contact(fields: Partial<Contact> = {}): Contact {
  serial += 1;
  const phone = `+3519100${String(10_000 + serial)}`;
  return {
    id: contactId(ws, phone),
    workspace_id: ws,
    phone,
    name: `Cliente ${serial}`,
    email: `cliente${serial}@example.test`,
    tags: ['private'],
    group_ids: [],
    custom_fields: { city: 'Porto' },
    opted_out: false,
    opted_out_at: null,
    notes: 'only on my phone',
    updated_at: new Date().toISOString(),
    _deleted: false,
    ...fields,
  };
}

function template(): Record<string, unknown> {
  return {
    id: randomUUID(),
    workspace_id: ws,
    name: `Greeting ${++serial}`,
    body: 'Hello {{first_name}}',
    language: 'en',
    category: 'marketing',
    updated_at: new Date().toISOString(),
    _deleted: false,
  };
}

/** RxDB's push of rows as `user` (push_changes): its answer. */
async function push(user: MintedUser, table: string, docs: object[], assumed: string | null = null) {
  const { data, error } = await user.client.rpc('push_changes', {
    p_table: table,
    p_rows: docs.map((doc) => ({ doc, assumed })),
  });
  expect(error).toBeNull();
  return data as { conflicts: { id: string; _refused?: string }[]; written: Record<string, string> };
}

async function stored(table: 'contacts' | 'templates', id: string): Promise<unknown[]> {
  return backend.db.query(`select id from public.${table} where id = $1`, [id]);
}

async function turn(user: MintedUser, on: boolean) {
  return user.client.rpc('set_contacts_local_only', { p_workspace_id: ws, p_on: on });
}

describe('who may keep contacts on devices', () => {
  test('off by default for a new workspace', async () => {
    expect(await setting()).toEqual({
      contacts_local_only: false,
      contacts_local_only_by: null,
      contacts_local_only_at: null,
    });
  });

  test('an agent with their own token cannot turn it on: not by the RPC, not by REST', async () => {
    const rpc = await turn(agent, true);
    expect(rpc.error?.message).toBe(
      'only owners and admins of a workspace may choose where its contacts and templates are kept',
    );
    const rest = await agent.client
      .from('workspaces')
      .update({ contacts_local_only: true })
      .eq('id', ws)
      .select('id');
    expect(rest.data ?? []).toEqual([]);
    const outsider = await backend.mintUser();
    expect((await turn(outsider, true)).error?.message).toMatch(/only owners and admins/);
    expect((await setting()).contacts_local_only).toBe(false);
    expect(await events()).toEqual([]);
  });

  test('an admin turns it on; who and when are recorded, and cannot be forged', async () => {
    const before = Date.now();
    const { data, error } = await turn(admin, true);
    expect(error).toBeNull();
    expect(data).toMatchObject({ contacts_local_only: true, contacts_local_only_by: admin.id });
    const now = await setting();
    expect(now).toMatchObject({ contacts_local_only: true, contacts_local_only_by: admin.id });
    expect(new Date(now.contacts_local_only_at!).getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(await events()).toEqual([{ contacts_local_only: true, actor_id: admin.id }]);

    // An owner's REST update may rename the workspace, but not rewrite who turned it on.
    const forged = await owner.client
      .from('workspaces')
      .update({ contacts_local_only_by: owner.id, contacts_local_only_at: '2020-01-01T00:00:00Z' })
      .eq('id', ws)
      .select('id');
    expect(forged.error).toBeNull();
    expect(await setting()).toEqual(now);
    // Turning it on again changes nothing, and records nothing.
    expect((await turn(owner, true)).error).toBeNull();
    expect(await setting()).toEqual(now);
    expect(await events()).toHaveLength(1);
  });
});

describe('while on, the server stores no contact or template a client sends', () => {
  test('push_changes refuses each contact and template with the reason; nothing is stored', async () => {
    const c = contact();
    const t = template();
    const contacts = await push(agent, 'contacts', [c]);
    expect(contacts.conflicts).toEqual([
      {
        id: c.id,
        _refused: `workspace ${ws} keeps its contacts on its members' devices only: the server stores none`,
      },
    ]);
    expect(contacts.written).toEqual({});
    const templates = await push(owner, 'templates', [t]);
    expect(templates.conflicts[0]).toMatchObject({
      id: t.id,
      _refused: expect.stringMatching(/keeps its templates/),
    });
    expect(await stored('contacts', c.id)).toEqual([]);
    expect(await stored('templates', String(t.id))).toEqual([]);
  });

  test('REST inserts and updates are refused too', async () => {
    const c = contact();
    const insert = await owner.client.from('contacts').insert(c);
    expect(insert.error?.message).toMatch(/keeps its contacts on its members' devices only/);
    const t = template();
    const insertTemplate = await agent.client.from('templates').insert(t);
    expect(insertTemplate.error?.message).toMatch(/keeps its templates/);
    expect(await stored('contacts', c.id)).toEqual([]);
    expect(await stored('templates', String(t.id))).toEqual([]);
  });
});

describe('campaigns reach contacts the server never stored', () => {
  async function launch(contacts: Contact[], perChunk = 50) {
    const { id, draft, plan } = await immediateLaunch(contacts, {
      workspace: ws,
      channel,
      name: 'Kept on devices',
      seed: 5,
    });
    return {
      id,
      chunks: [...campaignCommandChunks(plan.messages, { id, channel_id: channel, draft }, perChunk)],
    };
  }

  async function post(user: MintedUser, commands: unknown[]): Promise<CommandResult[]> {
    const { data, error } = await user.client.functions.invoke('outbox', { body: { commands } });
    expect(error).toBeNull();
    return (data as { results: CommandResult[] }).results;
  }

  test('every message is queued from what the commands carry, and no contact is written', async () => {
    const recipients = [contact({ name: 'Ana Sousa' }), contact({ name: 'Rui Lima' }), contact()];
    const { id, chunks } = await launch(recipients);
    expect(chunks).toHaveLength(1);
    const results = await post(agent, chunks[0]!);
    expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
    const [c] = await backend.db.query<{ status: string; accepted_count: number }>(
      'select status, accepted_count from public.campaigns where id = $1',
      [id],
    );
    expect(c).toEqual({ status: 'running', accepted_count: 3 });
    const messages = await backend.db.query<{ phone: string; body: string; contact_id: string | null }>(
      'select phone, body, contact_id from public.messages where campaign_id = $1 order by phone',
      [id],
    );
    expect(messages).toEqual(
      recipients
        .map((r) => ({ phone: r.phone, body: `Olá ${r.name.split(' ')[0]}!`, contact_id: null }))
        .sort((a, b) => a.phone.localeCompare(b.phone)),
    );
    for (const r of recipients) expect(await stored('contacts', r.id)).toEqual([]);
    // The quota counts them as any campaign's.
    const [q] = await backend.db.query<{ f: { used: number; reserved: number } }>(
      'select public.quota_status($1) as f',
      [ws],
    );
    expect(q!.f.used + q!.f.reserved).toBe(3);
    // A replay changes nothing.
    expect((await post(agent, chunks[0]!)).map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
  });

  test('the server still refuses: a phone that replied STOP, an id not derived from the phone, an outsider', async () => {
    const stopped = contact();
    // What a STOP reply leaves on the server: the contact, opted out (the webhook's path).
    await backend.db.query(
      'insert into public.contacts (id, workspace_id, phone, opted_out) values ($1, $2, $3, true)',
      [stopped.id, ws, stopped.phone],
    );
    const fine = contact();
    const { chunks } = await launch([stopped, fine]);
    const results = await post(owner, chunks[0]!);
    expect(results.map((r) => r.status).sort()).toEqual(['queued', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')?.error).toBe(
      `${stopped.phone} opted out of messages from this workspace`,
    );

    const forged = contact();
    const reply = await post(owner, [
      {
        message_id: randomUUID(),
        channel_id: channel,
        to: forged.phone,
        body: 'Hi',
        contact_id: randomUUID(),
      },
    ]);
    expect(reply[0]).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(/is not a contact of the channel's workspace/),
    });

    const outsider = await backend.mintUser();
    const theirs = await post(outsider, [
      { message_id: randomUUID(), channel_id: channel, to: forged.phone, body: 'Hi', contact_id: forged.id },
    ]);
    expect(theirs[0]).toMatchObject({
      status: 'rejected',
      error: `channel ${channel} is not a channel of your workspaces`,
    });
    expect(await stored('contacts', forged.id)).toEqual([]);
  });

  test('a reply to a contact kept on devices goes out without a contact row', async () => {
    const kept = contact();
    const results = await post(agent, [
      {
        message_id: randomUUID(),
        channel_id: channel,
        to: kept.phone,
        body: 'Hello there',
        contact_id: kept.id,
      },
    ]);
    expect(results[0]?.status).toBe('queued');
    expect(await stored('contacts', kept.id)).toEqual([]);
  });
});

describe('turning it off', () => {
  test('an agent cannot; an owner can, it is recorded, and pushes are stored again', async () => {
    expect((await turn(agent, false)).error?.message).toMatch(/only owners and admins/);
    expect((await setting()).contacts_local_only).toBe(true);
    const { error } = await turn(owner, false);
    expect(error).toBeNull();
    expect(await setting()).toMatchObject({ contacts_local_only: false, contacts_local_only_by: owner.id });
    expect(await events()).toEqual([
      { contacts_local_only: true, actor_id: admin.id },
      { contacts_local_only: false, actor_id: owner.id },
    ]);
    const c = contact();
    const answer = await push(agent, 'contacts', [c]);
    expect(answer.conflicts).toEqual([]);
    expect(Object.keys(answer.written)).toEqual([c.id]);
    const t = template();
    expect((await push(agent, 'templates', [t])).conflicts).toEqual([]);
    expect(await stored('templates', String(t.id))).toHaveLength(1);
  });
});
