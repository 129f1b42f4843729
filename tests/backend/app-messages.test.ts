// Sending as the app does it where no service worker keeps commands (Node here; a first
// visit or dev mode in a browser): the message shows at once, queued; the command reaches
// the intake now or, offline, when the network returns; the processor sends it once
// through the simulator; the server's copy replaces the local one and its ticks move on,
// on every device of the user.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { type Device, eventually, openDevice, serverSends, signIn } from './app-devices.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

let backend: Backend;
let user: TestUser;
const devices: Device[] = [];

beforeAll(async () => {
  backend = await startBackend({
    simulator: { delays: { sent: 50, delivered: 150, read: 300, reply: null } },
    outboxTimer: { intervalMs: 200 },
  });
  user = await backend.user();
  await backend.db.query(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute)
     select workspace_id, 'Simulator', 'simulator', 6000 from public.workspace_members where user_id = $1`,
    [user.id],
  );
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

afterAll(() => backend?.close());

async function device(): Promise<Device> {
  const d = await openDevice(backend);
  devices.push(d);
  await signIn(d, user.email, user.password);
  // The channel arrives by replication.
  await eventually(
    d.watch(() => d.services.channels.preferred),
    (c) => c !== undefined,
  );
  return d;
}

const sends = (digits: string) => backend.simulator!.sends().filter((s) => s.to === digits);

describe('messages', () => {
  test('a message shows queued at once, goes out once, and reaches read on both devices', async () => {
    const a = await device();
    const b = await device();
    const onA = a.watch(() => a.services.messages.thread(() => '+447400700001'));
    const onB = b.watch(() => b.services.messages.thread(() => '+447400700001'));
    const sent = await a.services.messages.send({
      phone: '+447400700001',
      contactId: null,
      body: 'Hello there',
    });
    expect(sent).toMatchObject({ ok: true, value: { status: 'queued', local: true, body: 'Hello there' } });
    expect(onA().map((m) => [m.body, m.status])).toEqual([['Hello there', 'queued']]);

    // Each device's view is read with the server's, so that a wait that fails says where it stopped.
    const seen =
      <T>(thread: () => T) =>
      async () => ({
        thread: thread(),
        server: await serverSends(backend, '447400700001'),
      });
    await eventually(seen(onA), ({ thread: t }) => t.length === 1 && t[0]!.status === 'read' && !t[0]!.local);
    await eventually(seen(onB), ({ thread: t }) => t.length === 1 && t[0]!.status === 'read');
    expect(sends('447400700001').map((s) => s.body)).toEqual(['Hello there']);
  });

  test('offline, the message waits; back online it is posted again and sent once', async () => {
    const a = await device();
    const thread = a.watch(() => a.services.messages.thread(() => '+447400700002'));
    a.network.set(false);
    expect(
      await a.services.messages.send({ phone: '+447400700002', contactId: null, body: 'Written offline' }),
    ).toEqual({ ok: true, value: expect.anything() });
    await new Promise((r) => setTimeout(r, 500));
    expect(thread().map((m) => [m.status, m.local])).toEqual([['queued', true]]);
    expect(sends('447400700002')).toHaveLength(0);

    a.network.set(true);
    await eventually(thread, (t) => t[0]?.status === 'read', 15_000);
    expect(sends('447400700002').map((s) => s.body)).toEqual(['Written offline']);
  });

  test('an empty message or one over 4096 characters is refused with the reason, and nothing is written', async () => {
    const a = await device();
    const thread = a.watch(() => a.services.messages.thread(() => '+447400700003'));
    expect(await a.services.messages.send({ phone: '+447400700003', contactId: null, body: '   ' })).toEqual({
      ok: false,
      error: 'Message: required',
    });
    expect(
      await a.services.messages.send({ phone: '+447400700003', contactId: null, body: 'x'.repeat(4097) }),
    ).toEqual({ ok: false, error: 'Message: at most 4096 characters' });
    await new Promise((r) => setTimeout(r, 300));
    expect(thread()).toEqual([]);
  });

  test('deleting a contact hides its conversation and drafts at once, offline too; re-adding the number starts clean', async () => {
    const phone = '+447400700010';
    const a = await device();
    const added = await a.services.contacts.add({ phone, name: 'Old Name' });
    expect(added).toMatchObject({ ok: true, existing: false });
    const id = added.ok ? added.value.id : '';
    const thread = a.watch(() => a.services.messages.thread(() => phone));
    // Sent at once: the message may reach the intake before the contact's push, and carries
    // the contact's name for that (message-contact-order.test.ts).
    await a.services.messages.send({ phone, contactId: id, body: 'Before the delete' });
    await eventually(thread, (t) => t.length === 1 && !t[0]!.local && t[0]!.status === 'read', 15_000);

    // Text typed in the conversation (by phone) and in the inbox (by chat) before the delete.
    const chats = a.watch(() => a.services.inbox.chats());
    const listed = await eventually(chats, (list) => list.some((c) => c.phone === phone), 15_000);
    const chat = listed.find((c) => c.phone === phone);
    a.services.messages.saveDraft(phone, 'typed before the delete');
    a.services.messages.saveDraft(chat!.id, 'typed in the inbox');

    // Offline: no pull can bring the server's deletions, yet the history goes at once.
    a.network.set(false);
    expect(await a.services.contacts.remove(id)).toEqual({ ok: true, value: undefined });
    await eventually(thread, (t) => t.length === 0, 2_000);
    expect([a.services.messages.draft(phone), a.services.messages.draft(chat!.id)]).toEqual(['', '']);
    a.network.set(true);
    const serverMessages = () =>
      backend.db.query<{ body: string; _deleted: boolean }>(
        'select body, _deleted from public.messages where phone = $1 order by created_at',
        [phone],
      );
    // The server keeps the history for the record, hidden.
    await eventually(serverMessages, (rows) => rows.length === 1 && rows[0]!._deleted, 15_000);

    const again = await a.services.contacts.add({ phone, name: 'New Name' });
    expect(again).toMatchObject({ ok: true, existing: false, value: { id, name: 'New Name' } });
    await new Promise((r) => setTimeout(r, 500));
    expect(thread()).toEqual([]);
    await a.services.messages.send({ phone, contactId: id, body: 'A fresh start' });
    await eventually(thread, (t) => t.length === 1 && t[0]!.status === 'read', 15_000);
    expect(thread().map((m) => m.body)).toEqual(['A fresh start']);
    // Another device sees the same clean conversation.
    const b = await device();
    const onB = b.watch(() => b.services.messages.thread(() => phone));
    await eventually(onB, (t) => t.length === 1, 15_000);
    expect(onB().map((m) => m.body)).toEqual(['A fresh start']);
    expect((await serverMessages()).map((m) => [m.body, m._deleted])).toEqual([
      ['Before the delete', true],
      ['A fresh start', false],
    ]);
  });

  test('a contact deleted and added again offline: the other devices drop the old conversation too', async () => {
    const phone = '+447400700011';
    const a = await device();
    const added = await a.services.contacts.add({ phone, name: 'Old Name' });
    const id = added.ok ? added.value.id : '';
    await a.services.messages.send({ phone, contactId: id, body: 'Before the delete' });
    const b = await device();
    const onB = b.watch(() => b.services.messages.thread(() => phone));
    await eventually(onB, (t) => t.length === 1 && t[0]!.status === 'read', 15_000);

    // Both before any sync: the server only ever sees the contact's final state, never deleted.
    a.network.set(false);
    expect(await a.services.contacts.remove(id)).toEqual({ ok: true, value: undefined });
    expect(await a.services.contacts.add({ phone, name: 'New Name' })).toMatchObject({
      ok: true,
      existing: false,
    });
    a.network.set(true);

    await eventually(onB, (t) => t.length === 0, 15_000);
    const server = () =>
      backend.db.query<{ body: string; _deleted: boolean }>(
        'select body, _deleted from public.messages where phone = $1',
        [phone],
      );
    expect((await server()).map((m) => [m.body, m._deleted])).toEqual([['Before the delete', true]]);
    await eventually(
      () =>
        backend.db.query<{ name: string }>(
          'select name from public.contacts where id = $1 and not _deleted',
          [id],
        ),
      (rows) => rows[0]?.name === 'New Name',
      15_000,
    );
  });

  test("hiding a contact's history is for members of its workspace only, and not ahead of time", async () => {
    const phone = '+447400700012';
    const a = await device();
    const added = await a.services.contacts.add({ phone, name: 'Kept' });
    const id = added.ok ? added.value.id : '';
    await a.services.messages.send({ phone, contactId: id, body: 'Stays' });
    const thread = a.watch(() => a.services.messages.thread(() => phone));
    await eventually(thread, (t) => t.length === 1 && !t[0]!.local && t[0]!.status === 'read', 15_000);

    const stranger = await backend.user();
    const refused = await stranger.client.rpc('hide_contact_history', {
      p_contact_id: id,
      p_deleted_at: new Date().toISOString(),
    });
    expect(refused.error?.message).toBe(`contact ${id} is not a contact of your workspaces`);
    const ahead = await user.client.rpc('hide_contact_history', {
      p_contact_id: id,
      p_deleted_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(ahead.error?.message).toMatch(/^deletion time .* is in the future$/);
    expect(
      await backend.db.query('select body from public.messages where phone = $1 and not _deleted', [phone]),
    ).toEqual([{ body: 'Stays' }]);
  });

  /** A contact with one message read, then deleted and added again offline: the server never sees the delete. */
  async function deletedUnheard(a: Device, phone: string): Promise<string> {
    const added = await a.services.contacts.add({ phone, name: 'Old Name' });
    const id = added.ok ? added.value.id : '';
    await a.services.messages.send({ phone, contactId: id, body: 'Before the delete' });
    const thread = a.watch(() => a.services.messages.thread(() => phone));
    await eventually(thread, (t) => t.length === 1 && !t[0]!.local && t[0]!.status === 'read', 15_000);
    a.network.set(false);
    expect(await a.services.contacts.remove(id)).toEqual({ ok: true, value: undefined });
    expect(await a.services.contacts.add({ phone, name: 'New Name' })).toMatchObject({ ok: true });
    return id;
  }
  const visibleOnServer = (phone: string) =>
    backend.db.query<{ body: string }>('select body from public.messages where phone = $1 and not _deleted', [
      phone,
    ]);

  test('a delete no server heard of before the app closed is told at its next start, with no reconnect', async () => {
    const phone = '+447400700013';
    const a = await device();
    await deletedUnheard(a, phone);
    await a.close();
    // Started again with the network up from the first moment: no offline → online change.
    const again = await openDevice(backend, { prefix: a.prefix, storage: a.storage });
    devices.push(again);
    await eventually(
      () => visibleOnServer(phone),
      (rows) => rows.length === 0,
      15_000,
    );
  });

  test("a user's waiting delete is never sent with another user's session, and goes at their next sign-in", async () => {
    const phone = '+447400700014';
    const a = await device();
    await deletedUnheard(a, phone);
    await a.services.signOut();
    a.network.set(true);
    const other = await backend.user();
    await signIn(a, other.email, other.password);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await visibleOnServer(phone)).toEqual([{ body: 'Before the delete' }]);
    await a.services.signOut();
    await signIn(a, user.email, user.password);
    await eventually(
      () => visibleOnServer(phone),
      (rows) => rows.length === 0,
      15_000,
    );
  });

  test('the draft of a conversation is kept on the device, per workspace and phone', async () => {
    const a = await device();
    a.services.messages.saveDraft('+447400700004', 'half-written');
    expect(a.services.messages.draft('+447400700004')).toBe('half-written');
    expect(a.services.messages.draft('+447400700005')).toBe('');
    a.services.messages.saveDraft('+447400700004', '');
    expect(a.services.messages.draft('+447400700004')).toBe('');
  });
});
