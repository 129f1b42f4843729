/**
 * Where the auth session lives in the browser: IndexedDB, not localStorage, because the
 * service worker must read and refresh it too. A command queued offline may be replayed
 * with every tab closed and its token long expired; the worker then refreshes the session
 * itself (sw/outbox/session.ts).
 *
 * Page and worker run auth-js over this same store, under the same Web Lock
 * (`lock:<storage key>`, auth-js's own lock name), so only one of them refreshes at a time
 * and the other reads the rotated session: a refresh token is never spent twice, which the
 * server would take for theft and revoke the whole session.
 */
import { createStore, del, get, set } from 'idb-keyval';

/** auth-js's storage interface (its own type needs the DOM's Storage, absent in a worker). */
export interface AsyncKeyValueStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

interface LegacyStorage {
  getItem(key: string): string | null;
  removeItem(key: string): void;
}

/** auth-js's default key for a project URL (`sb-<first host label>-auth-token`), kept so. */
export function authStorageKey(supabaseUrl: string): string {
  return `sb-${new URL(supabaseUrl).hostname.split('.')[0]}-auth-token`;
}

/** The IndexedDB database and object store of the session, shared with the worker. */
const DATABASE = 'pigeon-auth';
const STORE = 'kv';

/**
 * The session store. In a window, a session that an older version kept in localStorage is
 * moved here on first read, so an update does not sign anyone out.
 */
export function indexedDbAuthStorage(): AsyncKeyValueStorage {
  const store = createStore(DATABASE, STORE);
  const legacy = (globalThis as { localStorage?: LegacyStorage }).localStorage;
  return {
    async getItem(key) {
      const value = await get<string>(key, store);
      if (value !== undefined) return value;
      const old = legacy?.getItem(key) ?? null;
      if (old !== null) {
        await set(key, old, store);
        legacy?.removeItem(key);
      }
      return old;
    },
    setItem: (key, value) => set(key, value, store),
    removeItem: (key) => del(key, store),
  };
}
