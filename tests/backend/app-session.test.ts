// The session as the app keeps it (src/sync/session.ts), with access tokens that expire after
// 3 seconds: a refresh that fails for lack of network keeps the user signed in (also across an
// offline reload); a refresh the server refuses makes the session `expired`, keeping local data
// and unpushed edits until the user signs in again.
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { type Device, type DeviceOptions, eventually, openDevice, signIn } from './app-devices.ts';
import { type Backend, startBackend, type TestUser } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

const TOKEN_SECONDS = 3;
let backend: Backend;
let user: TestUser;
const devices: Device[] = [];

beforeAll(async () => {
  backend = await startBackend({ jwtExpiry: TOKEN_SECONDS });
  user = await backend.user();
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function onServer(ws: string, phone: string): Promise<boolean> {
  const rows = await backend.db.query(
    'select 1 from public.contacts where workspace_id = $1 and phone = $2',
    [ws, phone],
  );
  return rows.length === 1;
}

test('a refresh refused by the server: expired, local data and edits kept, signing in again resumes', async () => {
  // auth-js refreshes on every request while a token is this short-lived, and remembers a
  // failed refresh for a minute: no request may refresh between the revocation and the
  // token's end (so no realtime heartbeat either), or the refusal only comes a minute later.
  const a = await device({ realtime: { heartbeatIntervalMs: 60_000 } });
  const ws = await signIn(a, user.email, user.password);
  await a.services.contacts.add({ phone: '+44 7400 800001', name: 'Before expiry' });
  await eventually(a.services.sync.pending, (n) => n === 0);
  await a.services.sync.syncNow();
  await sleep(500);

  // The server forgets the session; once the access token has run out, the next request's
  // refresh is refused.
  await backend.db.query('delete from auth.sessions where user_id = $1', [user.id]);
  await sleep(TOKEN_SECONDS * 1000 + 500);
  await a.services.sync.syncNow();
  await eventually(a.services.session, (s) => s.status === 'expired');
  expect(a.services.session()).toEqual({ status: 'expired', user: { id: user.id, email: user.email } });

  const list = a.watch(() => a.services.contacts.list(() => ''));
  await eventually(list, (l) => l.some((c) => c.name === 'Before expiry'));
  const added = await a.services.contacts.add({ phone: '+44 7400 800002', name: 'While expired' });
  expect(added.ok).toBe(true);
  await eventually(a.services.sync.pending, (n) => n === 1);
  expect(await onServer(ws, '+447400800002')).toBe(false);

  // Signing in again (same user) opens the same database and pushes what waited.
  const again = await a.services.signIn(user.email, user.password);
  expect(again.ok).toBe(true);
  expect(a.services.session().status).toBe('signed-in');
  await eventually(a.services.sync.pending, (n) => n === 0);
  expect(await onServer(ws, '+447400800002')).toBe(true);
  expect(list().map((c) => c.name)).toEqual(['Before expiry', 'While expired']);
});

test('a refresh that fails for lack of network keeps the user signed in, also across an offline reload', async () => {
  const a = await device();
  const ws = await signIn(a, user.email, user.password);
  a.network.set(false);
  await sleep(TOKEN_SECONDS * 1000 + 500);

  // The push of this edit needs a fresh token, and the refresh cannot reach the server.
  await a.services.contacts.add({ phone: '+44 7400 900001', name: 'Offline, token expired' });
  await eventually(a.services.sync.pending, (n) => n === 1);
  for (let i = 0; i < 10; i++) {
    expect(a.services.session().status).toBe('signed-in');
    await sleep(200);
  }

  // Reload, still offline: signed in at once, with the local data and the pending edit.
  await a.close();
  const reloaded = await device({ prefix: a.prefix, storage: a.storage, network: a.network });
  expect(reloaded.services.session()).toEqual({
    status: 'signed-in',
    user: { id: user.id, email: user.email },
  });
  const list = reloaded.watch(() => reloaded.services.contacts.list(() => '900001'));
  await eventually(list, (l) => l.length === 1);
  await eventually(reloaded.services.sync.pending, (n) => n === 1);

  // Network back: the token is refreshed and the edit goes up.
  reloaded.network.set(true);
  await eventually(reloaded.services.sync.pending, (n) => n === 0, 20_000);
  expect(await onServer(ws, '+447400900001')).toBe(true);
  expect(reloaded.services.session().status).toBe('signed-in');
}, 90_000);
