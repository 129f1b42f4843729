// PostgreSQL only (writers interleave): a change announced by realtime while some other
// transaction of the database is still writing is held back by the pull (its commit horizon).
// That announcement was the change's only one: the device must pull again once the writer is
// done, not keep the old row until something else happens to change (found as a message
// stuck at 'sending' in app-messages on PostgreSQL under CI load: a webhook, a claim or the
// realtime queue was the other writer).
import pg from 'pg';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { type Device, eventually, openDevice, signIn } from './app-devices.ts';
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

test('a change pulled while another writer runs arrives once that writer is done, with no further change', async () => {
  device = await openDevice(backend);
  await signIn(device, user.email, user.password);
  const added = await device.services.contacts.add({ phone: '+447400720001', name: 'First name' });
  const id = added.ok ? added.value.id : '';
  await eventually(
    () => backend.db.query('select 1 from public.contacts where id = $1', [id]),
    (rows) => rows.length === 1,
    15_000,
  );
  const contact = device.watch(() => device!.services.contacts.get(() => id));

  // A writer with nothing to do with contacts, open across the change.
  const writer = new pg.Client({ connectionString: backend.databaseUrl });
  await writer.connect();
  try {
    await writer.query('begin');
    await writer.query('select pg_current_xact_id()');
    await backend.db.query(`update public.contacts set name = 'Renamed on the server' where id = $1`, [id]);
    // Realtime announced it and the device pulled: held back, it is not here yet.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(contact()?.name).toBe('First name');
    await writer.query('commit');
  } finally {
    await writer.end();
  }
  await eventually(contact, (c) => c?.name === 'Renamed on the server', 5_000);
});
