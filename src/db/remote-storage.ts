/**
 * RxDB's storage in a worker, over RxDB's free storage-remote plugin: the page's RxDatabase
 * keeps its collections, queries and replication, while every IndexedDB request runs in the
 * worker, so imports, first syncs and big pulls never stall the page.
 *
 * One worker may serve several pages (a SharedWorker: one storage for every tab). The plugin's
 * `exposeRxStorageRemote` de-duplicates storage instances per exposure, so the worker exposes
 * the storage once and routes each answer back to the port whose request it answers (the
 * connection ids the plugin sends are unique per page).
 */
import type { RxStorage } from 'rxdb';
import {
  exposeRxStorageRemote,
  getRxStorageRemote,
  type MessageFromRemote,
  type MessageToRemote,
  type RemoteMessageChannel,
  type RxStorageRemote,
} from 'rxdb/plugins/storage-remote';
import { Subject } from 'rxjs';

/** A MessagePort, a dedicated Worker or a worker's own scope: what posts and receives. */
export interface MessageEndpoint {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** The page's side: a storage whose requests go to the worker behind `endpoint`. */
export function remoteStorage(endpoint: MessageEndpoint): RxStorageRemote {
  const messages$ = new Subject<MessageFromRemote>();
  endpoint.addEventListener('message', (event) => messages$.next(event.data as MessageFromRemote));
  // One channel for the page's lifetime: the plugin "closes" it after each custom request.
  const channel: RemoteMessageChannel = {
    send: (msg) => endpoint.postMessage(msg),
    messages$,
    close: async () => {},
  };
  return getRxStorageRemote({
    identifier: 'pigeon-storage',
    mode: 'one',
    messageChannelCreator: async () => channel,
  });
}

/** What each of the page's own requests carries: its kind, and whose collection it is about. */
export interface StorageRequest<K extends string> {
  kind: K;
  database: string;
  schemaVersion: number;
}

/** The check that a request the worker received is one of `kind`. */
export function isStorageRequest<R extends StorageRequest<string>>(kind: R['kind']) {
  return (request: unknown): request is R => (request as R | undefined)?.kind === kind;
}

/** Answers the page's own requests (e.g. an import batch) next to the storage. */
export type StorageRequestHandler = (request: unknown, instances: StorageInstances) => Promise<unknown>;

/** The storage instances the worker holds, to run a request against one of them. */
export interface StorageInstances {
  /** The instance of `collection` of `database` at `schemaVersion`; throws if none is open. */
  get(database: string, collection: string, schemaVersion: number): Promise<unknown>;
  /** The same, or undefined if no page has opened it (yet). */
  find(database: string, collection: string, schemaVersion: number): Promise<unknown>;
}

/**
 * The worker's side: exposes `storage` to every endpoint `connect` is given (each page's
 * port), as one exposure so all pages share each storage instance.
 */
export function exposeStorage(
  storage: RxStorage<unknown, unknown>,
  handle: StorageRequestHandler,
): { connect(endpoint: MessageEndpoint): void } {
  const incoming$ = new Subject<MessageToRemote>();
  const endpointOf = new Map<string, MessageEndpoint>();
  const exposed = exposeRxStorageRemote({
    storage,
    messages$: incoming$,
    send(msg) {
      const endpoint = endpointOf.get(msg.connectionId);
      // A custom request's connection answers once; a storage instance's lives until closed.
      if (msg.method === 'custom' || msg.method === 'close' || msg.method === 'remove') {
        endpointOf.delete(msg.connectionId);
      }
      endpoint?.postMessage(msg);
    },
    customRequestHandler: (request: unknown) => handle(request, instances),
  });
  const instances: StorageInstances = {
    async get(database, collection, schemaVersion) {
      const instance = await instances.find(database, collection, schemaVersion);
      if (!instance) throw new Error(`storage: ${database}/${collection} v${schemaVersion} is not open`);
      return instance;
    },
    async find(database, collection, schemaVersion) {
      const state = exposed.instanceByFullName.get([database, collection, schemaVersion].join('|')) as
        | { storageInstancePromise: Promise<unknown> }
        | undefined;
      return state?.storageInstancePromise;
    },
  };
  return {
    connect(endpoint) {
      endpoint.addEventListener('message', (event) => {
        const msg = event.data as MessageToRemote;
        endpointOf.set(msg.connectionId, endpoint);
        incoming$.next(msg);
      });
    },
  };
}

/**
 * `request` answered by the storage worker where the storage is remote (the browser), else here
 * by `local` (a Node test runs RxDB in-process): one request, whichever side holds the data.
 */
export function askStorage<R extends StorageRequest<string>, A>(
  storage: unknown,
  request: R,
  local: (request: R) => Promise<A>,
): Promise<A> {
  const remote = asRemote(storage);
  return remote ? remote.customRequest<R, A>(request) : local(request);
}

/** The remote storage behind `storage`, if it is one (a Node test runs RxDB in-process). */
export function asRemote(storage: unknown): RxStorageRemote | undefined {
  return storage && typeof (storage as RxStorageRemote).customRequest === 'function'
    ? (storage as RxStorageRemote)
    : undefined;
}
