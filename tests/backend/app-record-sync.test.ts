// Per-record sync state end to end (issue 16), with two Node devices of one user against the
// local stack: a record waits while offline; the same field edited on both devices offline
// leaves the device whose edit lost with "changed on another device" (both values) and its
// choice reaches the other device; edits of different fields merge with nothing to tell; an
// edit made after a delete elsewhere brings the record back and says so; a row the server
// refuses carries the server's reason until a push of it is written.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { type Device, eventually, openDevice, signIn } from './app-devices.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

let backend: Backend;
let user: TestUser;
const devices: Device[] = [];

beforeAll(async () => {
  backend = await startBackend();
  user = await backend.user();
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

afterAll(() => backend?.close());

async function device(): Promise<Device> {
  const d = await openDevice(backend);
  devices.push(d);
  return d;
}

/** Two devices of the user, both holding a contact A added: its id and how each sees it. */
async function sharedContact(phone: string, name: string) {
  const a = await device();
  const b = await device();
  await signIn(a, user.email, user.password);
  await signIn(b, user.email, user.password);
  const created = await a.services.contacts.add({ phone, name });
  if (!created.ok) throw new Error(created.error);
  const id = created.value.id;
  const onA = a.watch(() => a.services.contacts.get(() => id));
  const onB = b.watch(() => b.services.contacts.get(() => id));
  await eventually(onB, (c) => c !== undefined);
  const markA = a.watch(() => a.services.recordSync.mark('contacts', () => id));
  const markB = b.watch(() => b.services.recordSync.mark('contacts', () => id));
  return { a, b, id, onA, onB, markA, markB };
}

describe('per-record sync state', () => {
  test('offline edits of the same field: the losing device is told, with both values, and its choice reaches the other', async () => {
    const { a, b, id, onA, onB, markA, markB } = await sharedContact('+44 7400 300001', 'Cy');
    const statesA = a.watch(() => a.services.recordSync.states('contacts'));
    await eventually(markA, (m) => m.state === 'synced');

    a.network.set(false);
    b.network.set(false);
    // A edits first, so B's later edit of the name wins the merge; the other fields differ.
    expect((await a.services.contacts.update(id, { name: 'Cy from A', notes: 'met at the fair' })).ok).toBe(
      true,
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await b.services.contacts.update(id, { name: 'Cy from B', email: 'cy@example.com' })).ok).toBe(
      true,
    );
    expect((await eventually(markA, (m) => m.state === 'pending')).conflicts).toEqual([]);
    expect(statesA().get(id)).toBe('pending');
    // The sync panel counts it per collection.
    await eventually(a.services.diagnostics.pending, (p) => p.contacts === 1);
    const facts = await a.services.diagnostics.collections();
    expect(facts.find((c) => c.table === 'contacts')).toMatchObject({ local: 1, pending: 1 });
    expect(facts.find((c) => c.table === 'messages')).not.toHaveProperty('pending');

    b.network.set(true);
    await eventually(markB, (m) => m.state === 'synced');
    a.network.set(true);
    const told = await eventually(markA, (m) => m.state === 'conflict');
    expect(told.conflicts).toEqual([
      { field: 'name', mine: 'Cy from A', theirs: 'Cy from B', kept: 'theirs', at: expect.any(String) },
    ]);
    await eventually(
      onA,
      (c) => c?.name === 'Cy from B' && c.notes === 'met at the fair' && c.email === 'cy@example.com',
    );
    expect(statesA().get(id)).toBe('conflict');
    // The merge is in A's sync events, naming the fields the two versions disagreed on.
    const merged = a.services.diagnostics.events().filter((e) => e.kind === 'conflict');
    expect(merged).toEqual([
      expect.objectContaining({
        table: 'contacts',
        detail: `record ${id.slice(0, 8)} merged with the server's version · email, name, notes`,
      }),
    ]);
    // The merged version is pushed like any edit, and then nothing waits.
    await eventually(a.services.diagnostics.pending, (p) => (p.contacts ?? 0) === 0);
    // The winning device merged nothing: it has nothing to tell.
    await eventually(onB, (c) => c?.notes === 'met at the fair');
    expect(markB()).toEqual({ state: 'synced', conflicts: [] });

    expect(await a.services.recordSync.keep('contacts', id, 'name', 'mine')).toEqual({
      ok: true,
      value: undefined,
    });
    await eventually(onB, (c) => c?.name === 'Cy from A');
    await eventually(markA, (m) => m.state === 'synced');
    const [row] = await backend.db.query<{ name: string; email: string; notes: string }>(
      'select name, email, notes from public.contacts where id = $1',
      [id],
    );
    expect(row).toEqual({ name: 'Cy from A', email: 'cy@example.com', notes: 'met at the fair' });
  });

  test('deleted on one device, edited later on another: the edit brings it back and that device is told', async () => {
    const { a, b, id, onA, markB } = await sharedContact('+44 7400 300002', 'Di');

    a.network.set(false);
    b.network.set(false);
    expect((await a.services.contacts.remove(id)).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await b.services.contacts.update(id, { notes: 'still a customer' })).ok).toBe(true);
    a.network.set(true);
    await eventually(a.services.sync.pending, (n) => n === 0);
    b.network.set(true);

    const told = await eventually(markB, (m) => m.restored !== undefined);
    expect(told).toMatchObject({ state: 'conflict', restored: { deletedHere: false }, conflicts: [] });
    await eventually(onA, (c) => c?.notes === 'still a customer');
    await b.services.recordSync.dismissRestored('contacts', id);
    await eventually(markB, (m) => m.state === 'synced');
  });

  test('a template the server refuses shows its reason until a push of it is written', async () => {
    const a = await device();
    const ws = await signIn(a, user.email, user.password);
    const [channel] = await backend.db.query<{ id: string }>(
      `insert into public.channels (workspace_id, name, provider) values ($1, 'Meta line', 'simulator') returning id`,
      [ws],
    );
    const [template] = await backend.db.query<{ id: string }>(
      `insert into public.templates (workspace_id, name, body, provider, channel_id, provider_template_id, provider_status)
       values ($1, 'order_update', 'Your order {{1}} shipped', 'meta', $2, 'meta-1', 'APPROVED') returning id`,
      [ws, channel!.id],
    );
    const id = template!.id;
    const list = a.watch(() => a.services.templates.list());
    await eventually(list, (l) => l.some((t) => t.id === id));
    const mark = a.watch(() => a.services.recordSync.mark('templates', () => id));
    const states = a.watch(() => a.services.recordSync.states('templates'));

    expect((await a.services.templates.update(id, { body: 'Your order {{1}} is on its way' })).ok).toBe(true);
    const refused = await eventually(mark, (m) => m.state === 'error');
    expect(refused.error).toMatch(/templates from Meta are changed by a template sync only/);
    expect(states().get(id)).toBe('error');

    // The template stops being Meta's on the server: a retry is written, and the mark goes.
    await backend.db.query('update public.templates set provider = null, channel_id = null where id = $1', [
      id,
    ]);
    expect((await a.services.recordSync.retry('templates', id)).ok).toBe(true);
    await eventually(mark, (m) => m.state === 'synced', 15_000);
    expect(states().has(id)).toBe(false);
  });
});
