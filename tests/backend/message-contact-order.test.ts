// Issue 15 item 1 for one-to-one messages: a message to a contact made a moment before on the
// same device travels by the outbox (POST /functions/v1/outbox) while the contact travels by
// the RxDB push; the message may arrive first (on PostgreSQL it often does). It must not be
// refused for that: the command carries the contact's name and the intake creates the contact
// (derived id, epoch-dated), which the device's later push then fills in. The same path must
// not let a member write contacts of another workspace or overwrite an existing one.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { type Device, eventually, Network, openDevice, signIn } from './app-devices.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

interface CommandResult {
  message_id: string | null;
  status: 'queued' | 'duplicate' | 'rejected';
  error?: string;
}

let backend: Backend;
let user: TestUser;
let ws: string;
let channel: string;
const devices: Device[] = [];

beforeAll(async () => {
  backend = await startBackend({
    simulator: { delays: { sent: 50, delivered: 100, read: 150, reply: null } },
    outboxTimer: { intervalMs: 200 },
  });
  user = await backend.user();
  const [ch] = await backend.db.query<{ id: string; workspace_id: string }>(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute)
     select workspace_id, 'Simulator', 'simulator', 6000 from public.workspace_members where user_id = $1
     returning id, workspace_id`,
    [user.id],
  );
  channel = ch!.id;
  ws = ch!.workspace_id;
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

afterAll(() => backend?.close());

/**
 * A network on which the server answers the device's RxDB pushes 503 while `held` (a server
 * in trouble, not a dead network: the device stays online and everything else goes through).
 */
function pushesHeld(): { network: Network; hold(): void; release(): void } {
  const network = new Network();
  const through = network.fetch;
  let held = true;
  Object.assign(network, {
    fetch: (input: RequestInfo | URL, init?: RequestInit) =>
      held && String(input instanceof Request ? input.url : input).includes('/rpc/push_changes')
        ? Promise.resolve(Response.json({ message: 'held by the test' }, { status: 503 }))
        : through(input, init),
  });
  return {
    network,
    hold() {
      held = true;
    },
    release() {
      held = false;
    },
  };
}

async function post(commands: unknown[]): Promise<CommandResult[]> {
  const { data, error } = await user.client.functions.invoke('outbox', { body: { commands } });
  expect(error).toBeNull();
  return (data as { results: CommandResult[] }).results;
}

const contactRow = (id: string) =>
  backend.db.query<{ name: string; email: string; workspace_id: string; updated_at: string }>(
    'select name, email, workspace_id, updated_at from public.contacts where id = $1',
    [id],
  );

describe("a message sent before its contact's push", () => {
  test('is accepted and sent; the intake creates the contact and the later push fills it in', async () => {
    const phone = '+447400710001';
    const { network, release } = pushesHeld();
    const a = await openDevice(backend, { network });
    devices.push(a);
    await signIn(a, user.email, user.password);
    await eventually(
      a.watch(() => a.services.channels.preferred),
      (c) => c !== undefined,
    );
    const added = await a.services.contacts.add({ phone, name: 'Ada Nova', email: 'ada@example.test' });
    expect(added).toMatchObject({ ok: true, existing: false });
    const id = added.ok ? added.value.id : '';
    const thread = a.watch(() => a.services.messages.thread(() => phone));

    await a.services.messages.send({ phone, contactId: id, body: 'Before the push' });
    await eventually(thread, (t) => t.length === 1 && !t[0]!.local && t[0]!.status === 'read', 15_000);
    expect(backend.simulator!.sends().filter((s) => s.to === phone.slice(1))).toHaveLength(1);
    // The push has not gone: the contact on the server is the intake's, dated at the epoch.
    expect(await contactRow(id)).toEqual([
      { name: 'Ada Nova', email: '', workspace_id: ws, updated_at: expect.stringMatching(/^1970-01-01/) },
    ]);

    release();
    await eventually(
      () => contactRow(id),
      (rows) => rows[0]?.email === 'ada@example.test',
      15_000,
    );
    expect((await contactRow(id))[0]).toMatchObject({ name: 'Ada Nova', workspace_id: ws });
  });
});

describe('a message to a contact deleted on the server and added again on the device', () => {
  test('is accepted before the re-added contact is pushed; the contact comes back', async () => {
    const phone = '+447400710006';
    const pushes = pushesHeld();
    pushes.release();
    const a = await openDevice(backend, { network: pushes.network });
    devices.push(a);
    await signIn(a, user.email, user.password);
    await eventually(
      a.watch(() => a.services.channels.preferred),
      (c) => c !== undefined,
    );
    const added = await a.services.contacts.add({ phone, name: 'Before' });
    const id = added.ok ? added.value.id : '';
    const deleted = () =>
      backend.db.query<{ _deleted: boolean }>('select _deleted from public.contacts where id = $1', [id]);
    await eventually(deleted, (rows) => rows.length === 1, 15_000);
    await a.services.contacts.remove(id);
    await eventually(deleted, (rows) => rows[0]?._deleted === true, 15_000);

    pushes.hold();
    expect(await a.services.contacts.add({ phone, name: 'After' })).toMatchObject({
      ok: true,
      existing: false,
    });
    const thread = a.watch(() => a.services.messages.thread(() => phone));
    await a.services.messages.send({ phone, contactId: id, body: 'To the re-added contact' });
    await eventually(thread, (t) => t.length === 1 && !t[0]!.local && t[0]!.status === 'read', 15_000);
    expect(await contactRow(id)).toEqual([
      { name: 'After', email: '', workspace_id: ws, updated_at: expect.stringMatching(/^1970-01-01/) },
    ]);
    pushes.release();
    await eventually(
      () => contactRow(id),
      (rows) => rows[0]?.updated_at.startsWith('1970') === false,
      15_000,
    );
  });
});

describe('the contact a plain message carries', () => {
  test('cannot create a contact in a workspace the sender is not a member of', async () => {
    const other = await backend.user();
    const [theirs] = await backend.db.query<{ id: string; workspace_id: string }>(
      `insert into public.channels (workspace_id, name, provider)
       select workspace_id, 'Theirs', 'simulator' from public.workspace_members where user_id = $1
       returning id, workspace_id`,
      [other.id],
    );
    const phone = '+447400710002';
    const [result] = await post([
      {
        message_id: randomUUID(),
        channel_id: theirs!.id,
        to: phone,
        body: 'Hi',
        contact_id: contactId(theirs!.workspace_id, phone),
        contact_name: 'Planted',
      },
    ]);
    expect(result).toMatchObject({ status: 'rejected' });
    expect(await backend.db.query('select 1 from public.contacts where phone = $1', [phone])).toEqual([]);
  });

  test('cannot overwrite an existing contact, nor create one under an id derived from another phone', async () => {
    const phone = '+447400710003';
    const id = contactId(ws, phone);
    await backend.db.query(
      `insert into public.contacts (id, workspace_id, phone, name, email) values ($1, $2, $3, 'Ada Lovelace', 'ada@example.test')`,
      [id, ws, phone],
    );
    const [before] = await contactRow(id);
    const otherPhone = '+447400710004';
    const results = await post([
      {
        message_id: randomUUID(),
        channel_id: channel,
        to: phone,
        body: 'Hi',
        contact_id: id,
        contact_name: 'Renamed',
      },
      {
        message_id: randomUUID(),
        channel_id: channel,
        to: otherPhone,
        body: 'Hi',
        contact_id: contactId(ws, '+447400710005'),
        contact_name: 'Wrong id',
      },
    ]);
    expect(results.map((r) => r.status)).toEqual(['queued', 'rejected']);
    expect(await contactRow(id)).toEqual([before]);
    expect(
      await backend.db.query('select 1 from public.contacts where phone = any ($1)', [
        [otherPhone, '+447400710005'],
      ]),
    ).toEqual([]);
  });
});
