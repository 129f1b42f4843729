// The data layer end to end (createPigeonServices, in Node with RxDB memory storage) against
// the local stack: two devices of one user stay in sync live, offline edits merge, pending
// counts (also after a crash that left the count behind), writes per row and no echo, sign-out, another user,
// workspace switch.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { importedContact } from '../../src/features/import/save.ts';
import { lastMail, linkIn } from '../support/mail.ts';
import { type Device, type DeviceOptions, eventually, openDevice, signIn } from './app-devices.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

let backend: Backend;
let user: TestUser;
let stranger: TestUser;
const devices: Device[] = [];

beforeAll(async () => {
  backend = await startBackend();
  user = await backend.user();
  stranger = await backend.user();
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

afterAll(() => backend?.close());

async function device(opts?: DeviceOptions): Promise<Device> {
  const d = await openDevice(backend, opts);
  devices.push(d);
  return d;
}

/** The token of the newest invitation mailed to `email`, as its link carries it. */
async function inviteToken(email: string): Promise<string> {
  return new URL(linkIn(await lastMail(backend.url, email, 'invite'))).searchParams.get('token') ?? '';
}

async function serverRows<T extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]> {
  return backend.db.query<T>(sql, params);
}

describe('two devices of one user', () => {
  test('adds, edits and deletes on one appear on the other, live; a user of another workspace sees none', async () => {
    const a = await device();
    const b = await device();
    const ws = await signIn(a, user.email, user.password);
    expect(await signIn(b, user.email, user.password)).toBe(ws);
    const contactsOnB = b.watch(() => b.services.contacts.list(() => ''));
    const groupsOnB = b.watch(() => b.services.groups.list());
    const templatesOnB = b.watch(() => b.services.templates.list());
    const contactsOnA = a.watch(() => a.services.contacts.list(() => ''));

    // Adds on A.
    const group = await a.services.groups.add({ name: 'VIP', color: '#3b82f6' });
    if (!group.ok) throw new Error(group.error);
    const added = await a.services.contacts.add({
      phone: '+44 7400 123456',
      name: 'Ann',
      tags: ['vip'],
      group_ids: [group.value.id],
      custom_fields: { city: 'Leeds' },
    });
    if (!added.ok) throw new Error(added.error);
    expect(added.value).toMatchObject({ phone: '+447400123456', workspace_id: ws, tags: ['vip'] });
    const template = await a.services.templates.add({
      name: 'Welcome',
      body: 'Hi {{name|there}}!',
      language: 'en',
      category: 'utility',
    });
    if (!template.ok) throw new Error(template.error);

    await eventually(contactsOnB, (list) => list.some((c) => c.id === added.value.id));
    expect(contactsOnB()[0]).toMatchObject({
      name: 'Ann',
      tags: ['vip'],
      group_ids: [group.value.id],
      custom_fields: { city: 'Leeds' },
    });
    expect((await eventually(groupsOnB, (l) => l.length === 1))[0]).toMatchObject({
      name: 'VIP',
      color: '#3b82f6',
    });
    expect((await eventually(templatesOnB, (l) => l.length === 1))[0]).toMatchObject({
      body: 'Hi {{name|there}}!',
    });

    // Edits on B reach A.
    const edited = await b.services.contacts.update(added.value.id, {
      name: 'Ann Lee',
      notes: 'called back',
    });
    expect(edited.ok).toBe(true);
    await b.services.groups.update(group.value.id, { description: 'best customers' });
    await b.services.templates.update(template.value.id, { body: 'Hello {{name}}' });
    await eventually(contactsOnA, (l) => l[0]?.name === 'Ann Lee');
    expect(contactsOnA()[0]).toMatchObject({ notes: 'called back' });
    const groupsOnA = a.watch(() => a.services.groups.list());
    const templateOnA = a.watch(() => a.services.templates.get(() => template.value.id));
    await eventually(groupsOnA, (l) => l[0]?.description === 'best customers');
    await eventually(templateOnA, (t) => t?.body === 'Hello {{name}}');

    // Deletes on A are soft deletes on the server and disappear on B.
    expect(await a.services.templates.remove(template.value.id)).toEqual({ ok: true, value: undefined });
    expect((await a.services.contacts.remove(added.value.id)).ok).toBe(true);
    await eventually(templatesOnB, (l) => l.length === 0);
    await eventually(contactsOnB, (l) => l.length === 0);
    await eventually(
      () =>
        serverRows<{ _deleted: boolean }>('select _deleted from public.templates where id = $1', [
          template.value.id,
        ]),
      (rows) => rows[0]?._deleted === true,
    );
    await eventually(a.services.sync.pending, (n) => n === 0);
    // Other replications (channels, messages, campaigns) may still be pulling a moment longer.
    await eventually(a.services.sync.state, (s) => s === 'idle');

    // The server has the rows in the user's workspace; another user's device sees none of them.
    const [onServer] = await serverRows<{ workspace_id: string; name: string; tags: string[] }>(
      'select workspace_id, name, tags from public.contacts where id = $1',
      [added.value.id],
    );
    expect(onServer).toMatchObject({ workspace_id: ws, name: 'Ann Lee', tags: ['vip'] });
    // (At most two devices at a time: RxDB's free version opens at most 16 collections.)
    await b.close();
    const c = await device();
    const otherWs = await signIn(c, stranger.email, stranger.password);
    expect(otherWs).not.toBe(ws);
    await c.services.sync.syncNow();
    // The count is known once the workspace's contacts are read (undefined until then).
    const countOnC = c.watch(() => c.services.contacts.count());
    expect(await eventually(countOnC, (n) => n !== undefined)).toBe(0);
    expect(c.watch(() => c.services.groups.list())()).toEqual([]);
    expect(c.services.workspaces().map((w) => w.id)).toEqual([otherWs]);
  });

  test('offline, edits of different fields of one contact on both devices both survive (tags united)', async () => {
    const a = await device();
    const b = await device();
    await signIn(a, user.email, user.password);
    await signIn(b, user.email, user.password);
    const created = await a.services.contacts.add({ phone: '+44 7400 200001', name: 'Bo', tags: ['lead'] });
    if (!created.ok) throw new Error(created.error);
    const id = created.value.id;
    const onA = a.watch(() => a.services.contacts.get(() => id));
    const onB = b.watch(() => b.services.contacts.get(() => id));
    await eventually(onB, (c) => c !== undefined);

    a.network.set(false);
    b.network.set(false);
    expect(a.services.online()).toBe(false);
    expect(a.services.sync.state()).toBe('offline');
    await a.services.contacts.update(id, { name: 'Bo Diddley', tags: ['lead', 'from-a'] });
    await b.services.contacts.update(id, { email: 'bo@example.com', tags: ['lead', 'from-b'] });
    expect(await eventually(a.services.sync.pending, (n) => n === 1)).toBe(1);
    expect(await eventually(b.services.sync.pending, (n) => n === 1)).toBe(1);

    a.network.set(true);
    await eventually(a.services.sync.pending, (n) => n === 0);
    b.network.set(true);
    await eventually(b.services.sync.pending, (n) => n === 0);

    const both = (c: ReturnType<typeof onA>) =>
      c?.name === 'Bo Diddley' && c.email === 'bo@example.com' && c.tags.length === 3;
    expect(both(await eventually(onA, both))).toBe(true);
    expect(both(await eventually(onB, both))).toBe(true);
    expect(new Set(onA()?.tags)).toEqual(new Set(['lead', 'from-a', 'from-b']));
    const [row] = await serverRows<{ name: string; email: string; tags: string[] }>(
      'select name, email, tags from public.contacts where id = $1',
      [id],
    );
    expect(row).toMatchObject({ name: 'Bo Diddley', email: 'bo@example.com' });
    expect(new Set(row?.tags)).toEqual(new Set(['lead', 'from-a', 'from-b']));
  });

  test('the same phone added on both devices while offline is one contact, merged', async () => {
    const a = await device();
    const b = await device();
    const ws = await signIn(a, user.email, user.password);
    await signIn(b, user.email, user.password);
    a.network.set(false);
    b.network.set(false);
    // Written differently, the same number: the id derives from workspace + E.164.
    const onA = await a.services.contacts.add({ phone: '+44 7400 300003', name: 'Cy', tags: ['a'] });
    const onB = await b.services.contacts.add({
      phone: '0044 7400 300003',
      name: '',
      email: 'cy@example.com',
      tags: ['b'],
    });
    if (!onA.ok || !onB.ok) throw new Error('add failed');
    expect(onA.value.id).toBe(onB.value.id);

    a.network.set(true);
    b.network.set(true);
    await eventually(a.services.sync.pending, (n) => n === 0);
    await eventually(b.services.sync.pending, (n) => n === 0);
    const rows = await serverRows<{ id: string; name: string; email: string; tags: string[] }>(
      'select id, name, email, tags from public.contacts where workspace_id = $1 and phone = $2',
      [ws, '+447400300003'],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: onA.value.id, name: 'Cy', email: 'cy@example.com' });
    expect(new Set(rows[0]?.tags)).toEqual(new Set(['a', 'b']));
    const listA = a.watch(() => a.services.contacts.list(() => '300003'));
    const listB = b.watch(() => b.services.contacts.list(() => '300003'));
    const merged = (l: ReturnType<typeof listA>) =>
      l.length === 1 && l[0]?.email === 'cy@example.com' && l[0].name === 'Cy';
    expect(merged(await eventually(listA, merged))).toBe(true);
    expect(merged(await eventually(listB, merged))).toBe(true);
  });
});

describe('pending changes and sign-out', () => {
  test('the pending count follows local edits, survives an offline reload, and drops to 0 once pushed', async () => {
    const a = await device();
    const ws = await signIn(a, user.email, user.password);
    a.network.set(false);
    const di = await a.services.contacts.add({ phone: '+44 7400 400001', name: 'Di' });
    await a.services.contacts.add({ phone: '+44 7400 400002', name: 'Ed' });
    await a.services.groups.add({ name: 'Offline group' });
    await eventually(a.services.sync.pending, (n) => n === 3);
    if (!di.ok) throw new Error(di.error);
    await a.services.contacts.update(di.value.id, { notes: 'second edit, same contact' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.services.sync.pending()).toBe(3);

    // Reload with no network: same storage, same database; still signed in, data and count kept.
    await a.close();
    const again = await device({ prefix: a.prefix, storage: a.storage, network: a.network });
    expect(again.services.session()).toMatchObject({ status: 'signed-in', user: { email: user.email } });
    await eventually(again.services.workspace, (w) => w?.id === ws);
    const list = again.watch(() => again.services.contacts.list(() => '40000'));
    await eventually(list, (l) => l.length === 2);
    expect(list()[0]?.notes).toBe('second edit, same contact');
    await eventually(again.services.sync.pending, (n) => n === 3);

    again.network.set(true);
    await eventually(again.services.sync.pending, (n) => n === 0);
    const rows = await serverRows<{ phone: string; notes: string }>(
      "select phone, notes from public.contacts where workspace_id = $1 and phone like '+44740040000%' order by phone",
      [ws],
    );
    expect(rows).toEqual([
      { phone: '+447400400001', notes: 'second edit, same contact' },
      { phone: '+447400400002', notes: '' },
    ]);
  });

  test('a count left by a crash just after a push is corrected at the next start, and an unpushed edit counted', async () => {
    const a = await device();
    const ws = await signIn(a, user.email, user.password);
    const pushed = await a.services.contacts.add({ phone: '+44 7400 420001', name: 'Pushed' });
    const edited = await a.services.contacts.add({ phone: '+44 7400 420002', name: 'Edited' });
    if (!pushed.ok || !edited.ok) throw new Error('add failed');
    await eventually(a.services.sync.pending, (n) => n === 0);
    await a.close();

    // What a crash leaves: a published count that still says 5 (its confirmation was never
    // published), and an edit whose push never happened (and was never counted).
    const db = await a.openDatabase(user.id);
    await db.upsertLocal('pending-changes', { counts: { [ws]: 5 }, records: [] });
    await (await db.contacts.findOne(edited.value.id).exec())!.incrementalPatch({
      notes: 'edited, never pushed',
      updated_at: new Date().toISOString(),
    });
    await db.close();

    a.network.set(false);
    const again = await device({ prefix: a.prefix, storage: a.storage, network: a.network });
    await eventually(again.services.workspace, (w) => w?.id === ws);
    // Offline: the stale 5 is replaced by what the replication's state says waits.
    await eventually(again.services.sync.pending, (n) => n === 1);
    a.network.set(true);
    await eventually(
      () =>
        serverRows<{ notes: string }>('select notes from public.contacts where id = $1', [edited.value.id]),
      (rows) => rows[0]?.notes === 'edited, never pushed',
    );
    await eventually(again.services.sync.pending, (n) => n === 0);
  });

  test('contacts a crash left uncounted (an import batch cut off) are counted at the next start, then pushed', async () => {
    const a = await device();
    const ws = await signIn(a, user.email, user.password);
    // A device that has synced contacts before (its replication has a checkpoint).
    await a.services.contacts.add({ phone: '+44 7400 439999', name: 'Synced before' });
    await eventually(a.services.sync.pending, (n) => n === 0);
    a.network.set(false);
    await a.close();

    // What an import batch leaves when the tab dies before the count of its contacts is published.
    const db = await a.openDatabase(user.id);
    const phones = ['+447400430001', '+447400430002', '+447400430003'];
    const batch = phones.map((phone, i) => {
      const candidate = { id: contactId(ws, phone), line: i + 2, phone, name: `Cut off ${phone}` };
      const none = { email: '', notes: '', tags: [], custom_fields: {} };
      return importedContact(undefined, { ...candidate, ...none }, { group_ids: [], tags: [] }, ws)!;
    });
    await db.contacts.bulkInsert(batch);
    expect((await db.getLocal<{ counts: Record<string, number> }>('pending-changes'))?.get('counts')).toEqual(
      {},
    );
    await db.close();

    const again = await device({ prefix: a.prefix, storage: a.storage, network: a.network });
    await eventually(again.services.workspace, (w) => w?.id === ws);
    await eventually(again.services.sync.pending, (n) => n === 3);
    again.network.set(true);
    await eventually(again.services.sync.pending, (n) => n === 0);
    const rows = await serverRows<{ name: string }>(
      "select name from public.contacts where workspace_id = $1 and phone like '+44740043000%' order by phone",
      [ws],
    );
    expect(rows.map((r) => r.name)).toEqual(phones.map((p) => `Cut off ${p}`));
  });

  test('a server that cannot be reached counts as offline even when the platform says online', async () => {
    const a = await device();
    const ws = await signIn(a, user.email, user.password);
    a.network.setServerReachable(false);
    await a.services.contacts.add({ phone: '+44 7400 450001', name: 'Unreachable' });
    await eventually(a.services.online, (online) => !online);
    expect(a.services.sync.state()).toBe('offline');
    expect(a.services.sync.pending()).toBe(1);

    // The replication keeps retrying (with backoff); the first answer brings it back.
    a.network.setServerReachable(true);
    await eventually(a.services.sync.pending, (n) => n === 0);
    expect(a.services.online()).toBe(true);
    await eventually(a.services.sync.state, (state) => state === 'idle');
    expect(
      await serverRows('select 1 from public.contacts where workspace_id = $1 and phone = $2', [
        ws,
        '+447400450001',
      ]),
    ).toHaveLength(1);
  });

  test('a plain sign-out offline keeps unpushed edits on this device; they push at the next sign-in here', async () => {
    const a = await device();
    const ws = await signIn(a, user.email, user.password);
    a.network.set(false);
    await a.services.contacts.add({ phone: '+44 7400 500002', name: 'Kept Kim' });
    await eventually(a.services.sync.pending, (n) => n === 1);
    expect(await a.services.signOut()).toEqual({ signedOut: true, unsynced: 1, queued: 0 });
    expect(a.services.session()).toEqual({ status: 'signed-out' });
    expect(
      await serverRows('select 1 from public.contacts where workspace_id = $1 and phone = $2', [
        ws,
        '+447400500002',
      ]),
    ).toHaveLength(0);

    a.network.set(true);
    await signIn(a, user.email, user.password);
    await eventually(a.services.sync.pending, (n) => n === 0);
    expect(
      await serverRows('select 1 from public.contacts where workspace_id = $1 and phone = $2', [
        ws,
        '+447400500002',
      ]),
    ).toHaveLength(1);
  });

  test('removing the data at sign-out asks first when unpushed edits would be lost; online it pushes, then removes', async () => {
    const a = await device();
    const ws = await signIn(a, user.email, user.password);
    a.network.set(false);
    await a.services.contacts.add({ phone: '+44 7400 500001', name: 'Flo' });
    await eventually(a.services.sync.pending, (n) => n === 1);
    expect(await a.services.signOut({ removeData: true })).toEqual({
      signedOut: false,
      unsynced: 1,
      queued: 0,
    });
    expect(a.services.session().status).toBe('signed-in');

    a.network.set(true);
    expect(await a.services.signOut({ removeData: true })).toEqual({
      signedOut: true,
      unsynced: 0,
      queued: 0,
    });
    expect(a.services.session()).toEqual({ status: 'signed-out' });
    const rows = await serverRows('select 1 from public.contacts where workspace_id = $1 and phone = $2', [
      ws,
      '+447400500001',
    ]);
    expect(rows).toHaveLength(1);
  });

  test('removing the data with discardWaiting drops what could not be pushed', async () => {
    const a = await device();
    await signIn(a, user.email, user.password);
    a.network.set(false);
    await a.services.templates.add({ name: 'Never sent', body: 'x', language: 'en', category: 'marketing' });
    expect(await a.services.signOut({ removeData: true, discardWaiting: true })).toEqual({
      signedOut: true,
      unsynced: 1,
      queued: 0,
    });
    expect(a.services.session().status).toBe('signed-out');
    a.network.set(true);
    // Signing in again starts from the server: the discarded template is nowhere.
    await signIn(a, user.email, user.password);
    const templates = a.watch(() => a.services.templates.list());
    await a.services.sync.syncNow();
    expect(templates().some((t) => t.name === 'Never sent')).toBe(false);
    expect(await serverRows("select 1 from public.templates where name = 'Never sent'", [])).toHaveLength(0);
  });

  test('signing in as another user on the same device shows nothing of the first', async () => {
    const a = await device();
    await signIn(a, user.email, user.password);
    const count = a.watch(() => a.services.contacts.count());
    await a.services.contacts.add({ phone: '+44 7400 600001', name: 'Gus' });
    await eventually(count, (n) => (n ?? 0) > 0);
    expect((await a.services.signOut()).signedOut).toBe(true);
    expect(count()).toBe(0);

    const otherWs = await signIn(a, stranger.email, stranger.password);
    await a.services.sync.syncNow();
    expect(a.services.workspaces().map((w) => w.id)).toEqual([otherWs]);
    expect(count()).toBe(0);
    expect(a.watch(() => a.services.contacts.list(() => ''))()).toEqual([]);
  });
});

describe('workspaces', () => {
  test('switching workspace replicates the other one; the first keeps its own data', async () => {
    const owner2 = await backend.user();
    const ownerDevice = await device();
    const ws2 = await signIn(ownerDevice, owner2.email, owner2.password);
    await ownerDevice.services.contacts.add({ phone: '+44 7400 700001', name: 'In workspace two' });
    await eventually(ownerDevice.services.sync.pending, (n) => n === 0);

    const a = await device();
    const ws1 = await signIn(a, user.email, user.password);
    const invited = await ownerDevice.services.team.invite(user.email, 'agent');
    expect(invited).toEqual({ ok: true, value: 'invited' });
    expect(await a.services.team.accept(await inviteToken(user.email))).toEqual({ ok: true, value: ws2 });
    // The membership arrives live, and with it the workspace.
    await eventually(a.services.workspaces, (list) => list.length === 2);
    expect(a.services.workspace()?.id).toBe(ws1);

    const list = a.watch(() => a.services.contacts.list(() => ''));
    await a.services.switchWorkspace(ws2);
    expect(a.services.workspace()?.id).toBe(ws2);
    expect(a.services.role()).toBe('agent');
    await eventually(list, (l) => l.length === 1);
    expect(list().map((c) => c.name)).toEqual(['In workspace two']);

    const added = await a.services.contacts.add({ phone: '+44 7400 700002', name: 'Added by the agent' });
    if (!added.ok) throw new Error(added.error);
    expect(added.value.workspace_id).toBe(ws2);
    const onOwner = ownerDevice.watch(() => ownerDevice.services.contacts.list(() => ''));
    await eventually(onOwner, (l) => l.length === 2);
    // An agent cannot invite.
    const refused = await a.services.team.invite('someone@example.test', 'agent');
    expect(refused.ok).toBe(false);

    await a.services.switchWorkspace(ws1);
    await eventually(list, (l) => l.every((c) => c.workspace_id === ws1));
    expect(list().some((c) => c.name === 'Added by the agent')).toBe(false);
  });

  test("signing up names the new workspace; accepting the mailed invite adds the inviter's workspace too", async () => {
    const inviter = await backend.user();
    const inviterDevice = await device();
    const invitersWs = await signIn(inviterDevice, inviter.email, inviter.password);
    const email = `new-${Date.now()}@example.test`;
    expect(await inviterDevice.services.team.invite(email, 'admin')).toEqual({ ok: true, value: 'invited' });

    const fresh = await device();
    expect(await fresh.services.signUp(email, 'a long enough password', '  Acme Ltd ')).toEqual({
      ok: true,
      value: undefined,
    });
    expect(fresh.services.session()).toMatchObject({ status: 'signed-in', user: { email } });
    expect((await fresh.services.team.accept(await inviteToken(email))).ok).toBe(true);
    const workspaces = await eventually(fresh.services.workspaces, (list) => list.length === 2);
    const own = workspaces.find((w) => w.id !== invitersWs);
    expect(own?.name).toBe('Acme Ltd');
    await fresh.services.switchWorkspace(own!.id);
    expect(fresh.services.role()).toBe('owner');
    await fresh.services.switchWorkspace(invitersWs);
    expect(fresh.services.role()).toBe('admin');
  });

  test('edits left in another workspace are pushed at sign-out', async () => {
    const owner3 = await backend.user();
    const ownerDevice = await device();
    const ws3 = await signIn(ownerDevice, owner3.email, owner3.password);
    const member = await backend.user();
    expect((await ownerDevice.services.team.invite(member.email, 'agent')).ok).toBe(true);
    await ownerDevice.close();

    const a = await device();
    const own = await signIn(a, member.email, member.password);
    expect((await a.services.team.accept(await inviteToken(member.email))).ok).toBe(true);
    await eventually(a.services.workspaces, (list) => list.length === 2);
    // Offline: an edit in the own workspace, then a switch (nothing can be pushed first).
    a.network.set(false);
    await a.services.contacts.add({ phone: '+44 7400 990001', name: 'Left behind' });
    await a.services.switchWorkspace(ws3);
    expect(a.services.workspace()?.id).toBe(ws3);
    await eventually(a.services.sync.pending, (n) => n === 1);

    a.network.set(true);
    expect(await a.services.signOut()).toEqual({ signedOut: true, unsynced: 0, queued: 0 });
    expect(
      await serverRows('select 1 from public.contacts where workspace_id = $1 and phone = $2', [
        own,
        '+447400990001',
      ]),
    ).toHaveLength(1);
  });
});
