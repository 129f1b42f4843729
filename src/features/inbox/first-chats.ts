/**
 * The inbox's first rows as this device last listed them, kept in key-value storage
 * (localStorage in the browser) per user database and workspace: a cold open shows them as
 * soon as the app's code runs, while the database opens and its 10,000 chats are read
 * (seconds), and the live list replaces them. Like message drafts, they are removed with the
 * user's data at sign-out.
 */
import type { KeyValueStorage } from '../../sync/session.ts';
import { removeKeysStartingWith } from '../shared/storage-keys.ts';
import type { InboxChat } from './api.ts';

/** More than a tall window shows. */
export const FIRST_CHATS = 60;

/** Whose list: the user's database and the workspace. */
export interface ListPlace {
  database: string;
  workspaceId: string;
}

const PREFIX = 'pigeon:inbox-first:';
const keyOf = (place: ListPlace) => `${PREFIX}${place.database}:${place.workspaceId}`;

const isChat = (value: unknown): value is InboxChat => {
  const chat = value as Partial<InboxChat> | null;
  return (
    typeof chat?.id === 'string' &&
    typeof chat.name === 'string' &&
    typeof chat.phone === 'string' &&
    typeof chat.status === 'string' &&
    typeof chat.unread === 'number'
  );
};

/** The rows kept for `place`; undefined when none are, or what is kept is not a list of chats. */
export function recallFirstChats(storage: KeyValueStorage, place: ListPlace): InboxChat[] | undefined {
  const kept = storage.getItem(keyOf(place));
  if (!kept) return undefined;
  try {
    const chats: unknown = JSON.parse(kept);
    return Array.isArray(chats) && chats.every(isChat) ? chats : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the first rows of `chats` for `place`; writes only when they changed. */
export function keepFirstChats(
  storage: KeyValueStorage,
  place: ListPlace,
  chats: readonly InboxChat[],
): void {
  const text = JSON.stringify(chats.slice(0, FIRST_CHATS));
  const key = keyOf(place);
  if (storage.getItem(key) !== text) storage.setItem(key, text);
}

/** Removes the rows kept for every workspace of `database` (a sign-out removing the user's data). */
export function forgetFirstChats(storage: KeyValueStorage, database: string): void {
  removeKeysStartingWith(storage, [`${PREFIX}${database}:`]);
}
