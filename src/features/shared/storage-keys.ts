import type { KeyValueStorage } from '../../sync/session.ts';

/**
 * Removes every key starting with one of `prefixes` (a sign-out that removes the user's data).
 * Only a storage that lists its keys (Web Storage) has any to find.
 */
export function removeKeysStartingWith(storage: KeyValueStorage, prefixes: readonly string[]): void {
  const listed = storage as Partial<Pick<Storage, 'key' | 'length'>>;
  if (typeof listed.key !== 'function' || typeof listed.length !== 'number') return;
  const keys: string[] = [];
  for (let i = 0; i < listed.length; i++) {
    const key = listed.key(i);
    if (key && prefixes.some((prefix) => key.startsWith(prefix))) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}
