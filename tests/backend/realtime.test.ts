// /realtime/v1: supabase-js clients against the real server, on PGlite or PostgreSQL.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { signJwt } from '../../supabase/local/jwt.ts';
import { attachRealtime } from '../../supabase/local/realtime/server.ts';
import { asCaller } from '../../supabase/local/request-auth.ts';
import { tamperSignature } from '../support/tamper.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
const clients: SupabaseClient[] = [];

beforeAll(async () => {
  backend = await startBackend();
  await backend.db.exec(`
    create table public.rt_workspaces (id uuid primary key, name text not null);
    create table public.rt_members (
      workspace_id uuid not null references public.rt_workspaces (id),
      user_id uuid not null,
      primary key (workspace_id, user_id)
    );
    create table public.rt_notes (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references public.rt_workspaces (id),
      body text,
      n int4,
      tags text[],
      meta jsonb,
      done boolean not null default false,
      at timestamptz not null default now()
    );
    alter table public.rt_notes enable row level security;
    -- Membership-style, written against the table's own name on purpose (see visibility.ts).
    create policy rt_notes_members on public.rt_notes for all to authenticated
      using (exists (select 1 from public.rt_members m
                      where m.workspace_id = rt_notes.workspace_id and m.user_id = auth.uid()))
      with check (exists (select 1 from public.rt_members m
                           where m.workspace_id = rt_notes.workspace_id and m.user_id = auth.uid()));
    grant select on public.rt_members to authenticated;
    grant select, insert, update, delete on public.rt_notes to authenticated;
    alter publication supabase_realtime add table public.rt_notes;
    -- No RLS: readable by every API role (Supabase's default grants).
    create table public.rt_public (id int primary key, label text);
    alter publication supabase_realtime add table public.rt_public;
  `);
});

// Each test's clients leave when it ends, so later tests (the latency one) run unloaded.
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels()));
});

afterAll(() => backend?.close());

/**
 * A supabase-js client whose realtime token can be swapped, as a session refresh does. It
 * waits for the client's first token: supabase-js fetches it asynchronously, and a channel
 * subscribed before that joins with the apikey instead (hosted Supabase alike).
 */
async function realtimeClient(token: string, realtime: Record<string, unknown> = {}) {
  let current = token;
  const client = createClient(backend.url, backend.config.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket, ...realtime },
    accessToken: async () => current,
  });
  clients.push(client);
  await client.realtime.setAuth();
  return {
    client,
    async setToken(next: string) {
      current = next;
      await client.realtime.setAuth(next);
    },
  };
}

interface Change {
  eventType: 'INSERT' | 'UPDATE' | 'DELETE';
  new: Record<string, unknown>;
  old: Record<string, unknown>;
  table: string;
  schema: string;
  commit_timestamp: string;
  errors: unknown;
}

/** Collects what a callback receives and waits for a match. */
class Inbox<T> {
  readonly items: T[] = [];
  private waiters: (() => void)[] = [];

  push = (item: T) => {
    this.items.push(item);
    for (const w of this.waiters) w();
  };

  async next(match: (item: T) => boolean, ms = 5000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.items.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`nothing matching arrived in ${ms} ms; got ${JSON.stringify(this.items)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters = [];
    }
  }
}

function subscribed(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
    });
  });
}

async function listen(
  client: SupabaseClient,
  /** table null: every published table of the schema. */
  filter: { event?: '*' | 'INSERT' | 'UPDATE' | 'DELETE'; table?: string | null; filter?: string } = {},
) {
  const inbox = new Inbox<Change>();
  const table = filter.table === null ? {} : { table: filter.table ?? 'rt_notes' };
  const channel = client
    .channel(`notes-${randomUUID()}`)
    .on(
      'postgres_changes',
      { event: filter.event ?? '*', schema: 'public', ...table, filter: filter.filter },
      (payload) => inbox.push(payload as unknown as Change),
    );
  await subscribed(channel);
  return { channel, inbox };
}

async function workspaceWith(...members: MintedUser[]): Promise<string> {
  const id = randomUUID();
  await backend.db.query('insert into public.rt_workspaces (id, name) values ($1, $2)', [id, `ws ${id}`]);
  for (const m of members) {
    await backend.db.query('insert into public.rt_members (workspace_id, user_id) values ($1, $2)', [
      id,
      m.id,
    ]);
  }
  return id;
}

/** Writes as the user (role authenticated, their claims), as /rest/v1 would. */
function asUser(user: MintedUser, sql: string, params: unknown[] = []) {
  return asCaller(backend.db, { role: 'authenticated', claims: user.claims }, (tx) => tx.query(sql, params));
}

async function insertNote(
  user: MintedUser,
  workspace: string,
  fields: { body?: string; n?: number; tags?: string[]; meta?: unknown } = {},
) {
  const id = randomUUID();
  await asUser(
    user,
    `insert into public.rt_notes (id, workspace_id, body, n, tags, meta)
     values ($1, $2, $3, $4, (select array_agg(t) from jsonb_array_elements_text($5::jsonb) t), $6::jsonb)`,
    [
      id,
      workspace,
      fields.body ?? 'note',
      fields.n ?? 1,
      JSON.stringify(fields.tags ?? []),
      JSON.stringify(fields.meta ?? null),
    ],
  );
  return id;
}

describe('postgres_changes', () => {
  test('insert, update and delete by one user reach a subscribed member with eventType, new and old', async () => {
    const writer = await backend.mintUser();
    const reader = await backend.mintUser();
    const ws = await workspaceWith(writer, reader);
    const { inbox } = await listen((await realtimeClient(reader.accessToken)).client);

    const id = await insertNote(writer, ws, { body: 'hello', n: 7, tags: ['a', 'b'], meta: { k: 1 } });
    const ins = await inbox.next((c) => c.eventType === 'INSERT' && c.new.id === id);
    expect(ins).toMatchObject({ schema: 'public', table: 'rt_notes', errors: null, old: {} });
    expect(ins.new).toMatchObject({
      id,
      workspace_id: ws,
      body: 'hello',
      n: 7,
      tags: ['a', 'b'],
      meta: { k: 1 },
    });
    expect(ins.new.done).toBe(false);
    expect(ins.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const [row] = await backend.db.query<{ at: string }>(
      `select to_jsonb(at) #>> '{}' as at from public.rt_notes where id = $1`,
      [id],
    );
    expect(ins.new.at).toBe(row!.at);

    await asUser(writer, `update public.rt_notes set body = 'edited', n = n + 1 where id = $1`, [id]);
    const upd = await inbox.next((c) => c.eventType === 'UPDATE' && c.new.id === id);
    expect(upd.new).toMatchObject({ id, body: 'edited', n: 8 });
    // Default replica identity under RLS: the old row is its primary key only.
    expect(upd.old).toEqual({ id });

    await asUser(writer, 'delete from public.rt_notes where id = $1', [id]);
    const del = await inbox.next((c) => c.eventType === 'DELETE');
    expect(del.old).toEqual({ id });
    expect(del.new).toEqual({});
  });

  test('a row written through /rest/v1 by one client reaches another', async () => {
    const writer = await backend.mintUser();
    const reader = await backend.mintUser();
    const ws = await workspaceWith(writer, reader);
    const { inbox } = await listen((await realtimeClient(reader.accessToken)).client);
    const id = randomUUID();
    const { error } = await writer.client
      .from('rt_notes')
      .insert({ id, workspace_id: ws, body: 'via rest', n: 3 });
    expect(error).toBeNull();
    await expect(inbox.next((c) => c.new.id === id)).resolves.toMatchObject({
      eventType: 'INSERT',
      new: { body: 'via rest', n: 3 },
    });
  });

  test('event and column filters select only matching rows, deletes judged on the old row', async () => {
    const user = await backend.mintUser();
    const ws = await workspaceWith(user);
    const { client } = await realtimeClient(user.accessToken);
    const eq = await listen(client, { filter: 'body=eq.wanted' });
    const gt = await listen(client, { event: 'INSERT', filter: 'n=gt.10' });
    const inList = await listen(client, { filter: 'n=in.(2,3)' });
    const quoted = await listen(client, { filter: 'body=eq."a, (b)"' });
    const updatesOnly = await listen(client, { event: 'UPDATE', filter: `workspace_id=eq.${ws}` });

    await insertNote(user, ws, { body: 'unwanted', n: 5 });
    const ab = await insertNote(user, ws, { body: 'a, (b)', n: 3 });
    const wanted = await insertNote(user, ws, { body: 'wanted', n: 11 });
    await asUser(user, `update public.rt_notes set n = 2 where id = $1`, [wanted]);
    // An insert or update is checked against the row as it is when delivered: let it go out
    // before the row is deleted.
    await eq.inbox.next((c) => c.eventType === 'UPDATE');
    await asUser(user, 'delete from public.rt_notes where id = $1', [wanted]);
    const last = await insertNote(user, ws, { body: 'wanted', n: 12 });
    // Changes go out in commit order on a socket: once this one arrives on one channel, every
    // channel of the client has had all changes up to `last`.
    const fence = await insertNote(user, ws, { body: 'wanted', n: 13 });
    await eq.inbox.next((c) => c.new.id === fence);

    const seen = (inbox: Inbox<Change>) =>
      inbox.items.map((c) => [c.eventType, c.new.id ?? c.old.id]).filter(([, id]) => id !== fence);
    expect(seen(eq.inbox)).toEqual([
      ['INSERT', wanted],
      ['UPDATE', wanted],
      ['DELETE', wanted],
      ['INSERT', last],
    ]);
    expect(seen(gt.inbox)).toEqual([
      ['INSERT', wanted],
      ['INSERT', last],
    ]);
    expect(seen(inList.inbox)).toEqual([
      ['INSERT', ab],
      ['UPDATE', wanted],
      ['DELETE', wanted],
    ]);
    expect(seen(quoted.inbox)).toEqual([['INSERT', ab]]);
    expect(seen(updatesOnly.inbox)).toEqual([['UPDATE', wanted]]);
    expect(eq.inbox.items[0]!.new).toMatchObject({ body: 'wanted', n: 11 });
  });

  test('a user whose RLS forbids the row never receives it, insert, update or delete', async () => {
    const writer = await backend.mintUser();
    const member = await backend.mintUser();
    const outsider = await backend.mintUser();
    const ws = await workspaceWith(writer, member);
    const outsiderWs = await workspaceWith(writer, outsider);
    const forMember = await listen((await realtimeClient(member.accessToken)).client);
    const forOutsider = await listen((await realtimeClient(outsider.accessToken)).client);
    // Every published table: rt_notes (RLS, no policy for anon) and rt_public (open to anon).
    const anonymous = await listen((await realtimeClient(backend.config.anonKey)).client, { table: null });

    // Insert and update are checked against the row as it is when delivered: one step at a time.
    const secret = await insertNote(writer, ws, { body: 'secret' });
    await forMember.inbox.next((c) => c.eventType === 'INSERT' && c.new.id === secret);
    await asUser(writer, `update public.rt_notes set body = 'still secret' where id = $1`, [secret]);
    await forMember.inbox.next((c) => c.eventType === 'UPDATE' && c.new.id === secret);
    await asUser(writer, 'delete from public.rt_notes where id = $1', [secret]);
    // Positive control for the outsider: a row of their own workspace, written last.
    const visible = await insertNote(writer, outsiderWs, { body: 'yours' });

    await forMember.inbox.next((c) => c.eventType === 'DELETE' && c.old.id === secret);
    await forOutsider.inbox.next((c) => c.new.id === visible);
    expect(forMember.inbox.items.map((c) => c.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(forOutsider.inbox.items.map((c) => [c.eventType, c.new.id])).toEqual([['INSERT', visible]]);
    // anon has the table grant from Supabase's defaults but no policy: no rt_notes change at
    // all; its positive control is a row of rt_public, written last.
    await backend.db.query(`insert into public.rt_public values (1, 'open')`);
    await anonymous.inbox.next((c) => c.table === 'rt_public');
    expect(anonymous.inbox.items.map((c) => [c.table, c.new.id])).toEqual([['rt_public', 1]]);
  });

  test('service_role bypasses RLS and receives every row', async () => {
    const writer = await backend.mintUser();
    const ws = await workspaceWith(writer);
    const { inbox } = await listen((await realtimeClient(backend.config.serviceRoleKey)).client);
    const id = await insertNote(writer, ws, { body: 'seen by the server' });
    await expect(inbox.next((c) => c.new.id === id)).resolves.toMatchObject({ eventType: 'INSERT' });
  });

  test('a rolled-back transaction delivers nothing', async () => {
    const user = await backend.mintUser();
    const ws = await workspaceWith(user);
    const { inbox } = await listen((await realtimeClient(user.accessToken)).client);
    const doomed = randomUUID();
    await expect(
      backend.db.transaction(async (tx) => {
        await tx.query(`insert into public.rt_notes (id, workspace_id, body) values ($1, $2, 'doomed')`, [
          doomed,
          ws,
        ]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const kept = await insertNote(user, ws, { body: 'kept' });
    await inbox.next((c) => c.new.id === kept);
    expect(inbox.items.map((c) => c.new.id)).toEqual([kept]);
  });

  test('removeChannel stops delivery', async () => {
    const user = await backend.mintUser();
    const ws = await workspaceWith(user);
    const { client } = await realtimeClient(user.accessToken);
    const removed = await listen(client);
    const kept = await listen(client);
    const first = await insertNote(user, ws);
    await removed.inbox.next((c) => c.new.id === first);
    expect(await client.removeChannel(removed.channel)).toBe('ok');
    const second = await insertNote(user, ws);
    await kept.inbox.next((c) => c.new.id === second);
    expect(removed.inbox.items.map((c) => c.new.id)).toEqual([first]);
  });

  test('a table added to the publication after start is captured once subscribed to', async () => {
    await backend.db.exec(`
      create table public.rt_late (id int primary key, label text);
      alter table public.rt_late replica identity full;
      alter publication supabase_realtime add table public.rt_late;
    `);
    const { inbox } = await listen((await realtimeClient(backend.config.serviceRoleKey)).client, {
      table: 'rt_late',
    });
    await backend.db.query(`insert into public.rt_late values (1, 'late')`);
    await expect(inbox.next((c) => c.new.id === 1)).resolves.toMatchObject({ new: { id: 1, label: 'late' } });
    // REPLICA IDENTITY FULL and no RLS: the old row goes out whole.
    await backend.db.query(`update public.rt_late set label = 'later' where id = 1`);
    const update = await inbox.next((c) => c.eventType === 'UPDATE');
    expect(update.old).toEqual({ id: 1, label: 'late' });
    expect(update.new).toEqual({ id: 1, label: 'later' });
  });

  test('protocol 1.0.0 clients get the same changes', async () => {
    const user = await backend.mintUser();
    const ws = await workspaceWith(user);
    const { inbox } = await listen((await realtimeClient(user.accessToken, { vsn: '1.0.0' })).client);
    const id = await insertNote(user, ws, { body: 'v1' });
    await expect(inbox.next((c) => c.new.id === id)).resolves.toMatchObject({ new: { body: 'v1' } });
  });
});

describe('joins', () => {
  async function joinError(filter: { table?: string; filter?: string }): Promise<string> {
    const user = await backend.mintUser();
    const { client } = await realtimeClient(user.accessToken);
    const channel = client
      .channel(`bad-${randomUUID()}`)
      .on(
        'postgres_changes',
        { event: '*', schema: 'public', table: filter.table ?? 'rt_notes', filter: filter.filter },
        () => {},
      );
    try {
      await subscribed(channel);
      return 'subscribed';
    } catch (err) {
      return (err as Error).message;
    } finally {
      await client.removeChannel(channel);
    }
  }

  test('an unknown or unpublished table is a join error naming it', async () => {
    expect(await joinError({ table: 'no_such_table' })).toMatch(/table public\.no_such_table does not exist/);
    expect(await joinError({ table: 'rt_members' })).toMatch(
      /table public\.rt_members is not in publication supabase_realtime/,
    );
  });

  test('a bad filter is a join error naming it', async () => {
    expect(await joinError({ filter: 'nope=eq.1' })).toMatch(/column "nope".*does not exist/);
    expect(await joinError({ filter: 'workspace_id=eq.not-a-uuid' })).toMatch(
      /invalid input syntax for type uuid/,
    );
    expect(await joinError({ filter: 'n=between.1' })).toMatch(/unknown operator "between"/);
    expect(await joinError({ filter: 'n=eq.1; drop table public.rt_notes' })).toMatch(/invalid input syntax/);
    const [exists] = await backend.db.query(`select to_regclass('public.rt_notes') is not null as ok`);
    expect(exists).toEqual({ ok: true });
  });
});

describe('tokens', () => {
  test('an access token update keeps the channel working past the old token', async () => {
    const user = await backend.mintUser({ expiresIn: 2 });
    const ws = await workspaceWith(user);
    const rt = await realtimeClient(user.accessToken);
    const { inbox } = await listen(rt.client);
    const fresh = await signJwt(
      { ...user.claims, exp: Math.floor(Date.now() / 1000) + 3600 },
      backend.config.jwtSecret,
    );
    await rt.setToken(fresh);
    await new Promise((r) => setTimeout(r, 2500));
    const id = await insertNote(user, ws, { body: 'after refresh' });
    await expect(inbox.next((c) => c.new.id === id)).resolves.toMatchObject({ eventType: 'INSERT' });
  });

  test('an expired token closes the channel with a system error', async () => {
    // Long enough to join even on a loaded machine, short enough to expire mid-session.
    const user = await backend.mintUser({ expiresIn: 3 });
    const { client } = await realtimeClient(user.accessToken);
    const system = new Inbox<Record<string, unknown>>();
    const statuses = new Inbox<string>();
    const channel = client
      .channel(`expiring-${randomUUID()}`)
      .on('system', {}, (payload) => system.push(payload))
      .on('postgres_changes', { event: '*', schema: 'public', table: 'rt_notes' }, () => {});
    channel.subscribe((status) => statuses.push(status));
    await statuses.next((s) => s === 'SUBSCRIBED');
    const error = await system.next((p) => p.status === 'error', 8000);
    expect(error).toMatchObject({
      extension: 'system',
      message: expect.stringMatching(/^Token has expired/),
    });
    await statuses.next((s) => s === 'CLOSED');
    expect(system.items[0]).toMatchObject({ status: 'ok', message: 'Subscribed to PostgreSQL' });
  });

  test('an invalid refreshed token closes the channel with a system error', async () => {
    const user = await backend.mintUser();
    const rt = await realtimeClient(user.accessToken);
    const system = new Inbox<Record<string, unknown>>();
    const statuses = new Inbox<string>();
    const channel = rt.client.channel(`tampered-${randomUUID()}`).on('system', {}, (p) => system.push(p));
    channel.subscribe((status) => statuses.push(status));
    await statuses.next((s) => s === 'SUBSCRIBED');
    await rt.setToken(tamperSignature(user.accessToken));
    await expect(system.next((p) => p.status === 'error')).resolves.toMatchObject({
      extension: 'system',
      message: expect.stringMatching(/invalid JWT/),
    });
    await statuses.next((s) => s === 'CLOSED');
  });

  test('an expired token at join is refused', async () => {
    const claims = { role: 'authenticated', sub: randomUUID(), exp: Math.floor(Date.now() / 1000) - 5 };
    const { client } = await realtimeClient(await signJwt(claims, backend.config.jwtSecret));
    const channel = client.channel(`late-${randomUUID()}`);
    await expect(subscribed(channel)).rejects.toThrow(/InvalidJWTToken: Token has expired \d+ seconds ago/);
    await client.removeChannel(channel);
  });
});

describe('socket', () => {
  function rawSocket(
    query: string,
  ): Promise<{ ws: WebSocket; frames: Inbox<unknown>; send(frame: unknown): void }> {
    const url = `${backend.url.replace(/^http/, 'ws')}/realtime/v1/websocket?${query}`;
    const ws = new WebSocket(url);
    const frames = new Inbox<unknown>();
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    return new Promise((resolve, reject) => {
      ws.on('open', () =>
        resolve({
          ws,
          frames,
          send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        }),
      );
      ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.on('error', reject);
    });
  }

  test('a missing or invalid apikey is refused with 401', async () => {
    await expect(rawSocket('vsn=2.0.0')).rejects.toThrow('HTTP 401');
    await expect(rawSocket('vsn=2.0.0&apikey=not-a-key')).rejects.toThrow('HTTP 401');
    await expect(rawSocket(`vsn=9.9.9&apikey=${backend.config.anonKey}`)).rejects.toThrow('HTTP 400');
  });

  test('heartbeats are answered', async () => {
    const { ws, frames, send } = await rawSocket(`vsn=2.0.0&apikey=${backend.config.anonKey}`);
    send([null, '7', 'phoenix', 'heartbeat', {}]);
    expect(await frames.next(() => true)).toEqual([
      null,
      '7',
      'phoenix',
      'phx_reply',
      { status: 'ok', response: {} },
    ]);
    ws.close();

    const beats = new Inbox<string>();
    const { client } = await realtimeClient(backend.config.anonKey, { heartbeatIntervalMs: 100 });
    client.realtime.onHeartbeat((status) => beats.push(status));
    const channel = client.channel(`beats-${randomUUID()}`);
    await subscribed(channel);
    await beats.next((s) => s === 'ok');
  });

  test('garbage frames get error replies and the server carries on', async () => {
    const { ws, frames, send } = await rawSocket(`vsn=2.0.0&apikey=${backend.config.anonKey}`);
    const garbage = [
      'not json',
      '{"an":"object"}',
      '[1, 2]',
      '["1", "2", "", "phx_join", {}]',
      '[null, "3", "realtime:x", "phx_join", "payload"]',
      '[null, "4", "realtime:nowhere", "broadcast", {}]',
      '[null, "5", "elsewhere", "phx_join", {}]',
      '[null, "6", "realtime:x", "phx_join", {"config": {"postgres_changes": "all"}}]',
    ];
    for (const frame of garbage) send(frame);
    ws.send(Buffer.from([9, 9, 9]));
    send([null, '99', 'phoenix', 'heartbeat', {}]);
    await frames.next((f) => (f as unknown[])[1] === '99');
    const replies = frames.items as [
      string | null,
      string | null,
      string,
      string,
      { status: string; response: { reason: string } },
    ][];
    expect(replies).toHaveLength(garbage.length + 2);
    expect(replies.slice(0, -1).map((r) => [r[3], r[4].status])).toEqual(
      Array.from({ length: garbage.length + 1 }, () => ['phx_reply', 'error']),
    );
    expect(replies.map((r) => r[4].response.reason)).toEqual([
      expect.stringMatching(/not valid JSON/),
      expect.stringMatching(/arrays/),
      expect.stringMatching(/arrays/),
      expect.stringMatching(/topic/),
      expect.stringMatching(/payload must be an object/),
      'unmatched topic',
      'unmatched topic',
      expect.stringMatching(/postgres_changes must be an array/),
      expect.stringMatching(/kind 9/),
      undefined,
    ]);
    ws.close();

    // And supabase-js still works against the same server.
    const user = await backend.mintUser();
    const wsId = await workspaceWith(user);
    const { inbox } = await listen((await realtimeClient(user.accessToken)).client);
    const id = await insertNote(user, wsId);
    await inbox.next((c) => c.new.id === id);
  });

  test('a silent socket is dropped, and close() ends every socket', async () => {
    // A second realtime server on the same database, with a short idle timeout.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const realtime = await attachRealtime(
      server,
      { db: backend.db, config: backend.config },
      { idleTimeoutMs: 300 },
    );
    const { port } = server.address() as AddressInfo;
    const url = `ws://127.0.0.1:${port}/realtime/v1/websocket?vsn=2.0.0&apikey=${backend.config.anonKey}`;
    const open = (ws: WebSocket) => new Promise((resolve) => ws.on('open', resolve));
    const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.on('close', resolve));
    const silent = new WebSocket(url);
    const chatty = new WebSocket(url);
    await Promise.all([open(silent), open(chatty)]);
    const beat = setInterval(
      () => chatty.send(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}])),
      100,
    );
    try {
      const silentClosed = closed(silent);
      const chattyClosed = closed(chatty);
      await silentClosed;
      expect(chatty.readyState).toBe(WebSocket.OPEN);
      await realtime.close();
      expect(await chattyClosed).toBe(1001);
    } finally {
      clearInterval(beat);
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('broadcast and presence between two clients on one topic', async () => {
    const topic = `room-${randomUUID()}`;
    const a = (await realtimeClient(backend.config.anonKey)).client;
    const b = (await realtimeClient(backend.config.anonKey, { vsn: '1.0.0' })).client;
    const heard = new Inbox<Record<string, unknown>>();
    const synced = new Inbox<string[]>();
    const chanA = a.channel(topic, { config: { presence: { key: 'alice' } } });
    chanA.on('presence', { event: 'sync' }, () => synced.push(Object.keys(chanA.presenceState())));
    const chanB = b.channel(topic).on('broadcast', { event: 'ping' }, (m) => heard.push(m));
    await subscribed(chanA);
    await subscribed(chanB);
    expect(await chanA.send({ type: 'broadcast', event: 'ping', payload: { n: 1 } })).toBe('ok');
    expect(await heard.next(() => true)).toMatchObject({ event: 'ping', payload: { n: 1 } });
    expect(await chanA.track({ online: true })).toBe('ok');
    await synced.next((keys) => keys.includes('alice'));
  });
});

test('latency: write -> receive over 50 changes', async () => {
  const user = await backend.mintUser();
  const ws = await workspaceWith(user);
  const { client } = await realtimeClient(user.accessToken);
  const arrived = new Map<string, number>();
  const inbox = new Inbox<Change>();
  const channel = client
    .channel(`latency-${randomUUID()}`)
    .on(
      'postgres_changes',
      { event: 'INSERT', schema: 'public', table: 'rt_notes', filter: `workspace_id=eq.${ws}` },
      (p) => {
        arrived.set((p.new as { id: string }).id, performance.now());
        inbox.push(p as unknown as Change);
      },
    );
  await subscribed(channel);
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) {
    const id = randomUUID();
    const start = performance.now();
    await backend.db.query(`insert into public.rt_notes (id, workspace_id, body) values ($1, $2, 'timed')`, [
      id,
      ws,
    ]);
    await inbox.next((c) => c.new.id === id);
    samples.push(arrived.get(id)! - start);
  }
  samples.sort((x, y) => x - y);
  const median = samples[Math.floor(samples.length / 2)]!;
  const p95 = samples[Math.ceil(samples.length * 0.95) - 1]!;
  console.log(
    `realtime latency (${backend.db.kind}, ${samples.length} inserts): median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${samples.at(-1)!.toFixed(1)} ms`,
  );
  expect(p95).toBeLessThan(2000);
});
