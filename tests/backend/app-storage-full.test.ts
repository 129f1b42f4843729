// Issue 16, storage: when the device's storage is full, IndexedDB refuses a write with a
// QuotaExceededError and aborts its transaction whole. The app stops that write cleanly: the
// user is told (services.storage.full and a clear error naming the cause), the refused edit is
// not half-saved, what was saved before stays (and still syncs), and once space is freed the
// same edit goes through. The device's disk here refuses contact writes on demand with the
// browser's own error (a DOMException named QuotaExceededError), before writing anything, as
// IndexedDB does. (Chromium's DevTools quota override, Storage.overrideQuotaForOrigin, is
// reported active but did not make IndexedDB refuse a 5 MB write in Chromium 156, so the
// browser itself could not be filled in a test.)
import type { RxStorage } from 'rxdb';
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
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

/** A disk whose contact writes IndexedDB refuses while `full` is set. */
function fillableDisk() {
  const disk = {
    full: false,
    wrap(storage: RxStorage<unknown, unknown>): RxStorage<unknown, unknown> {
      return {
        ...storage,
        async createStorageInstance(params) {
          const instance = await storage.createStorageInstance(params);
          if (params.collectionName !== 'contacts') return instance;
          const write = instance.bulkWrite.bind(instance);
          instance.bulkWrite = async (rows, context) => {
            if (disk.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
            return write(rows, context);
          };
          return instance;
        },
      };
    },
  };
  return disk;
}

test('a full device refuses an edit cleanly: told once, nothing half-saved, what was saved stays; after freeing space it saves', async () => {
  const disk = fillableDisk();
  const a = await openDevice(backend, { wrapStorage: (s) => disk.wrap(s) });
  devices.push(a);
  const ws = await signIn(a, user.email, user.password);
  const list = a.watch(() => a.services.contacts.list(() => ''));
  const full = a.watch(() => a.services.storage.full);
  const kept = await a.services.contacts.add({ phone: '+44 7400 880001', name: 'Kept Kay' });
  if (!kept.ok) throw new Error(kept.error);
  await eventually(a.services.sync.pending, (n) => n === 0);

  disk.full = true;
  await expect(a.services.contacts.add({ phone: '+44 7400 880002', name: 'Refused Rae' })).rejects.toThrow(
    /storage is full, so the change was not saved here\. Everything saved before is kept/,
  );
  expect(full()).toBe(true);
  await expect(a.services.contacts.update(kept.value.id, { name: 'Renamed Kay' })).rejects.toThrow(
    /storage is full/,
  );
  // Nothing of the refused writes, everything of before.
  expect(list().map((c) => c.name)).toEqual(['Kept Kay']);
  expect(a.services.sync.pending()).toBe(0);

  disk.full = false;
  a.services.storage.tryAgain();
  expect(full()).toBe(false);
  const later = await a.services.contacts.add({ phone: '+44 7400 880002', name: 'Refused Rae' });
  expect(later.ok).toBe(true);
  await eventually(a.services.sync.pending, (n) => n === 0);
  const rows = await backend.db.query<{ name: string }>(
    'select name from public.contacts where workspace_id = $1 order by name',
    [ws],
  );
  expect(rows.map((r) => r.name)).toEqual(['Kept Kay', 'Refused Rae']);
});
