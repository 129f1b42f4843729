// Writes per row: two devices of one user (createPigeonServices against the local stack), each
// with its RxDB storage counting the documents written per collection. A device writes each
// row it adds or edits once, the other device writes it once when it pulls it, and the pushing
// device's own rows coming back (realtime, then pull) are not written again, nor pulled.
import type { RxStorage, RxStorageInstanceCreationParams } from 'rxdb';
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { type Device, eventually, Network, openDevice, signIn } from './app-devices.ts';
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

/** Documents written per collection (RxDB's replication state is in `rx-replication-meta-*`). */
class WriteCounter {
  readonly written = new Map<string, number>();

  wrap(storage: RxStorage<unknown, unknown>): RxStorage<unknown, unknown> {
    return {
      ...storage,
      createStorageInstance: async <D>(params: RxStorageInstanceCreationParams<D, unknown>) => {
        const instance = await storage.createStorageInstance(params);
        const bulkWrite = instance.bulkWrite.bind(instance);
        instance.bulkWrite = (rows, context) => {
          const name = params.collectionName;
          this.written.set(name, (this.written.get(name) ?? 0) + rows.length);
          return bulkWrite(rows, context);
        };
        return instance;
      },
    };
  }

  of(name: string): number {
    return this.written.get(name) ?? 0;
  }

  total(): number {
    return [...this.written.values()].reduce((n, w) => n + w, 0);
  }

  meta(): number {
    return [...this.written]
      .filter(([name]) => name.startsWith('rx-replication-meta'))
      .reduce((n, [, w]) => n + w, 0);
  }

  reset(): void {
    this.written.clear();
  }
}

/** A network that counts the pulls of each table. */
function countingNetwork(): { network: Network; pulls: Map<string, number> } {
  const network = new Network();
  const pulls = new Map<string, number>();
  const inner = network.fetch;
  Object.assign(network, {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).includes('/rpc/pull_rows') && typeof init?.body === 'string') {
        const table = String((JSON.parse(init.body) as { p_table?: unknown }).p_table);
        pulls.set(table, (pulls.get(table) ?? 0) + 1);
      }
      return inner(input, init);
    },
  });
  return { network, pulls };
}

async function device(counter: WriteCounter, network: Network): Promise<Device> {
  const d = await openDevice(backend, { network, wrapStorage: (s) => counter.wrap(s) });
  devices.push(d);
  return d;
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('each added or edited row is written once on the device that made it and once on the other; its echo is neither written nor pulled', async () => {
  const N = 30;
  const onA = new WriteCounter();
  const onB = new WriteCounter();
  const a = countingNetwork();
  const deviceA = await device(onA, a.network);
  const deviceB = await device(onB, new Network());
  /** The contact documents each device wrote, A's replication state and A's pulls, since the reset. */
  function expectOneWritePerRow(what: string): void {
    const figures = {
      a: onA.of('contacts'),
      b: onB.of('contacts'),
      aMeta: onA.meta(),
      aTotal: onA.total(),
      aPulls: a.pulls.get('contacts') ?? 0,
    };
    console.info(`writes per row, ${N} ${what}:`, figures);
    expect(figures).toMatchObject({ a: N, b: N, aPulls: 0 });
  }
  await signIn(deviceA, user.email, user.password);
  await signIn(deviceB, user.email, user.password);
  const listB = deviceB.watch(() => deviceB.services.contacts.list(() => '+4474006'));
  await eventually(deviceA.services.sync.state, (s) => s === 'idle');
  await eventually(deviceB.services.sync.state, (s) => s === 'idle');
  await settle(500);
  onA.reset();
  onB.reset();
  a.pulls.clear();

  // Adds on A.
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const added = await deviceA.services.contacts.add({
      phone: `+44 7400 6${String(i).padStart(5, '0')}`,
      name: `Row ${i}`,
    });
    if (!added.ok) throw new Error(added.error);
    ids.push(added.value.id);
  }
  await eventually(deviceA.services.sync.pending, (n) => n === 0);
  await eventually(listB, (l) => l.length === N);
  // Realtime echoes and any pull they would cause have time to arrive.
  await settle(1500);
  expectOneWritePerRow('adds');

  // Edits on A: each pushed with the version its add's push returned (a wrong one would
  // conflict, and the merge would write the row again).
  onA.reset();
  onB.reset();
  a.pulls.clear();
  for (const [i, id] of ids.entries()) {
    const edited = await deviceA.services.contacts.update(id, { name: `Row ${i} edited` });
    if (!edited.ok) throw new Error(edited.error);
  }
  await eventually(deviceA.services.sync.pending, (n) => n === 0);
  await eventually(listB, (l) => l.length === N && l.every((c) => c.name.endsWith('edited')));
  await settle(1500);
  expectOneWritePerRow('edits');
  const rows = await backend.db.query<{ name: string }>(
    'select name from public.contacts where id = any($1) order by name',
    [ids],
  );
  expect(rows.every((r) => r.name.endsWith('edited'))).toBe(true);
  expect(rows).toHaveLength(N);
});
