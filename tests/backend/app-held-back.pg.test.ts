// PostgreSQL only (PGlite has one connection, so writers cannot interleave there). A row the
// pull held back behind the commit horizon (a transaction still writing started before it) is
// pulled once that writer is done, even when the writer's commit changes nothing the device
// watches (no realtime event comes of it): before, the device never got the row.
import pg from 'pg';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { type Device, eventually, Network, openDevice, signIn } from './app-devices.ts';
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

/** Counts the pulls of `table` the device makes. */
function countingNetwork(table: string): { network: Network; pulls: () => number } {
  const network = new Network();
  const inner = network.fetch;
  let pulls = 0;
  Object.assign(network, {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      if (
        String(input).includes('/rpc/pull_rows') &&
        typeof init?.body === 'string' &&
        (JSON.parse(init.body) as { p_table?: unknown }).p_table === table
      ) {
        pulls++;
      }
      return inner(input, init);
    },
  });
  return { network, pulls: () => pulls };
}

test('a row held back behind a writer that commits nothing visible is still pulled', async () => {
  const { network, pulls } = countingNetwork('contacts');
  device = await openDevice(backend, { network });
  const workspaceId = await signIn(device, user.email, user.password);
  await eventually(device.services.sync.state, (s) => s === 'idle');
  const phone = '+447400900202';
  const id = contactId(workspaceId, phone);
  const onDevice = device.watch(() => device!.services.contacts.get(() => id));

  // A writer that started first and is still open (as a push whose rows all conflicted is:
  // it locked them and writes nothing).
  const writer = new pg.Client({ connectionString: backend.databaseUrl });
  await writer.connect();
  try {
    await writer.query('begin');
    await writer.query('select pg_current_xact_id()');
    const before = pulls();
    await backend.db.query(
      `insert into public.contacts (id, workspace_id, phone, name) values ($1, $2, $3, 'Held back')`,
      [id, workspaceId, phone],
    );
    // Its realtime event woke a pull, which the open writer kept from returning the row.
    await eventually(pulls, (n) => n > before);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(onDevice()).toBeUndefined();
    await writer.query('commit');
  } finally {
    await writer.end();
  }
  await eventually(onDevice, (c) => c?.name === 'Held back', 5_000);
});
