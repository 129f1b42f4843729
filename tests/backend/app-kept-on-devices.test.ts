// Consent-gated sync as the app runs it (issue 16): while a workspace keeps contacts and
// templates on its members' devices, a device creates and edits them locally and pushes
// neither (the server never stores one) while its other collections keep syncing both ways;
// a campaign to those contacts still goes out (the launch commands carry what it needs); once
// an owner turns it off, everything kept reaches the server and the other devices.
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { type Device, eventually, openDevice, serverSends, signIn } from './app-devices.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

let backend: Backend;
let user: TestUser;
let channelId: string;
const devices: Device[] = [];

beforeAll(async () => {
  backend = await startBackend({
    simulator: { delays: { sent: 20, delivered: null, read: null, reply: null } },
    outboxTimer: { intervalMs: 100 },
  });
  user = await backend.user();
  const [row] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute)
     select workspace_id, 'Simulator', 'simulator', 6000 from public.workspace_members where user_id = $1
     returning id`,
    [user.id],
  );
  channelId = row!.id;
});
afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});
afterAll(() => backend?.close());

async function device(): Promise<{ d: Device; ws: string }> {
  const d = await openDevice(backend);
  devices.push(d);
  return { d, ws: await signIn(d, user.email, user.password) };
}

const onServer = async (table: 'contacts' | 'templates' | 'contact_groups', id: string) =>
  (await backend.db.query(`select id from public.${table} where id = $1`, [id])).length === 1;

test('kept on devices: nothing pushed, campaigns still sent; turned off: everything arrives', async () => {
  const { d: a } = await device();
  const { d: b } = await device();
  expect(a.services.workspace()?.contacts_local_only).toBeFalsy();

  expect(await a.services.workspaceSettings.keepOnDevices(true)).toEqual({ ok: true, value: undefined });
  await eventually(
    () => a.services.workspace()?.contacts_local_only,
    (on) => on === true,
  );
  await eventually(
    () => b.services.workspace()?.contacts_local_only,
    (on) => on === true,
  );

  const contact = await a.services.contacts.add({ phone: '+44 7400 555001', name: 'Private Pat' });
  if (!contact.ok) throw new Error(contact.error);
  const template = await a.services.templates.add({
    name: 'Kept',
    body: 'Hello {{first_name}}, see you soon',
    language: 'en',
    category: 'utility',
  });
  if (!template.ok) throw new Error(template.error);
  // Groups still sync: once this group is on the server, the contact and template would be too.
  const group = await a.services.groups.add({ name: 'Synced group', color: '#3b82f6' });
  if (!group.ok) throw new Error(group.error);
  await eventually(
    () => onServer('contact_groups', group.value.id),
    (there) => there,
  );
  const edited = await a.services.contacts.update(contact.value.id, { name: 'Private Patricia' });
  expect(edited.ok).toBe(true);
  await a.services.sync.syncNow();
  // Kept edits wait for nothing: the count of changes waiting to sync leaves them out.
  await eventually(
    () => a.services.sync.pending(),
    (n) => n === 0,
  );
  expect(await onServer('contacts', contact.value.id)).toBe(false);
  expect(await onServer('templates', template.value.id)).toBe(false);
  // Removing this device's data would lose them: the sign-out asks first.
  expect(await a.services.signOut({ removeData: true })).toMatchObject({ signedOut: false, unsynced: 2 });
  // Pulls go on: the other device gets the group, never the contact.
  const groupsOnB = b.watch(() => b.services.groups.list());
  await eventually(groupsOnB, (list) => list.some((g) => g.id === group.value.id));
  expect(b.watch(() => b.services.contacts.get(() => contact.value.id))()).toBeUndefined();

  // A campaign to the kept contact: the launch commands carry its phone, name and text.
  const campaign = await a.services.campaigns.createDraft({
    name: 'To kept contacts',
    channel_id: channelId,
    body: template.value.body,
    contact_ids: [contact.value.id],
  });
  if (!campaign.ok) throw new Error(campaign.error);
  expect(await a.services.campaigns.launch(campaign.value.id)).toEqual({
    ok: true,
    value: { status: 'sent', messages: 1 },
  });
  // Read with the server's state of the send, so that a send that never comes says why.
  await eventually(
    () => serverSends(backend, '447400555001'),
    (state) => state.simulator.length === 1,
    20_000,
  );
  expect(backend.simulator!.sends().find((s) => s.to === '447400555001')?.body).toBe(
    'Hello Private, see you soon',
  );
  expect(await onServer('contacts', contact.value.id)).toBe(false);

  // Off: this device pushes what it kept, edits included, and the other device gets it.
  expect(await a.services.workspaceSettings.keepOnDevices(false)).toEqual({ ok: true, value: undefined });
  await eventually(
    () =>
      backend.db.query<{ name: string }>('select name from public.contacts where id = $1', [
        contact.value.id,
      ]),
    (rows) => rows[0]?.name === 'Private Patricia',
    20_000,
  );
  await eventually(
    () => onServer('templates', template.value.id),
    (there) => there,
  );
  const contactsOnB = b.watch(() => b.services.contacts.list(() => ''));
  await eventually(contactsOnB, (list) => list.some((c) => c.id === contact.value.id));
});

test('an agent cannot turn it on: the server refuses, and the reason is shown', async () => {
  const agent = await backend.user();
  const [m] = await backend.db.query<{ workspace_id: string }>(
    `select workspace_id from public.workspace_members where user_id = $1`,
    [user.id],
  );
  await backend.db.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`,
    [m!.workspace_id, agent.id],
  );
  const d = await openDevice(backend);
  devices.push(d);
  await signIn(d, agent.email, agent.password);
  await d.services.switchWorkspace(m!.workspace_id);
  await eventually(
    () => d.services.role(),
    (role) => role === 'agent',
  );
  expect(await d.services.workspaceSettings.keepOnDevices(true)).toEqual({
    ok: false,
    error: 'only owners and admins of a workspace may choose where its contacts and templates are kept',
  });
});
