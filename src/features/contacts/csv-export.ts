/**
 * The contacts list as a CSV file: all of it, or what the search and filters keep, made where
 * the list's index is (the storage worker in the browser), so 100,000 contacts never pass
 * through the page as records.
 */
import { askStorage, isStorageRequest, type StorageRequest } from '../../db/remote-storage.ts';
import type { ContactFilter } from '../../domain/contact-search.ts';
import { contactsCsv } from '../../domain/records-csv.ts';
import type { Scope } from '../shared/scope.ts';
import { answerContactWindow, type ContactReaders, type ContactStorage } from './window.ts';

/** Which contacts: the list's search and filter, and (when given) only these ids. */
export interface ContactSelection {
  search: string;
  filter: ContactFilter;
  ids?: readonly string[];
}

export interface ContactsCsvRequest extends StorageRequest<'contacts-csv'>, ContactSelection {
  workspaceId: string;
  /** Group id → name, for the groups column. */
  groupNames: [string, string][];
}

export interface ContactsCsv {
  text: string;
  count: number;
}

export const isContactsCsvRequest = isStorageRequest<ContactsCsvRequest>('contacts-csv');

/** The page's side. */
export async function askContactsCsv(scope: Scope, selection: ContactSelection): Promise<ContactsCsv> {
  const { db } = scope;
  const groups = await db.contact_groups.find({ selector: { workspace_id: scope.workspace.id } }).exec();
  const request: ContactsCsvRequest = {
    kind: 'contacts-csv',
    database: db.name,
    schemaVersion: db.contacts.schema.version,
    workspaceId: scope.workspace.id,
    ...selection,
    groupNames: groups.map((g) => [g.id, g.name]),
  };
  return askStorage(db.storage, request, (r) =>
    answerContactsCsv(db.contacts.storageInstance as ContactStorage, r),
  );
}

/** The storage's side: the whole matching list from the index, as CSV. */
export async function answerContactsCsv(
  storage: ContactStorage | undefined,
  request: ContactsCsvRequest,
  readers?: ContactReaders,
): Promise<ContactsCsv> {
  const { search, filter, ids, groupNames, ...target } = request;
  const query = { search, filter, offset: 0, limit: Number.MAX_SAFE_INTEGER };
  const answer = await answerContactWindow(
    storage,
    { ...target, kind: 'contacts-window', query, wait: true },
    readers,
  );
  const only = ids && new Set(ids);
  const rows = only ? answer.rows.filter((row) => only.has(row.id)) : answer.rows;
  return { text: contactsCsv(rows, new Map(groupNames)), count: rows.length };
}
