// Simulated devices for the app tests: createPigeonServices in Node against the local stack,
// each with its own memory database, key-value storage and a network that can be cut.
//
// Each device runs in a module graph of its own (device-runtime.ts, loaded after
// vi.resetModules(); vitest.config.ts inlines rxdb so that it is loaded anew too), as each
// browser tab has its own realm. A device reopened with the same prefix (a reload) gets
// the same graph, where its memory database lives on.
//
// A test file using this must also run Solid's browser build (Solid's "node" export is its
// server renderer, which never re-runs computations):
//   vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));
import { randomUUID } from 'node:crypto';
import type { RxStorage } from 'rxdb';
import type { Accessor } from 'solid-js';
import { vi } from 'vitest';
import WebSocket from 'ws';
import type { PigeonServices } from '../../src/app/services.ts';
import type { PigeonDatabase } from '../../src/db/database.ts';
import type { NetworkEnvironment } from '../../src/sync/online.ts';
import { type KeyValueStorage, memoryStorage } from '../../src/sync/session.ts';
import type { Backend } from './harness.ts';

/**
 * A network that can be cut: the platform's online flag and events, and a fetch that fails
 * like a browser's does with no network. (The realtime socket stays up: it only announces
 * changes, and every pull and push goes through fetch.)
 */
export class Network implements NetworkEnvironment {
  private up = true;
  private serverReachable = true;
  private readonly listeners = new Set<(online: boolean) => void>();

  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
    this.up && this.serverReachable
      ? fetch(input, init)
      : Promise.reject(new TypeError('fetch failed: the network is down'));

  isOnline(): boolean {
    return this.up;
  }

  onChange(listener: (online: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The whole network: navigator.onLine, its events, and every request. */
  set(up: boolean): void {
    this.up = up;
    for (const listener of this.listeners) listener(up);
  }

  /** Only the server (dead Wi-Fi, server down): the platform still believes it is online. */
  setServerReachable(reachable: boolean): void {
    this.serverReachable = reachable;
  }
}

/**
 * A network that can hold back the answer of the next call of a sync RPC (`pull_rows`,
 * `push_changes`) for a table until released: the server has answered (and committed), the
 * device has not heard yet.
 */
export function holdingNetwork() {
  const network = new Network();
  const inner = network.fetch;
  let hold: { rpc: string; table: string; answered: () => void; released: Promise<void> } | undefined;
  Object.assign(network, {
    fetch: async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const mine = hold;
      const held =
        mine !== undefined &&
        String(input).includes(`/rpc/${mine.rpc}`) &&
        typeof init?.body === 'string' &&
        (JSON.parse(init.body) as { p_table?: unknown }).p_table === mine.table;
      if (held) hold = undefined;
      const response = await inner(input, init);
      if (held) {
        mine.answered();
        await mine.released;
      }
      return response;
    },
  });
  return {
    network,
    holdNext(
      rpc: 'pull_rows' | 'push_changes',
      table: string,
    ): { answered: Promise<void>; release: () => void } {
      let answered: () => void = () => {};
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const whenAnswered = new Promise<void>((resolve) => (answered = resolve));
      hold = { rpc, table, answered, released };
      return { answered: whenAnswered, release };
    },
  };
}

export interface Device {
  services: PigeonServices;
  network: Network;
  /** What survives a reload: the database prefix (memory databases outlive their instance) and storage. */
  prefix: string;
  storage: KeyValueStorage;
  /** Runs `fn` under a Solid root that lives until the device is closed (for list/get accessors). */
  watch<T>(fn: () => Accessor<T>): Accessor<T>;
  /** Opens the device's database of `userId` as the app would (e.g. to stage a crash). */
  openDatabase(userId: string): Promise<PigeonDatabase>;
  close(): Promise<void>;
}

type Runtime = typeof import('./device-runtime.ts');
const runtimes = new Map<string, Promise<Runtime>>();

function runtimeOf(prefix: string): Promise<Runtime> {
  let runtime = runtimes.get(prefix);
  if (!runtime) {
    vi.resetModules();
    runtime = import('./device-runtime.ts');
    runtimes.set(prefix, runtime);
  }
  return runtime;
}

export interface DeviceOptions {
  prefix?: string;
  storage?: KeyValueStorage;
  network?: Network;
  /** Realtime client settings on top of the ws transport, e.g. heartbeatIntervalMs. */
  realtime?: { heartbeatIntervalMs?: number };
  /** Wraps the device's RxDB storage (e.g. to make its writes as slow as IndexedDB's). */
  wrapStorage?: (storage: RxStorage<unknown, unknown>) => RxStorage<unknown, unknown>;
}

export async function openDevice(backend: Backend, opts: DeviceOptions = {}): Promise<Device> {
  const network = opts.network ?? new Network();
  const prefix = opts.prefix ?? `device-${randomUUID().slice(0, 8)}`;
  const storage = opts.storage ?? memoryStorage();
  const runtime = await runtimeOf(prefix);
  const storageOf = () => {
    const checked = runtime.wrappedValidateAjvStorage({ storage: runtime.getRxStorageMemory() });
    return opts.wrapStorage ? (opts.wrapStorage(checked as never) as typeof checked) : checked;
  };
  const services = runtime.createPigeonServices({
    supabase: {
      url: backend.url,
      anonKey: backend.config.anonKey,
      options: {
        realtime: { ...opts.realtime, transport: WebSocket as unknown as typeof globalThis.WebSocket },
        global: { fetch: network.fetch },
      },
    },
    // Every write is checked against the collection schemas.
    rxStorage: storageOf(),
    multiInstance: false,
    storage,
    network,
    databasePrefix: prefix,
    retry: { minMs: 100, maxMs: 800 },
    flushTimeoutMs: 5000,
    importWorker: runtime.inProcessImportWorker,
  });
  const disposers: (() => void)[] = [];
  let closed: Promise<void> | undefined;
  return {
    services,
    network,
    prefix,
    storage,
    openDatabase: (userId) =>
      runtime.openPigeonDatabase({
        name: runtime.userDatabaseName(prefix, userId),
        storage: storageOf(),
        multiInstance: false,
      }),
    watch(fn) {
      return runtime.createRoot((dispose) => {
        disposers.push(dispose);
        return fn();
      });
    },
    close() {
      closed ??= (async () => {
        for (const dispose of disposers.splice(0)) dispose();
        await services.dispose();
      })();
      return closed;
    },
  };
}

/** Polls `read` until `ok` holds and returns that value; fails the test after `ms`. */
export async function eventually<T>(
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  ms = 10_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) {
      throw new Error(`still not there after ${ms} ms: ${JSON.stringify(value)?.slice(0, 3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Signs the device in and waits until it knows its workspace. */
export async function signIn(device: Device, email: string, password: string): Promise<string> {
  const result = await device.services.signIn(email, password);
  if (!result.ok) throw new Error(`sign-in failed: ${result.error}`);
  const workspace = await eventually(
    () => device.services.workspace(),
    (w) => w !== undefined,
  );
  return workspace!.id;
}

/**
 * What the server and the simulator know of the sends to `digits` (E.164 without '+'): read
 * beside a device's view while waiting, so that a send that never comes says where it stopped.
 */
export async function serverSends(backend: Backend, digits: string) {
  return {
    simulator: backend
      .simulator!.sends()
      .filter((s) => s.to === digits)
      .map((s) => s.outcome),
    outbox: await backend.db.query(
      `select m.status as message, o.status, o.attempts, o.claimed_at, o.next_attempt_at, o.last_error,
         c.status as campaign, c.blocked_reason
       from public.messages m
       left join public.outbox_messages o on o.message_id = m.id
       left join public.campaigns c on c.id = m.campaign_id
       where m.phone = $1 and m.direction = 'out'`,
      [`+${digits}`],
    ),
  };
}
