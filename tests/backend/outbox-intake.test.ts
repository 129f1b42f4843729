// /functions/v1/outbox: the intake of send commands, through supabase-js and plain fetch
// against the real local stack (PGlite, or PostgreSQL with PIGEON_TEST_DB=postgres).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chatId } from '../../src/domain/ids.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

interface Result {
  message_id: string | null;
  status: 'queued' | 'duplicate' | 'rejected';
  error?: string;
}

let backend: Backend;
let owner: MintedUser;
let stranger: MintedUser;
let workspaceId: string;
let channelId: string;
let strangerChannelId: string;

async function workspaceOf(userId: string): Promise<string> {
  const [row] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [userId],
  );
  return row!.workspace_id;
}

async function createChannel(workspace: string): Promise<string> {
  const [row] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name) values ($1, 'Main line') returning id`,
    [workspace],
  );
  return row!.id;
}

function command(overrides: Record<string, unknown> = {}) {
  return {
    message_id: randomUUID(),
    channel_id: channelId,
    to: '+4915112345678',
    body: 'Hello',
    ...overrides,
  };
}

async function enqueue(user: MintedUser, commands: unknown[]): Promise<Result[]> {
  const { data, error } = await user.client.functions.invoke('outbox', { body: { commands } });
  expect(error).toBeNull();
  return (data as { results: Result[] }).results;
}

function post(body: string, token: string | null, method = 'POST'): Promise<Response> {
  return fetch(`${backend.url}/functions/v1/outbox`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(method === 'GET' ? {} : { body }),
  });
}

async function countRows(table: 'messages' | 'outbox_messages' | 'chats', ids: string[]): Promise<number> {
  const column = table === 'outbox_messages' ? 'message_id' : 'id';
  const [row] = await backend.db.query<{ n: number }>(
    `select count(*)::int as n from public.${table} where ${column} = any ($1::uuid[])`,
    [ids],
  );
  return row!.n;
}

beforeAll(async () => {
  backend = await startBackend();
  owner = await backend.mintUser();
  stranger = await backend.mintUser();
  workspaceId = await workspaceOf(owner.id);
  channelId = await createChannel(workspaceId);
  strangerChannelId = await createChannel(await workspaceOf(stranger.id));
  // Every accepted message counts against the quota: these tests send a few thousand.
  await backend.db.query('update public.quotas set monthly_limit = 1000000 where workspace_id = $1', [
    workspaceId,
  ]);
});
afterAll(() => backend?.close());

describe('a member enqueues a batch', () => {
  test('each message is queued with its outbox row and chat; a replay changes nothing', async () => {
    const commands = [
      command({ to: '+4915112345678', body: 'Hi Anna' }),
      command({ to: '+14155550123', body: 'Hi Bob 👋' }),
      command({ to: '+4915112345678', body: 'Anna again' }),
    ];
    const ids = commands.map((c) => c.message_id);
    expect(await enqueue(owner, commands)).toEqual(ids.map((id) => ({ message_id: id, status: 'queued' })));

    const messages = await backend.db.query<Record<string, unknown>>(
      'select * from public.messages where id = any ($1::uuid[]) order by body',
      [ids],
    );
    expect(messages).toHaveLength(3);
    for (const m of messages) {
      const sent = commands.find((c) => c.message_id === m.id)!;
      expect(m).toMatchObject({
        workspace_id: workspaceId,
        channel_id: channelId,
        direction: 'out',
        status: 'queued',
        phone: sent.to,
        body: sent.body,
        error: null,
        _deleted: false,
        chat_id: chatId(channelId, `${sent.to.slice(1)}@s.whatsapp.net`),
      });
    }
    const outbox = await backend.db.query<Record<string, unknown>>(
      'select * from public.outbox_messages where message_id = any ($1::uuid[])',
      [ids],
    );
    expect(outbox).toHaveLength(3);
    for (const row of outbox) {
      expect(row).toMatchObject({
        workspace_id: workspaceId,
        channel_id: channelId,
        status: 'queued',
        attempts: 0,
      });
    }
    // Two recipients, two chats: Anna's two messages share one.
    expect(new Set(messages.map((m) => m.chat_id)).size).toBe(2);

    expect(await enqueue(owner, commands)).toEqual(
      ids.map((id) => ({ message_id: id, status: 'duplicate' })),
    );
    expect(await countRows('messages', ids)).toBe(3);
    expect(await countRows('outbox_messages', ids)).toBe(3);
  });

  test('two replays racing each other write each message once', async () => {
    const commands = Array.from({ length: 50 }, (_, i) => command({ body: `race ${i}` }));
    const ids = commands.map((c) => c.message_id);
    const [a, b] = await Promise.all([enqueue(owner, commands), enqueue(owner, commands)]);
    for (let i = 0; i < commands.length; i++) {
      expect([a![i]!.status, b![i]!.status].sort()).toEqual(['duplicate', 'queued']);
    }
    expect(await countRows('messages', ids)).toBe(50);
    expect(await countRows('outbox_messages', ids)).toBe(50);
  });

  test('batches creating the same chats in opposite orders at once all go through', async () => {
    // Rounds of new chats: the race is in creating a chat (on PostgreSQL it failed once in a
    // few rounds, on a second unique key, or deadlocked).
    for (let round = 0; round < 30; round++) {
      const phones = Array.from(
        { length: 20 },
        (_, i) => `+316${String(round).padStart(3, '0')}${String(i).padStart(4, '0')}`,
      );
      const forward = () => phones.map((to) => command({ to }));
      const backward = () => [...phones].reverse().map((to) => command({ to }));
      const results = await Promise.all([
        enqueue(owner, forward()),
        enqueue(owner, backward()),
        enqueue(owner, forward()),
      ]);
      expect(results.flat().every((r) => r.status === 'queued')).toBe(true);
    }
  });

  test('the same message_id twice in one batch is queued once', async () => {
    const one = command();
    expect(await enqueue(owner, [one, { ...one, body: 'changed' }])).toEqual([
      { message_id: one.message_id, status: 'queued' },
      { message_id: one.message_id, status: 'duplicate' },
    ]);
    const [row] = await backend.db.query<{ body: string }>('select body from public.messages where id = $1', [
      one.message_id,
    ]);
    expect(row!.body).toBe('Hello');
  });

  test('a known contact is linked, and one that opted out is refused', async () => {
    const [anna] = await backend.db.query<{ id: string }>(
      `insert into public.contacts (workspace_id, phone, name) values ($1, '+33612345678', 'Anna') returning id`,
      [workspaceId],
    );
    await backend.db.query(
      `insert into public.contacts (workspace_id, phone, opted_out) values ($1, '+33687654321', true)`,
      [workspaceId],
    );
    const byPhone = command({ to: '+33612345678' });
    const byId = command({ to: '+33612345678', contact_id: anna!.id });
    const wrongPhone = command({ to: '+33611111111', contact_id: anna!.id });
    const optedOut = command({ to: '+33687654321' });
    const results = await enqueue(owner, [byPhone, byId, wrongPhone, optedOut]);
    expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'rejected', 'rejected']);
    expect(results[2]!.error).toMatch(/is not the phone of contact/);
    expect(results[3]!.error).toMatch(/opted out/);
    const linked = await backend.db.query<{ contact_id: string }>(
      'select contact_id from public.messages where id = any ($1::uuid[])',
      [[byPhone.message_id, byId.message_id]],
    );
    expect(linked.map((m) => m.contact_id)).toEqual([anna!.id, anna!.id]);
  });
});

describe('rejections are per item and write nothing', () => {
  test('a channel of another workspace, or none at all', async () => {
    const good = command();
    const foreign = command({ channel_id: strangerChannelId });
    const missing = command({ channel_id: randomUUID() });
    const results = await enqueue(owner, [good, foreign, missing]);
    expect(results[0]).toEqual({ message_id: good.message_id, status: 'queued' });
    for (const [i, c] of [
      [1, foreign],
      [2, missing],
    ] as const) {
      expect(results[i]).toEqual({
        message_id: c.message_id,
        status: 'rejected',
        error: `channel ${c.channel_id} is not a channel of your workspaces`,
      });
    }
    expect(await countRows('messages', [foreign.message_id, missing.message_id])).toBe(0);
    expect(await countRows('outbox_messages', [foreign.message_id, missing.message_id])).toBe(0);
  });

  test("a message_id taken in another workspace is not reported as this caller's duplicate", async () => {
    const theirs = command({ channel_id: strangerChannelId });
    expect((await enqueue(stranger, [theirs]))[0]!.status).toBe('queued');
    expect((await enqueue(owner, [{ ...theirs, channel_id: channelId }]))[0]).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(/already in use/),
    });
  });

  test('bad fields name what is wrong', async () => {
    const cases: [unknown, RegExp][] = [
      [command({ to: '015112345678' }), /to must be a phone number in E\.164 form/],
      [command({ to: '+0123456789' }), /E\.164/],
      [command({ to: 4915112345678 }), /E\.164/],
      [command({ body: '' }), /body must be 1 to 4096 characters, got 0/],
      [command({ body: 'x'.repeat(4097) }), /body must be 1 to 4096 characters, got 4097/],
      [command({ body: 42 }), /body must be a string/],
      [command({ channel_id: 'main' }), /channel_id must be a uuid/],
      [command({ contact_id: 'anna' }), /contact_id must be a uuid/],
      [command({ message_id: 'not-a-uuid' }), /message_id must be a uuid/],
      ['just text', /must be a JSON object/],
    ];
    const results = await enqueue(
      owner,
      cases.map(([c]) => c),
    );
    results.forEach((r, i) => {
      expect(r.status, JSON.stringify(cases[i]![0]).slice(0, 80)).toBe('rejected');
      expect(r.error).toMatch(cases[i]![1]);
    });
    const ids = cases
      .map(([c]) => (c as { message_id?: string }).message_id)
      .filter((id): id is string => typeof id === 'string' && id !== 'not-a-uuid');
    expect(await countRows('messages', ids)).toBe(0);
    // A body of exactly 4096 characters (astral ones count as one each) is fine.
    const longest = command({ body: '🙂'.repeat(4096) });
    expect((await enqueue(owner, [longest]))[0]!.status).toBe('queued');
  });
});

describe('malformed requests', () => {
  test('400 for bad JSON, a wrong shape, an empty or oversize batch', async () => {
    const oversize = Array.from({ length: 501 }, () => command());
    const cases: [string, RegExp][] = [
      ['{"commands": [', /not valid JSON/],
      ['[]', /must be \{"commands": \[\.\.\.\]\}/],
      ['{"commands": {}}', /must be \{"commands"/],
      ['null', /must be \{"commands"/],
      ['{"commands": []}', /1 to 500 commands, got 0/],
      [JSON.stringify({ commands: oversize }), /1 to 500 commands, got 501/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body, owner.accessToken);
      expect(res.status, body.slice(0, 40)).toBe(400);
      expect((await res.json()).error).toMatch(message);
    }
    expect(
      await countRows(
        'messages',
        oversize.map((c) => c.message_id),
      ),
    ).toBe(0);
  });

  test('a batch of 500 is taken', async () => {
    const commands = Array.from({ length: 500 }, (_, i) => command({ body: `bulk ${i}` }));
    const results = await enqueue(owner, commands);
    expect(results.filter((r) => r.status === 'queued')).toHaveLength(500);
    expect(
      await countRows(
        'outbox_messages',
        commands.map((c) => c.message_id),
      ),
    ).toBe(500);
  });

  test('401 without a valid JWT, 405 for other methods, 413 for a body over 9 MB', async () => {
    const body = JSON.stringify({ commands: [command()] });
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, backend.config.anonKey)).status).toBe(401);
    expect((await post(body, `${owner.accessToken.slice(0, -4)}AAAA`)).status).toBe(401);
    const get = await post(body, owner.accessToken, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toContain('POST');
    const put = await post(body, owner.accessToken, 'PUT');
    expect(put.status).toBe(405);
    const huge = await post(`{"commands": ["${'x'.repeat(9_000_000)}"]}`, owner.accessToken);
    expect(huge.status).toBe(413);
  });
});

describe('what clients reach through /rest/v1', () => {
  test('outbox_messages is out of reach', async () => {
    const { data, error } = await owner.client.from('outbox_messages').select('*');
    expect(data).toBeNull();
    expect(error?.message).toMatch(/permission denied/);
    const insert = await owner.client
      .from('outbox_messages')
      .insert({ message_id: randomUUID(), workspace_id: workspaceId, channel_id: channelId });
    expect(insert.error?.message).toMatch(/permission denied/);
  });

  test('members read messages but cannot change their status, insert or delete them', async () => {
    const c = command();
    await enqueue(owner, [c]);
    const read = await owner.client.from('messages').select('id, status').eq('id', c.message_id);
    expect(read.data).toEqual([{ id: c.message_id, status: 'queued' }]);

    const update = await owner.client.from('messages').update({ status: 'read' }).eq('id', c.message_id);
    expect(update.error?.message).toMatch(/permission denied/);
    const insert = await owner.client.from('messages').insert({
      id: randomUUID(),
      workspace_id: workspaceId,
      channel_id: channelId,
      chat_id: chatId(channelId, '4915112345678@s.whatsapp.net'),
      direction: 'out',
      phone: '+4915112345678',
      body: 'sneaky',
      status: 'delivered',
    });
    expect(insert.error?.message).toMatch(/permission denied/);
    const remove = await owner.client.from('messages').delete().eq('id', c.message_id);
    expect(remove.error?.message).toMatch(/permission denied/);
    const push = await owner.client.rpc('push_rows', { p_table: 'messages', p_rows: [] });
    expect(push.error?.message).toMatch(/not writable by replication/);

    const [row] = await backend.db.query<{ status: string }>(
      'select status from public.messages where id = $1',
      [c.message_id],
    );
    expect(row!.status).toBe('queued');
  });

  test('a member cannot set the delivery state of a channel', async () => {
    const { error } = await owner.client
      .from('channels')
      .update({ paused_until: new Date(0).toISOString() })
      .eq('id', channelId);
    expect(error?.message).toMatch(/set by the server/);
    const pacing = await owner.client
      .from('channels')
      .update({ min_delay_ms: 1000, max_delay_ms: 3000, rate_per_minute: 20 })
      .eq('id', channelId)
      .select('rate_per_minute');
    expect(pacing.error).toBeNull();
    expect(pacing.data).toEqual([{ rate_per_minute: 20 }]);
  });

  test("messages and chats reach the workspace's members through pull_rows, and nobody else", async () => {
    const c = command({ body: 'for the pull' });
    await enqueue(owner, [c]);
    for (const table of ['messages', 'chats']) {
      const mine = await owner.client.rpc('pull_rows', { p_table: table, p_workspace_id: workspaceId });
      expect(mine.error).toBeNull();
      expect((mine.data as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
      const theirs = await stranger.client.rpc('pull_rows', { p_table: table, p_workspace_id: workspaceId });
      expect(theirs.error).toBeNull();
      expect((theirs.data as { rows: unknown[] }).rows).toEqual([]);
    }
    const page = await owner.client.rpc('pull_rows', {
      p_table: 'messages',
      p_workspace_id: workspaceId,
      p_limit: 5000,
    });
    const rows = (page.data as { rows: { id: string; body: string }[] }).rows;
    expect(rows.find((r) => r.id === c.message_id)?.body).toBe('for the pull');
  });
});

describe('message status only moves forward', () => {
  async function setStatus(id: string, status: string): Promise<string | null> {
    try {
      await backend.db.query('update public.messages set status = $2 where id = $1', [id, status]);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  test('queued < sending < sent < delivered < read; failed is terminal and only before delivery', async () => {
    const a = command();
    const b = command();
    await enqueue(owner, [a, b]);
    expect(await setStatus(a.message_id, 'sent')).toBeNull();
    expect(await setStatus(a.message_id, 'sending')).toMatch(/cannot move from sent to sending/);
    expect(await setStatus(a.message_id, 'read')).toBeNull();
    expect(await setStatus(a.message_id, 'delivered')).toMatch(/cannot move from read to delivered/);
    expect(await setStatus(a.message_id, 'failed')).toMatch(/cannot move from read to failed/);
    expect(await setStatus(b.message_id, 'failed')).toBeNull();
    expect(await setStatus(b.message_id, 'queued')).toMatch(/cannot move from failed to queued/);
    expect(await setStatus(b.message_id, 'sent')).toMatch(/cannot move from failed to sent/);
  });
});
