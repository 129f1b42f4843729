/**
 * The page's RxDB storage in a browser: the storage worker (src/app/storage-worker.ts), one
 * SharedWorker for every tab where the browser has it, else a dedicated worker of this tab.
 * The page itself then makes no IndexedDB request through RxDB.
 */
import type { RxStorage } from 'rxdb';
import { type MessageEndpoint, remoteStorage } from '../db/remote-storage.ts';

const WORKER_NAME = 'pigeon-storage';

/** Where the storage lives, for diagnostics and tests. */
export type StorageHostKind = 'shared-worker' | 'worker';

export function workerStorage(): { storage: RxStorage<unknown, unknown>; kind: StorageHostKind } {
  if (typeof SharedWorker !== 'undefined') {
    const worker = new SharedWorker(new URL('./storage-worker.ts', import.meta.url), {
      type: 'module',
      name: WORKER_NAME,
    });
    const storage = remoteStorage(worker.port as MessageEndpoint);
    worker.port.start();
    return { storage, kind: 'shared-worker' };
  }
  const worker = new Worker(new URL('./storage-worker.ts', import.meta.url), {
    type: 'module',
    name: WORKER_NAME,
  });
  return { storage: remoteStorage(worker as MessageEndpoint), kind: 'worker' };
}
