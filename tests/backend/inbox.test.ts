// The shared inbox on the real local stack (supabase/migrations/20261203100000_inbox.sql):
// strangers' messages make a chat and a contact, a customer's message reopens a chat, a
// deleted contact hides its chat and a later message starts it afresh, members change only a
// chat's status and assignee, notes and read markers stay in their workspace (read markers
// with their member), and notes never reach the provider.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chatReadId, contactId } from '../../src/domain/ids.ts';
import type { Queryable } from '../../supabase/local/db.ts';
import { asCaller } from '../../supabase/local/request-auth.ts';
import { messageWebhook, postWebhook, type WebhookTarget } from '../../supabase/local/simulator/webhooks.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';
import { processOutboxOnce } from './outbox-steps.ts';

let backend: Backend;
let alice: MintedUser;
let carol: MintedUser;
let bob: MintedUser;
let ws: string;
let bobWs: string;
let channelId: string;
let target: WebhookTarget;

function as<T>(user: MintedUser, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return asCaller(backend.db, { role: 'authenticated', claims: user.claims }, fn);
}

async function sqlError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return String((err as Error).message);
  }
  throw new Error('expected the statement to fail, but it succeeded');
}

/**
 * push_rows as a member; a row it refuses (answered as `{id, _refused}`, the batch's other rows
 * written) fails here with the server's reason.
 */
async function pushRows(tx: Queryable, [table, rows]: [string, string]): Promise<unknown[]> {
  const [result] = await tx.query<{ conflicts: { _refused?: string }[] }>(
    'select public.push_rows($1, $2) as conflicts',
    [table, rows],
  );
  const refused = result!.conflicts.find((row) => typeof row._refused === 'string');
  if (refused) throw new Error(refused._refused);
  return result!.conflicts;
}

async function workspaceOf(user: MintedUser): Promise<string> {
  const [row] = await backend.db.query<{ workspace_id: string }>(
    `select workspace_id from public.workspace_members where user_id = $1 and role = 'owner'`,
    [user.id],
  );
  return row!.workspace_id;
}

beforeAll(async () => {
  backend = await startBackend({ simulator: {} });
  alice = await backend.mintUser();
  carol = await backend.mintUser();
  bob = await backend.mintUser();
  ws = await workspaceOf(alice);
  bobWs = await workspaceOf(bob);
  await backend.db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`,
    [ws, carol.id],
  );
  const [channel] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute)
     values ($1, 'Simulated', 'simulator', 6000) returning id`,
    [ws],
  );
  channelId = channel!.id;
  target = {
    url: `${backend.url}/functions/v1/webhooks`,
    appSecret: process.env.SIMULATOR_APP_SECRET!,
    displayPhoneNumber: '15550000000',
  };
});
afterAll(() => backend?.close());

/** A customer's text, as the simulator posts it (signed), with their WhatsApp profile name. */
async function customerWrites(phone: string, body: string, profileName = `Profile ${phone.slice(-4)}`) {
  const hook = messageWebhook(
    target,
    channelId,
    { id: `wamid.${randomUUID()}`, from: phone.slice(1), type: 'text', text: { body } },
    profileName,
  );
  expect(await postWebhook(target, channelId, hook, new AbortController().signal)).toBe(200);
}

type ChatRow = {
  id: string;
  status: string;
  assignee_id: string | null;
  contact_id: string | null;
  name: string | null;
  last_message_preview: string | null;
  last_message_direction: string | null;
  inbound_count: number;
  last_inbound_at: Date | null;
  _deleted: boolean;
  _modified: string;
};

async function chatOf(phone: string): Promise<ChatRow> {
  const [row] = await backend.db.query<ChatRow>(
    `select id, status, assignee_id, contact_id, name, last_message_preview, last_message_direction,
            inbound_count, last_inbound_at, _deleted, _modified::text
     from public.chats where channel_id = $1 and wa_chat_id = $2`,
    [channelId, `${phone.slice(1)}@s.whatsapp.net`],
  );
  if (!row) throw new Error(`no chat with ${phone}`);
  return row;
}

/** A member's push of one chat row changed by `change`, assuming the version they saw. */
async function pushChat(user: MintedUser, chat: ChatRow, change: Record<string, unknown>) {
  // Read as the server: a member of another workspace tries with a row they cannot see.
  const doc = await chatRowDoc(chat.id);
  return as(user, async (tx) => {
    return pushRows(tx, ['chats', JSON.stringify([{ doc: { ...doc, ...change }, assumed: chat._modified }])]);
  });
}

describe('strangers', () => {
  test("a message from an unknown number makes its chat and a contact named after the sender's profile", async () => {
    const phone = '+4917610000001';
    await customerWrites(phone, 'Hello, who is this?', 'Greta Stranger');
    const chat = await chatOf(phone);
    expect(chat).toMatchObject({
      status: 'open',
      assignee_id: null,
      name: 'Greta Stranger',
      last_message_preview: 'Hello, who is this?',
      last_message_direction: 'in',
      inbound_count: 1,
      _deleted: false,
    });
    expect(chat.last_inbound_at).not.toBeNull();
    const [contact] = await backend.db.query<{ id: string; name: string; created_from_inbound: boolean }>(
      'select id, name, created_from_inbound from public.contacts where workspace_id = $1 and phone = $2',
      [ws, phone],
    );
    expect(contact).toMatchObject({ name: 'Greta Stranger', created_from_inbound: true });
    expect(chat.contact_id).toBe(contact!.id);
    const messages = await backend.db.query<{ contact_id: string }>(
      'select contact_id from public.messages where chat_id = $1',
      [chat.id],
    );
    expect(messages).toEqual([{ contact_id: contact!.id }]);
  });

  test('a known contact keeps its name and is not marked as made by a message', async () => {
    const phone = '+4917610000002';
    await as(alice, (tx) =>
      tx.query(
        `insert into public.contacts (id, workspace_id, phone, name) values ($1, $2, $3, 'Known Karl')`,
        [contactId(ws, phone), ws, phone],
      ),
    );
    await customerWrites(phone, 'hi again', 'karl_profile');
    const [contact] = await backend.db.query<{ name: string; created_from_inbound: boolean }>(
      'select name, created_from_inbound from public.contacts where workspace_id = $1 and phone = $2',
      [ws, phone],
    );
    expect(contact).toEqual({ name: 'Known Karl', created_from_inbound: false });
  });
});

describe('status and assignment', () => {
  test('a customer message reopens a closed chat; an outbound one does not', async () => {
    const phone = '+4917610000003';
    await customerWrites(phone, 'first');
    expect(
      await pushChat(alice, await chatOf(phone), { status: 'closed', status_at: new Date().toISOString() }),
    ).toEqual([]);
    expect((await chatOf(phone)).status).toBe('closed');

    const { error } = await alice.client.functions.invoke('outbox', {
      body: { commands: [{ message_id: randomUUID(), channel_id: channelId, to: phone, body: 'bye' }] },
    });
    expect(error).toBeNull();
    expect(await chatOf(phone)).toMatchObject({
      status: 'closed',
      last_message_preview: 'bye',
      inbound_count: 1,
    });

    await customerWrites(phone, 'one more thing');
    expect(await chatOf(phone)).toMatchObject({
      status: 'open',
      last_message_preview: 'one more thing',
      last_message_direction: 'in',
      inbound_count: 2,
    });
  });

  test('members assign to a member or nobody; never to a stranger of the workspace', async () => {
    const phone = '+4917610000004';
    await customerWrites(phone, 'assign me');
    expect(await pushChat(alice, await chatOf(phone), { assignee_id: carol.id })).toEqual([]);
    expect((await chatOf(phone)).assignee_id).toBe(carol.id);
    // Carol, an agent, hands it back to nobody.
    expect(await pushChat(carol, await chatOf(phone), { assignee_id: null, status: 'pending' })).toEqual([]);
    expect(await chatOf(phone)).toMatchObject({ assignee_id: null, status: 'pending' });
    expect(await sqlError(pushChat(alice, await chatOf(phone), { assignee_id: bob.id }))).toMatch(
      /is not a member of the chat's workspace/,
    );
    expect(await sqlError(pushChat(alice, await chatOf(phone), { status: 'snoozed' }))).toMatch(/check/);
  });

  test('a stale push comes back as a conflict instead of overwriting a newer message', async () => {
    const phone = '+4917610000005';
    await customerWrites(phone, 'one');
    const seen = await chatOf(phone);
    await customerWrites(phone, 'two');
    const conflicts = await pushChat(alice, seen, { status: 'closed' });
    expect(conflicts).toHaveLength(1);
    expect(await chatOf(phone)).toMatchObject({ status: 'open', inbound_count: 2 });
  });

  test("nobody forges the conversation through a chat's other fields or through messages", async () => {
    const phone = '+4917610000006';
    await customerWrites(phone, 'real');
    for (const change of [
      { last_message_preview: 'forged' },
      { inbound_count: 0 },
      { contact_id: null },
      { last_inbound_at: new Date().toISOString() },
      { _deleted: true },
    ]) {
      expect(await sqlError(pushChat(alice, await chatOf(phone), change)), JSON.stringify(change)).toMatch(
        /changes only the status and assignee/,
      );
    }
    const chat = await chatOf(phone);
    const forged = {
      id: randomUUID(),
      workspace_id: ws,
      channel_id: channelId,
      chat_id: chat.id,
      direction: 'out',
      phone,
      body: 'forged',
    };
    expect(
      await sqlError(
        as(alice, (tx) => pushRows(tx, ['messages', JSON.stringify([{ doc: forged, assumed: null }])])),
      ),
    ).toMatch(/not writable by replication/);
    // Nor a new chat: chats are the server's to create.
    const newChat = {
      ...(await chatRowDoc(chat.id)),
      id: randomUUID(),
      wa_chat_id: '4917699999999@s.whatsapp.net',
    };
    expect(
      await sqlError(
        as(alice, (tx) => pushRows(tx, ['chats', JSON.stringify([{ doc: newChat, assumed: null }])])),
      ),
    ).toMatch(/row-level security|permission denied/);
    expect(await chatOf(phone)).toMatchObject({ last_message_preview: 'real', inbound_count: 1 });
  });
});

async function chatRowDoc(id: string): Promise<Record<string, unknown>> {
  const [row] = await backend.db.query<{ doc: Record<string, unknown> }>(
    `select to_jsonb(c) - '_modified' - 'created_at' as doc from public.chats c where id = $1`,
    [id],
  );
  return row!.doc;
}

describe('deleted contacts', () => {
  test("deleting a contact hides its chat and history; the number's next message starts afresh", async () => {
    const phone = '+4917610000007';
    await customerWrites(phone, 'old secret history', 'Old Name');
    const before = await chatOf(phone);
    await pushChat(alice, before, { assignee_id: carol.id, status: 'pending' });
    const noteId = randomUUID();
    await as(alice, (tx) =>
      tx.query(
        `insert into public.chat_notes (id, workspace_id, chat_id, author_id, body) values ($1, $2, $3, $4, 'old note')`,
        [noteId, ws, before.id, alice.id],
      ),
    );
    await as(alice, (tx) =>
      tx.query(`update public.contacts set _deleted = true, tags = '{vip}' where id = $1`, [
        before.contact_id,
      ]),
    );
    expect((await chatOf(phone))._deleted).toBe(true);
    const hidden = await backend.db.query<{ deleted: boolean }>(
      `select bool_and(_deleted) as deleted from public.messages where chat_id = $1
       union all select bool_and(_deleted) from public.chat_notes where chat_id = $1`,
      [before.id],
    );
    expect(hidden).toEqual([{ deleted: true }, { deleted: true }]);

    await customerWrites(phone, 'hello again', 'New Name');
    expect(await chatOf(phone)).toMatchObject({
      _deleted: false,
      status: 'open',
      assignee_id: null,
      last_message_preview: 'hello again',
    });
    const live = await backend.db.query<{ body: string }>(
      'select body from public.messages where chat_id = $1 and not _deleted',
      [before.id],
    );
    expect(live).toEqual([{ body: 'hello again' }]);
    const [contact] = await backend.db.query<{
      name: string;
      tags: string[];
      created_from_inbound: boolean;
      _deleted: boolean;
    }>(
      'select name, tags, created_from_inbound, _deleted from public.contacts where workspace_id = $1 and phone = $2',
      [ws, phone],
    );
    expect(contact).toEqual({ name: 'New Name', tags: [], created_from_inbound: true, _deleted: false });
  });
});

describe('notes and read markers', () => {
  test('stay in their workspace; read markers with their member; notes are written as oneself', async () => {
    const phone = '+4917610000008';
    await customerWrites(phone, 'private matter');
    const chat = await chatOf(phone);
    const note = {
      id: randomUUID(),
      workspace_id: ws,
      chat_id: chat.id,
      author_id: alice.id,
      body: 'VIP, be nice',
    };
    await as(alice, (tx) => pushRows(tx, ['chat_notes', JSON.stringify([{ doc: note, assumed: null }])]));
    const read = {
      id: chatReadId(chat.id, alice.id),
      workspace_id: ws,
      chat_id: chat.id,
      user_id: alice.id,
      read_count: 1,
      read_at: new Date().toISOString(),
    };
    await as(alice, (tx) => pushRows(tx, ['chat_reads', JSON.stringify([{ doc: read, assumed: null }])]));

    // Another workspace's agent sees nothing, through tables or pulls, and writes nothing.
    for (const table of ['chats', 'chat_notes', 'chat_reads', 'messages']) {
      const rows = await as(bob, (tx) => tx.query(`select id from public.${table}`));
      expect(rows, table).toEqual([]);
      const [pulled] = await as(bob, (tx) =>
        tx.query<{ page: { rows: unknown[] } }>('select public.pull_rows($1, $2) as page', [table, ws]),
      );
      expect(pulled!.page.rows, table).toEqual([]);
    }
    expect(
      await sqlError(
        as(bob, (tx) =>
          tx.query(
            `insert into public.chat_notes (id, workspace_id, chat_id, author_id, body) values ($1, $2, $3, $4, 'x')`,
            [randomUUID(), bobWs, chat.id, bob.id],
          ),
        ),
      ),
    ).toMatch(/is not a chat of workspace/);
    expect(await sqlError(pushChat(bob, chat, { status: 'closed' }))).toMatch(
      /permission denied for table chats|outside the workspaces|row-level/,
    );
    expect((await chatOf(phone)).status).toBe('open');

    // A co-member reads the note but not alice's read marker, and writes notes only as themself.
    const carolNotes = await as(carol, (tx) =>
      tx.query<{ body: string }>('select body from public.chat_notes where chat_id = $1', [chat.id]),
    );
    expect(carolNotes).toEqual([{ body: 'VIP, be nice' }]);
    expect(await as(carol, (tx) => tx.query('select id from public.chat_reads'))).toEqual([]);
    expect(
      await sqlError(
        as(carol, (tx) =>
          tx.query(`update public.chat_notes set body = 'rewritten' where id = $1`, [note.id]).then((r) => {
            throw new Error(`updated ${JSON.stringify(r)}`);
          }),
        ),
      ),
    ).toMatch(/only their own notes|updated \[\]/);
    expect(
      await sqlError(
        as(carol, (tx) =>
          tx.query(
            `insert into public.chat_notes (id, workspace_id, chat_id, author_id, body) values ($1, $2, $3, $4, 'as alice')`,
            [randomUUID(), ws, chat.id, alice.id],
          ),
        ),
      ),
    ).toMatch(/only their own notes/);
    const forgedRead = { ...read, id: chatReadId(chat.id, carol.id), user_id: alice.id };
    expect(
      await sqlError(
        as(carol, (tx) => pushRows(tx, ['chat_reads', JSON.stringify([{ doc: forgedRead, assumed: null }])])),
      ),
    ).toMatch(/derived from its chat and member|row-level/);

    // A read marker never goes back (a late device read less).
    const [current] = await backend.db.query<{ _modified: string }>(
      'select _modified::text from public.chat_reads where id = $1',
      [read.id],
    );
    await as(alice, (tx) =>
      pushRows(tx, [
        'chat_reads',
        JSON.stringify([{ doc: { ...read, read_count: 0 }, assumed: current!._modified }]),
      ]),
    );
    const [kept] = await backend.db.query<{ read_count: number }>(
      'select read_count from public.chat_reads where id = $1',
      [read.id],
    );
    expect(kept!.read_count).toBe(1);
  });

  test('a note never reaches the provider; a reply does', async () => {
    const phone = '+4917610000009';
    await customerWrites(phone, 'question');
    const chat = await chatOf(phone);
    await as(alice, (tx) =>
      tx.query(
        `insert into public.chat_notes (id, workspace_id, chat_id, author_id, body) values ($1, $2, $3, $4, 'internal: refund later')`,
        [randomUUID(), ws, chat.id, alice.id],
      ),
    );
    const { error } = await alice.client.functions.invoke('outbox', {
      body: { commands: [{ message_id: randomUUID(), channel_id: channelId, to: phone, body: 'answer' }] },
    });
    expect(error).toBeNull();
    await processOutboxOnce(backend);
    const sends = backend.simulator!.sends().filter((s) => s.to === phone.slice(1));
    expect(sends.map((s) => JSON.stringify(s))).toEqual([expect.stringContaining('answer')]);
    expect(JSON.stringify(backend.simulator!.sends())).not.toContain('refund later');
  });
});
