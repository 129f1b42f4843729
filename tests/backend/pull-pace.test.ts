// Pull back-pressure (src/sync/pull-pace.ts): RxDB's resync fetches pages ahead of storing
// them and stores whatever piled up in one write. With storage as slow as the browser's
// IndexedDB, a device pulling a large workspace must still store one page per write, since
// each write is one main-thread task in the app.
import type { RxStorage } from 'rxdb';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { type Device, eventually, openDevice, signIn } from './app-devices.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

// PULL_BATCH in src/sync/replication.ts.
const PAGE = 2500;
const ROWS = 4 * PAGE;

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

/** Delays each write the replication makes to contacts, and records its size. */
function slowContactWrites(delayMs: number, sizes: number[]) {
  return (storage: RxStorage<unknown, unknown>): RxStorage<unknown, unknown> => ({
    ...storage,
    async createStorageInstance(params) {
      const instance = await storage.createStorageInstance(params);
      if (params.collectionName !== 'contacts') return instance;
      const write = instance.bulkWrite.bind(instance);
      instance.bulkWrite = async (rows, context) => {
        if (context.includes('downstream')) {
          sizes.push(rows.length);
          await new Promise((resolve) => setTimeout(resolve, delayMs));
        }
        return write(rows, context);
      };
      return instance;
    },
  });
}

test(`a device pulling ${ROWS} contacts through slow storage stores them a page at a time`, async () => {
  const [member] = await backend.db.query<{ workspace_id: string }>(
    `select m.workspace_id from public.workspace_members m join auth.users u on u.id = m.user_id
     where u.email = $1`,
    [user.email],
  );
  await backend.db.query(
    `insert into public.contacts (workspace_id, phone, name, updated_at)
     select $1, '+1555' || lpad(n::text, 7, '0'), 'Contact ' || n, now()
     from generate_series(1, $2::int) n`,
    [member!.workspace_id, ROWS],
  );
  const sizes: number[] = [];
  // Slower than a page takes to fetch, so pages would pile up without back-pressure.
  device = await openDevice(backend, { wrapStorage: slowContactWrites(1500, sizes) });
  await signIn(device, user.email, user.password);
  const count = device.watch(() => device!.services.contacts.count());
  await eventually(count, (n) => n === ROWS, 120_000);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(ROWS);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(PAGE);
}, 180_000);
