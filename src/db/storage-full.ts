/**
 * A full device: IndexedDB refuses a write with a QuotaExceededError. Its transaction is
 * aborted whole (RxDB's Dexie storage writes a bulkWrite in one transaction), so nothing of
 * the refused write is half-saved and everything saved before stays. What is left to do is
 * saying so clearly, once, instead of a raw storage error (RxDB's remote storage would put
 * the documents themselves in its message): `guardQuota` turns any such refusal into a
 * `StorageFullError` and reports it.
 *
 * The storage worker and the page each wrap their storage: the worker sees the browser's
 * error; the page sees only what crossed the message port, which then carries the marker.
 */
import type { RxStorage } from 'rxdb';

/** The marker a StorageFullError carries across the storage worker's message port. */
const MARKER = 'pigeon:storage-full';

const STORAGE_FULL_MESSAGE =
  "This device's storage is full, so the change was not saved here. Everything saved before is kept. Free up space on this device, then try again.";

export class StorageFullError extends Error {
  constructor() {
    super(`${STORAGE_FULL_MESSAGE} (${MARKER})`);
    this.name = 'StorageFullError';
  }
}

/** Whether `err` is the browser's quota refusal (Dexie keeps it as is or as an abort's inner error), or one reported by the worker. */
export function isStorageFull(err: unknown): boolean {
  if (err instanceof StorageFullError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { name, message, inner } = err as { name?: unknown; message?: unknown; inner?: unknown };
  if (name === 'QuotaExceededError') return true;
  if (typeof message === 'string' && (message.includes(MARKER) || message.includes('QuotaExceededError')))
    return true;
  return inner !== undefined && isStorageFull(inner);
}

/** `storage` whose writes (and custom requests, e.g. an import batch) report a full device as a StorageFullError. */
export function guardQuota<I, O>(storage: RxStorage<I, O>, onFull: () => void): RxStorage<I, O> {
  const guard = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (err) {
      if (!isStorageFull(err)) throw err;
      onFull();
      throw new StorageFullError();
    }
  };
  // Everything else (the remote storage's settings, its custom requests) stays the storage's own.
  const guarded = Object.create(storage) as RxStorage<I, O> & {
    customRequest?: (request: unknown) => Promise<unknown>;
  };
  guarded.createStorageInstance = async (params) => {
    const instance = await storage.createStorageInstance(params);
    const bulkWrite = instance.bulkWrite.bind(instance);
    instance.bulkWrite = (writes, context) => guard(() => bulkWrite(writes, context));
    return instance;
  };
  const custom = (storage as { customRequest?: (request: unknown) => Promise<unknown> }).customRequest;
  if (custom) guarded.customRequest = (request) => guard(() => custom.call(storage, request));
  return guarded;
}
