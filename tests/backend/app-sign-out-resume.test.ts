// Signing out at once after a reload, while the resumed session is still opening the user's
// database (found by the fuzz test, tests/backend/app-fuzz.test.ts: a restart, then a
// sign-out). The sign-out used the space open when it was asked (none yet): the database the
// resume opened was left open, and the next sign-in on that device could not open it again
// (RxDB DB8), so it never got its workspace.
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
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

afterAll(async () => {
  await Promise.all(devices.map((d) => d.close()));
  await backend?.close();
});

test('a sign-out right after a reload closes the database the resumed session opened; signing in again works', async () => {
  const first = await openDevice(backend);
  devices.push(first);
  await signIn(first, user.email, user.password);
  await first.close();

  const reloaded = await openDevice(backend, { prefix: first.prefix, storage: first.storage });
  devices.push(reloaded);
  // The stored session is resumed at once; its database is still being opened.
  expect(reloaded.services.session().status).toBe('signed-in');
  const out = await reloaded.services.signOut();
  expect(out.signedOut).toBe(true);
  expect(reloaded.services.session().status).toBe('signed-out');

  const workspaceId = await signIn(reloaded, user.email, user.password);
  expect(workspaceId).toBeTruthy();
  const added = await reloaded.services.contacts.add({ phone: '+447400900303', name: 'After the reload' });
  expect(added.ok).toBe(true);
  await eventually(reloaded.services.sync.pending, (n) => n === 0);
});
