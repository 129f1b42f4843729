// Issue 12: a launch's chunks are answered a run at a time (20261204110000_campaign_intake_sets.sql),
// with the per-row intake's results and effects. Chunks of 400 mixing what the set path takes
// (fresh recipients, replays) with what it hands to the per-row path (a draft, an opted-out
// recipient, a contact not on the server yet, a command repeated within its chunk), sent out
// of order and replayed: every answer in its command's place, the campaign counted once per
// message, started exactly when its last recipient is answered, a replay changing nothing.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { campaignCommandChunks } from '../../src/domain/campaign-commands.ts';
import { contactId } from '../../src/domain/ids.ts';
import type { Contact } from '../../src/domain/types.ts';
import { immediateLaunch } from './campaign-launch.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

interface CommandResult {
  message_id: string | null;
  status: 'queued' | 'duplicate' | 'rejected';
  error?: string;
}

const RECIPIENTS = 1200;
let backend: Backend;
let alice: MintedUser;
let ws: string;
let channel: string;

beforeAll(async () => {
  backend = await startBackend();
  alice = await backend.mintUser();
  const [m] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [alice.id],
  );
  ws = m!.workspace_id;
  const [ch] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, rate_per_minute) values ($1, 'Main line', 6000) returning id`,
    [ws],
  );
  channel = ch!.id;
  await backend.db.query('update public.quotas set monthly_limit = 10000 where workspace_id = $1', [ws]);
});
afterAll(() => backend?.close());

function contact(i: number): Contact {
  const phone = `+4917${String(40_000_000 + i)}`;
  return {
    id: contactId(ws, phone),
    workspace_id: ws,
    phone,
    name: `Kundin ${i}`,
    email: '',
    tags: [],
    group_ids: [],
    custom_fields: {},
    opted_out: false,
    opted_out_at: null,
    notes: '',
    updated_at: new Date().toISOString(),
    _deleted: false,
  };
}

async function post(commands: unknown[]): Promise<CommandResult[]> {
  const { data, error } = await alice.client.functions.invoke('outbox', { body: { commands } });
  expect(error).toBeNull();
  return (data as { results: CommandResult[] }).results;
}

async function state(id: string) {
  const [row] = await backend.db.query<{
    status: string;
    accepted_count: number;
    queued_count: number;
    blocked_reason: string | null;
    messages: number;
    held: number;
    released: number;
    refusals: number;
    summarised: number;
  }>(
    `select c.status, c.accepted_count, c.queued_count, c.blocked_reason,
       (select count(*)::int from public.messages m where m.campaign_id = c.id) as messages,
       (select count(*)::int from public.outbox_messages o where o.campaign_id = c.id and o.status = 'paused') as held,
       (select count(*)::int from public.outbox_messages o where o.campaign_id = c.id and o.status = 'queued'
          and o.scheduled_at is not null) as released,
       (select count(*)::int from private.campaign_refusals r where r.campaign_id = c.id) as refusals,
       (select count(*)::int from public.messages m join public.chats ch on ch.id = m.chat_id
          where m.campaign_id = c.id and ch.last_message_id = m.id and ch.contact_id = m.contact_id) as summarised
     from public.campaigns c where c.id = $1`,
    [id],
  );
  return row!;
}

test('a launch in chunks of 400, out of order and replayed, is answered as command by command', async () => {
  const all = Array.from({ length: RECIPIENTS }, (_, i) => contact(i));
  const optedOut = [all[100]!, all[700]!];
  const notPushed = all[300]!;
  await backend.db.query(
    `insert into public.contacts (id, workspace_id, phone, name, opted_out)
     select id, $1, phone, name, phone = any ($5::text[])
     from unnest($2::uuid[], $3::text[], $4::text[]) as c (id, phone, name)`,
    [
      ws,
      all.filter((c) => c !== notPushed).map((c) => c.id),
      all.filter((c) => c !== notPushed).map((c) => c.phone),
      all.filter((c) => c !== notPushed).map((c) => c.name),
      optedOut.map((c) => c.phone),
    ],
  );
  // The device still holds every contact as opted in: the server refuses two of them.
  const { id, draft, plan } = await immediateLaunch(all, { workspace: ws, channel, name: 'Sets', seed: 5 });
  expect(plan.messages).toHaveLength(RECIPIENTS);
  // Chunk 1 holds the first opted-out recipient and the contact not pushed, chunk 2 the other.
  const messages = [...plan.messages];
  const place = (c: Contact, at: number) => {
    const from = messages.findIndex((m) => m.contact_id === c.id);
    [messages[from], messages[at]] = [messages[at]!, messages[from]!];
  };
  place(optedOut[0]!, 5);
  place(notPushed, 50);
  place(optedOut[1]!, 405);
  const [first, second, third] = [
    ...campaignCommandChunks(messages, { id, channel_id: channel, draft }, 400),
  ];
  const refusedIds = new Set(
    plan.messages.filter((m) => optedOut.some((c) => c.id === m.contact_id)).map((m) => m.message_id),
  );
  const expectOptOut = (results: CommandResult[], commands: { message_id: string; to: string }[]) => {
    expect(results.map((r) => r.message_id)).toEqual(commands.map((c) => c.message_id));
    results.forEach((r, i) => {
      if (refusedIds.has(commands[i]!.message_id)) {
        expect(r).toEqual({
          message_id: commands[i]!.message_id,
          status: 'rejected',
          error: `${commands[i]!.to} opted out of messages from this workspace`,
        });
      } else expect(r, commands[i]!.to).toEqual({ message_id: commands[i]!.message_id, status: 'queued' });
    });
  };

  // Chunk 1 creates and launches the draft (its first command), takes 398 at once, refuses one
  // opted-out recipient and creates the contact whose push has not arrived.
  expectOptOut(await post(first!), first!);
  const refusal = `${optedOut[0]!.phone} opted out of messages from this workspace`;
  expect(await state(id)).toEqual({
    status: 'launching',
    accepted_count: 399,
    queued_count: 399,
    blocked_reason: `1 of ${RECIPIENTS} messages were refused and will not be sent: ${refusal}`,
    messages: 399,
    held: 399,
    released: 0,
    refusals: 1,
    summarised: 399,
  });
  const [created] = await backend.db.query<{ name: string }>(
    'select name from public.contacts where id = $1',
    [notPushed.id],
  );
  expect(created).toEqual({ name: notPushed.name });

  // A replay of chunk 1 changes nothing: duplicates, and the same refusal.
  const replay = await post(first!);
  expect(replay.filter((r) => r.status === 'duplicate')).toHaveLength(399);
  expect(replay.filter((r) => r.status === 'rejected').map((r) => r.error)).toEqual([refusal]);
  expect((await state(id)).accepted_count).toBe(399);

  // Chunk 3 before chunk 2.
  expectOptOut(await post(third!), third!);
  expect(await state(id)).toMatchObject({ status: 'launching', accepted_count: 799, held: 799, refusals: 1 });

  // Chunk 2, with one of its commands sent twice: the second copy is a duplicate. Its last
  // recipient starts the campaign: every held message is released on its planned time.
  const twice = second![10]!;
  const results = await post([...second!, twice]);
  expectOptOut(results.slice(0, 400), second!);
  expect(results[400]).toEqual({ message_id: twice.message_id, status: 'duplicate' });
  const started = await state(id);
  expect(started).toEqual({
    status: started.status === 'scheduled' ? 'scheduled' : 'running',
    accepted_count: RECIPIENTS - 2,
    queued_count: RECIPIENTS - 2,
    blocked_reason: `2 of ${RECIPIENTS} messages were refused and will not be sent: ${refusal}`,
    messages: RECIPIENTS - 2,
    held: 0,
    released: RECIPIENTS - 2,
    refusals: 2,
    summarised: RECIPIENTS - 2,
  });

  // After the start a replay is answered duplicate, and the refused stay refused.
  const late = await post(second!);
  expect(late.filter((r) => r.status === 'duplicate')).toHaveLength(399);
  expect(late.filter((r) => r.status === 'rejected')).toHaveLength(1);
  expect(await state(id)).toEqual(started);
});
