// A device stopped while a push of its was under way (found by the fuzz test,
// tests/backend/app-fuzz.test.ts, seed 216 on PGlite). The device creates a group; the server
// commits the push, but the device is closed (a reload) before the answer arrives. RxDB records
// what a push wrote (the base of the row's next three-way merge) only after the answer, and not
// at all once canceled: the reopened device deleted the group with no base, the merge fell back
// to newer-wins on every field, and the creation's name overwrote another device's later rename.
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { type Device, eventually, holdingNetwork, openDevice, signIn } from './app-devices.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

let backend: Backend;
let user: TestUser;
const devices: Device[] = [];

beforeAll(async () => {
  backend = await startBackend();
  user = await backend.user();
});

afterAll(async () => {
  for (const device of devices) await device.close();
  await backend?.close();
});

const serverRow = async (id: string) =>
  (
    await backend.db.query<{ name: string; _deleted: boolean }>(
      'select name, _deleted from public.contact_groups where id = $1',
      [id],
    )
  )[0];

test('a device closed while its push is under way keeps what the push wrote as the base of its next merge', async () => {
  const { network, holdNext } = holdingNetwork();
  const here = await openDevice(backend, { network });
  const other = await openDevice(backend);
  devices.push(here, other);
  await signIn(here, user.email, user.password);
  await signIn(other, user.email, user.password);
  await eventually(here.services.sync.state, (s) => s === 'idle');

  const push = holdNext('push_changes', 'contact_groups');
  const created = await here.services.groups.add({ name: 'Created here' });
  if (!created.ok) throw new Error(created.error);
  const { id } = created.value;
  // The server committed the creation; its answer is held back while the device closes.
  await push.answered;
  network.set(false);
  const closing = here.close();
  setTimeout(push.release, 200);
  await closing;

  // Reopened offline (a reload): the session resumes from this device's storage.
  const reopened = await openDevice(backend, { prefix: here.prefix, storage: here.storage, network });
  devices.push(reopened);
  await eventually(
    () => reopened.services.workspace(),
    (w) => w !== undefined,
  );

  // Meanwhile another device renames the group; then this one deletes it. The rename is the
  // only edit of the name after the creation, so it must stay.
  const onOther = other.watch(() => other.services.groups.list());
  await eventually(onOther, (groups) => groups.some((g) => g.id === id));
  const renamed = await other.services.groups.update(id, { name: 'Renamed elsewhere' });
  expect(renamed.ok).toBe(true);
  await eventually(
    () => serverRow(id),
    (row) => row?.name === 'Renamed elsewhere',
  );
  const removed = await reopened.services.groups.remove(id);
  expect(removed.ok).toBe(true);
  network.set(true);

  await eventually(
    () => serverRow(id),
    (row) => row?._deleted === true,
  );
  await eventually(reopened.services.sync.pending, (n) => n === 0);
  expect(await serverRow(id)).toEqual({ name: 'Renamed elsewhere', _deleted: true });
});
