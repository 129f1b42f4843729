/**
 * What became of each queued send command, kept in IndexedDB until a tab reads it: the
 * worker may learn that a command was refused (a 4xx, or the intake rejected one of its
 * messages) while every tab is closed, and the user must still see why.
 */
import { createStore, delMany, entries, setMany } from 'idb-keyval';

export interface CommandOutcome {
  /** accepted: the server has the message (its status now comes by replication). */
  status: 'accepted' | 'failed';
  /** Why it failed, for people. */
  error?: string;
}

let opened: ReturnType<typeof createStore> | undefined;
const store = () => {
  opened ??= createStore('pigeon-outbox', 'outcomes');
  return opened;
};

export function recordOutcomes(outcomes: ReadonlyArray<[messageId: string, CommandOutcome]>): Promise<void> {
  return outcomes.length === 0 ? Promise.resolve() : setMany([...outcomes], store());
}

/** Every recorded outcome, and a function that forgets the ones applied. */
export async function readOutcomes(): Promise<{
  outcomes: Array<[string, CommandOutcome]>;
  forget(ids: string[]): Promise<void>;
}> {
  // No IndexedDB (Node): no worker either, so nothing was recorded.
  if (typeof indexedDB === 'undefined') return { outcomes: [], forget: async () => {} };
  const s = store();
  const all = await entries<string, CommandOutcome>(s);
  return { outcomes: all, forget: (ids) => delMany(ids, s) };
}
