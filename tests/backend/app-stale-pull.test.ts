// A pull the server answered before this device's push, stored after it (found by the fuzz
// test, tests/backend/app-fuzz.test.ts, seed 10 on PostgreSQL). The server inserts a contact;
// realtime wakes the device's pull, whose answer (the server's first version) is held back;
// meanwhile the device adds the same phone, its push conflicts, the merge is pushed. Then the
// held page is stored: RxDB took it for the server's newest state and wrote it over the merge,
// and the merge's realtime event was this device's own echo and woke no pull, so the device
// kept the server's first version for good while the server held the merged row.
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { type Device, eventually, holdingNetwork, openDevice, signIn } from './app-devices.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

let backend: Backend;
let user: TestUser;
let device: Device | undefined;

beforeAll(async () => {
  backend = await startBackend();
  user = await backend.user();
});

afterAll(async () => {
  await device?.close();
  await backend?.close();
});

test("a pull answered before this device's push and stored after it does not leave the device on the older row", async () => {
  const { network, holdNext } = holdingNetwork();
  device = await openDevice(backend, { network });
  const workspaceId = await signIn(device, user.email, user.password);
  await eventually(device.services.sync.state, (s) => s === 'idle');
  const phone = '+447400900101';
  const id = contactId(workspaceId, phone);
  const onDevice = device.watch(() => device!.services.contacts.get(() => id));

  const pull = holdNext('pull_rows', 'contacts');
  await backend.db.query(
    `insert into public.contacts (id, workspace_id, phone, name, updated_at)
     values ($1, $2, $3, 'From the server', '2026-01-01T00:00:00.000Z')`,
    [id, workspaceId, phone],
  );
  // Realtime woke a pull; the server answered with its first version, held back here.
  await pull.answered;
  const added = await device.services.contacts.add({ phone, name: 'From the device' });
  expect(added.ok && !added.existing).toBe(true);
  // The add's push met the server's row, the merge (the newer name) went up.
  await eventually(
    () => backend.db.query<{ name: string }>('select name from public.contacts where id = $1', [id]),
    (rows) => rows[0]?.name === 'From the device',
  );
  await eventually(device.services.sync.pending, (n) => n === 0);
  pull.release();

  // The held page (the server's first version) is stored; the device must end on the merge.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await eventually(onDevice, (c) => c?.name === 'From the device', 5_000);
  const [server] = await backend.db.query<{ name: string }>(
    'select name from public.contacts where id = $1',
    [id],
  );
  expect(server?.name).toBe('From the device');
  expect(device.services.sync.pending()).toBe(0);
});
