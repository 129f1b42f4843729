// Issue 15 item 1: a campaign launched offline replays in the worst order, its outbox commands
// reaching the real intake (POST /functions/v1/outbox) before the RxDB push of a contact made
// on the same device. The launch must hold: the intake creates the contact from what the
// command carries, the device's later push merges into it, and every message goes out. A
// launch command refused for one of its recipients starts the campaign with the rest, says
// why on the campaign, and gives the refused messages' quota back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { campaignCommandChunks } from '../../src/domain/campaign-commands.ts';
import { contactId } from '../../src/domain/ids.ts';
import { mergeContact } from '../../src/domain/merge.ts';
import type { Campaign, Contact } from '../../src/domain/types.ts';
import type { Row } from '../../supabase/local/db.ts';
import { immediateLaunch } from './campaign-launch.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

interface CommandResult {
  message_id: string | null;
  status: 'queued' | 'duplicate' | 'rejected';
  error?: string;
}

let backend: Backend;
let alice: MintedUser;
let ws: string;
let channel: string;
let serial = 0;

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
});
afterAll(() => backend?.close());

beforeEach(async () => {
  await backend.db.query('update public.quotas set monthly_limit = 100, used = 0 where workspace_id = $1', [
    ws,
  ]);
  await backend.db.query(
    `update public.quota_reservations set status = 'released', settled_at = now()
     where workspace_id = $1 and status = 'reserved'`,
    [ws],
  );
});

/** A contact as the device holds it (made offline unless `pushed` writes it to the server too). */
async function deviceContact(fields: Partial<Contact> = {}, pushed = false): Promise<Contact> {
  serial += 1;
  const phone = `+4917${String(30_000_000 + serial)}`;
  const contact: Contact = {
    id: contactId(ws, phone),
    workspace_id: ws,
    phone,
    name: `Kundin ${serial}`,
    email: `kundin${serial}@example.test`,
    tags: ['stammkundin'],
    group_ids: [],
    custom_fields: { city: 'Lisbon' },
    opted_out: false,
    opted_out_at: null,
    notes: '',
    updated_at: new Date().toISOString(),
    _deleted: false,
    ...fields,
  };
  if (pushed) await pushContact(contact, null);
  return contact;
}

/** RxDB's push of one contact (push_rows as the user): the server's row when it conflicts. */
async function pushContact(doc: Contact, assumed: string | null): Promise<Contact | undefined> {
  const { data, error } = await alice.client.rpc('push_rows', {
    p_table: 'contacts',
    p_rows: [{ doc, assumed }],
  });
  expect(error).toBeNull();
  return (data as Contact[])[0];
}

/** What the device queued when Launch was pressed offline: the chunks of the prepared campaign. */
async function offlineLaunch(contacts: Contact[], strip?: (cmd: Record<string, unknown>) => void) {
  const { id, draft, plan } = await immediateLaunch(contacts, {
    workspace: ws,
    channel,
    name: 'Made offline',
    seed: 3,
  });
  const chunks = [...campaignCommandChunks(plan.messages, { id, channel_id: channel, draft }, 1)];
  for (const cmd of chunks.flat()) strip?.(cmd as unknown as Record<string, unknown>);
  return { id, plan, chunks };
}

async function post(commands: unknown[]): Promise<CommandResult[]> {
  const { data, error } = await alice.client.functions.invoke('outbox', { body: { commands } });
  expect(error).toBeNull();
  return (data as { results: CommandResult[] }).results;
}

async function campaign(id: string): Promise<Campaign> {
  const [row] = await backend.db.query<Campaign & Row>('select * from public.campaigns where id = $1', [id]);
  return row!;
}

async function quota(): Promise<{ used: number; reserved: number }> {
  const [row] = await backend.db.query<{ f: { used: number; reserved: number } }>(
    'select public.quota_status($1) as f',
    [ws],
  );
  return { used: row!.f.used, reserved: row!.f.reserved };
}

/** The processor sends every due message of the channel. */
async function sendAll(): Promise<number> {
  await backend.db.query(
    `update public.outbox_messages set scheduled_at = now() where status = 'queued' and channel_id = $1`,
    [channel],
  );
  const claimed = await backend.db.query<{ outbox_id: string }>(
    'select outbox_id from public.claim_outbox($1, 1000)',
    ['order-worker'],
  );
  for (const c of claimed) {
    await backend.db.query('select public.complete_outbox($1, $2, $3)', [
      c.outbox_id,
      'order-worker',
      `wamid.${c.outbox_id}`,
    ]);
  }
  return claimed.length;
}

describe('an offline launch replayed before the push of its contact', () => {
  test('the intake creates the contact, the later push merges into it, and every message is sent', async () => {
    const known = await deviceContact({}, true);
    const madeOffline = await deviceContact({ name: 'Ada Nova', tags: ['new'], notes: 'met at the fair' });
    const { id, chunks } = await offlineLaunch([known, madeOffline]);

    // The worst order: the outbox replays first, the contact's push comes after.
    for (const chunk of chunks) {
      expect((await post(chunk)).map((r) => r.status)).toEqual(['queued']);
    }
    const started = await campaign(id);
    expect(started).toMatchObject({
      status: 'running',
      accepted_count: 2,
      recipient_count: 2,
      blocked_reason: null,
    });
    const [created] = await backend.db.query<Contact & Row>('select * from public.contacts where id = $1', [
      madeOffline.id,
    ]);
    expect(created).toMatchObject({
      phone: madeOffline.phone,
      name: 'Ada Nova',
      workspace_id: ws,
      email: '',
    });

    // Now the push: it meets the intake's row as a conflict, merges, and goes up again.
    const conflict = await pushContact(madeOffline, null);
    expect(conflict).toMatchObject({ id: madeOffline.id, name: 'Ada Nova' });
    const merged = mergeContact({ base: undefined, local: madeOffline, remote: conflict! });
    expect(merged).toMatchObject({
      name: 'Ada Nova',
      email: madeOffline.email,
      tags: ['new'],
      notes: 'met at the fair',
      custom_fields: { city: 'Lisbon' },
      updated_at: madeOffline.updated_at,
    });
    expect(
      await pushContact(merged, (conflict as unknown as { _modified: string })._modified),
    ).toBeUndefined();
    const [server] = await backend.db.query<Contact & Row>('select * from public.contacts where id = $1', [
      madeOffline.id,
    ]);
    expect(server).toMatchObject({ email: madeOffline.email, tags: ['new'], notes: 'met at the fair' });

    expect(await sendAll()).toBe(2);
    expect(await campaign(id)).toMatchObject({ status: 'completed', sent_count: 2, failed_count: 0 });
    expect(await quota()).toEqual({ used: 2, reserved: 0 });
    // A replay of the launch after all this changes nothing.
    for (const chunk of chunks) expect((await post(chunk)).map((r) => r.status)).toEqual(['duplicate']);
  });

  test('a contact name that is not text is refused with the reason, and nothing is written', async () => {
    const madeOffline = await deviceContact();
    const { id, chunks } = await offlineLaunch([madeOffline], (cmd) => {
      cmd.contact_name = 42;
    });
    const [result] = await post(chunks[0]!);
    expect(result).toMatchObject({
      status: 'rejected',
      error: 'contact_name must be a text of at most 200 characters',
    });
    expect(await backend.db.query('select 1 from public.contacts where id = $1', [madeOffline.id])).toEqual(
      [],
    );
    expect(await backend.db.query('select 1 from public.campaigns where id = $1', [id])).toEqual([]);
  });

  test('a command cannot create a contact in another workspace or under an id not derived from its phone', async () => {
    const other = await backend.mintUser();
    const [m] = await backend.db.query<{ workspace_id: string }>(
      'select workspace_id from public.workspace_members where user_id = $1',
      [other.id],
    );
    const phone = '+351912345678';
    const results = await post([
      {
        message_id: randomUUID(),
        channel_id: channel,
        to: phone,
        body: 'Hi',
        contact_id: contactId(m!.workspace_id, phone),
        contact_name: 'Not yours',
      },
      {
        message_id: randomUUID(),
        channel_id: channel,
        to: phone,
        body: 'Hi',
        contact_id: randomUUID(),
        contact_name: 'Made up',
      },
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(results[0]!.error).toContain('is not a contact of the channel');
    expect(await backend.db.query('select 1 from public.contacts where phone = $1', [phone])).toEqual([]);
  });
});

describe('a launch with refused recipients', () => {
  test('starts with the rest, says how many were refused and why, and releases their quota', async () => {
    const fine = await deviceContact({}, true);
    const optedOut = await deviceContact({}, true);
    const { id, chunks } = await offlineLaunch([fine, optedOut]);
    // The contact said STOP on the server before the launch arrived.
    await backend.db.query('update public.contacts set opted_out = true where id = $1', [optedOut.id]);

    // The refused recipient's command first: the accepted one arriving after completes the launch.
    const order = chunks[0]![0]!.contact_id === optedOut.id ? chunks : [...chunks].reverse();
    const results: CommandResult[] = [];
    for (const chunk of order) results.push(...(await post(chunk)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'queued']);
    const c = await campaign(id);
    expect(c.status).toBe('running');
    expect(c.blocked_reason).toBe(
      `1 of 2 messages were refused and will not be sent: ${optedOut.phone} opted out of messages from this workspace`,
    );
    expect(await quota()).toEqual({ used: 0, reserved: 2 });

    expect(await sendAll()).toBe(1);
    expect(await campaign(id)).toMatchObject({ status: 'completed', sent_count: 1 });
    expect(await quota()).toEqual({ used: 1, reserved: 0 });
  });

  test('an older client without contact names: every recipient refused ends the launch and frees the quota', async () => {
    const a = await deviceContact();
    const b = await deviceContact();
    const { id, chunks } = await offlineLaunch([a, b], (cmd) => {
      delete cmd.contact_name;
    });
    for (const chunk of chunks) expect((await post(chunk))[0]!.status).toBe('rejected');
    const c = await campaign(id);
    expect(c).toMatchObject({ status: 'completed', accepted_count: 0, sent_count: 0 });
    expect(c.blocked_reason).toMatch(
      /^2 of 2 messages were refused and will not be sent: contact .* is not a contact/,
    );
    expect(await quota()).toEqual({ used: 0, reserved: 0 });
  });

  test('a refused recipient replayed after its push is accepted, and the campaign starts complete', async () => {
    const early = await deviceContact({}, true);
    const late = await deviceContact();
    const { id, chunks } = await offlineLaunch([early, late, await deviceContact({}, true)], (cmd) => {
      delete cmd.contact_name;
    });
    const lateChunk = chunks.find((c) => c[0]!.contact_id === late.id)!;
    const others = chunks.filter((c) => c !== lateChunk);
    // The late contact's command arrives first and is refused; the campaign waits for the others.
    expect((await post(lateChunk))[0]!.status).toBe('rejected');
    expect((await campaign(id)).status).toBe('launching');
    expect((await post(others[0]!))[0]!.status).toBe('queued');
    // The push arrives, and the service worker's replay of the refused command with it.
    await pushContact(late, null);
    expect((await post(lateChunk))[0]!.status).toBe('queued');
    expect((await campaign(id)).blocked_reason).toBeNull();
    expect((await post(others[1]!))[0]!.status).toBe('queued');
    expect(await campaign(id)).toMatchObject({ status: 'running', accepted_count: 3, blocked_reason: null });
  });
});
