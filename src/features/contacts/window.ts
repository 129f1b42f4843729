/**
 * The contacts list by windows: the page asks for the rows it shows (offset, limit, search,
 * filter) and gets them with the counts; sorting, searching and counting happen where the
 * storage is (the storage worker in the browser, in-process in Node), over a sorted index
 * (src/domain/contact-index.ts) kept up to date from the storage's own change stream.
 *
 * Until the index has read the whole workspace, the first rows of the unfiltered list come
 * straight from the storage's [workspace_id, name, phone] index (in the storage worker one
 * IndexedDB request, which also answers a cold open before the page's database is open),
 * marked `complete: false` and counting only themselves; the page then asks again with
 * `wait`, which answers once the index is built. No count is asked meanwhile: IndexedDB counts
 * an index range entry by entry (Chromium checks each entry against its record), which took
 * seconds for 100,000 contacts and held the first rows back (the bench's cold open).
 */
import {
  normalizeMangoQuery,
  prepareQuery,
  type RxDocumentData,
  type RxStorageChangeEvent,
  type RxStorageInstance,
} from 'rxdb';
import type { ContactDoc } from '../../db/documents.ts';
import { askStorage, asRemote, isStorageRequest, type StorageRequest } from '../../db/remote-storage.ts';
import { contactSchema } from '../../db/schemas.ts';
import {
  type ContactChange,
  ContactIndex,
  type ContactWindow,
  type ContactWindowQuery,
} from '../../domain/contact-index.ts';
import { contactMatcher } from '../../domain/contact-search.ts';
import type { Contact } from '../../domain/types.ts';
import type { OpeningScope, Scope } from '../shared/scope.ts';

export type { ContactWindow, ContactWindowQuery };

/**
 * A window and the workspace's tags; `complete` once answered from the whole list. Before that
 * (`complete: false`), `matching` and `total` count only the rows given and `tags` is empty.
 */
export interface ContactWindowAnswer extends ContactWindow {
  tags: string[];
  complete: boolean;
}

export interface ContactWindowRequest extends StorageRequest<'contacts-window'> {
  workspaceId: string;
  query: ContactWindowQuery;
  /** Answer from the whole list, waiting for the index to be built if it is not yet. */
  wait: boolean;
}

export const isContactWindowRequest = isStorageRequest<ContactWindowRequest>('contacts-window');

export type ContactStorage = RxStorageInstance<ContactDoc, unknown, unknown, unknown>;
type StoredContact = RxDocumentData<ContactDoc>;

/** Reads every live contact of a workspace; the storage worker passes a faster one for Dexie. */
export type ReadContacts = (storage: ContactStorage, workspaceId: string) => Promise<StoredContact[]>;

/**
 * Reads the first `limit` live contacts of a workspace in list order, whether or not a page
 * has opened the contacts yet; undefined when there is no such database.
 */
export type ReadFirstContacts = (
  request: ContactWindowRequest,
  limit: number,
) => Promise<StoredContact[] | undefined>;

/**
 * The page's side, before its database is open (a cold open): the first rows of `opening`'s
 * workspace, read by the storage worker straight from IndexedDB; undefined for a query only
 * the whole list answers (a search, a filter, rows further down), or without a storage worker.
 */
export function askFirstContacts(
  opening: OpeningScope,
  query: ContactWindowQuery,
): Promise<ContactWindowAnswer> | undefined {
  const remote = asRemote(opening.storage);
  if (!remote || !isEarlyQuery(query)) return undefined;
  return remote.customRequest<ContactWindowRequest, ContactWindowAnswer>({
    kind: 'contacts-window',
    database: opening.database,
    schemaVersion: contactSchema.version,
    workspaceId: opening.workspaceId,
    query,
    wait: false,
  });
}

/** The page's side: one window of the current workspace's list. */
export function askContactWindow(
  scope: Scope,
  query: ContactWindowQuery,
  wait: boolean,
): Promise<ContactWindowAnswer> {
  const { db } = scope;
  const request: ContactWindowRequest = {
    kind: 'contacts-window',
    database: db.name,
    schemaVersion: db.contacts.schema.version,
    workspaceId: scope.workspace.id,
    query,
    wait,
  };
  return askStorage(db.storage, request, (r) =>
    answerContactWindow(db.contacts.storageInstance as ContactStorage, r),
  );
}

// Unfiltered windows ending within this many rows are answered from the storage while the
// index is built: the first screens of a cold open.
const EARLY_ROWS = 200;

/** A workspace's index: being built, then built. */
interface IndexState {
  ready: Promise<ContactIndex>;
  built?: ContactIndex;
}

const indexes = new WeakMap<ContactStorage, Map<string, IndexState>>();

function indexState(storage: ContactStorage, workspaceId: string, read: ReadContacts): IndexState {
  let perWorkspace = indexes.get(storage);
  if (!perWorkspace) {
    perWorkspace = new Map();
    indexes.set(storage, perWorkspace);
  }
  const known = perWorkspace.get(workspaceId);
  if (known) return known;
  const forget = () => perWorkspace.delete(workspaceId);
  const state: IndexState = {
    ready: buildIndex(storage, workspaceId, read, forget).then((index) => {
      state.built = index;
      return index;
    }),
  };
  perWorkspace.set(workspaceId, state);
  return state;
}

/** Whether the first rows answer `query` while the whole list is being read. */
function isEarlyQuery(query: ContactWindowQuery): boolean {
  return !contactMatcher(query.search, query.filter) && query.offset + query.limit <= EARLY_ROWS;
}

/** How the storage reads: the storage worker passes faster ways for IndexedDB. */
export interface ContactReaders {
  all: ReadContacts;
  first: ReadFirstContacts;
}

/**
 * The storage's side: answers one window request. `storage` is undefined when no page has
 * opened the contacts yet; only the first rows are asked then.
 */
export async function answerContactWindow(
  storage: ContactStorage | undefined,
  request: ContactWindowRequest,
  readers?: ContactReaders,
): Promise<ContactWindowAnswer> {
  const { workspaceId, query } = request;
  const limit = query.offset + query.limit;
  if (!request.wait && isEarlyQuery(query) && !(storage && indexes.get(storage)?.get(workspaceId)?.built)) {
    // The first rows before the index: reading the whole workspace meanwhile would delay them.
    const found = readers
      ? await readers.first(request, limit)
      : storage && (await storage.query(liveQuery(storage, workspaceId, { sort: true, limit }))).documents;
    if (storage) indexState(storage, workspaceId, readers?.all ?? readByQuery);
    return firstRows(query, found ?? []);
  }
  if (!storage) {
    throw new Error(`contacts of ${request.database} are not open: only their first rows can be read`);
  }
  const index = await indexState(storage, workspaceId, readers?.all ?? readByQuery).ready;
  return { ...index.window(query), tags: index.tags(), complete: true };
}

/**
 * Subscribes to the storage's changes first, reads the workspace, then applies what changed
 * meanwhile (each change carries the whole document, so applying one the read already saw is
 * harmless and the last change of a document wins).
 */
async function buildIndex(
  storage: ContactStorage,
  workspaceId: string,
  read: ReadContacts,
  forget: () => void,
): Promise<ContactIndex> {
  let index: ContactIndex | undefined;
  let pending: ContactChange[] = [];
  const subscription = storage.changeStream().subscribe({
    next: (bulk) => {
      const changes = bulk.events.flatMap((event) => changeOf(event, workspaceId));
      if (index) index.apply(changes);
      else pending.push(...changes);
    },
    // A closed storage instance: the next request builds a new index on the new instance.
    complete: forget,
  });
  try {
    const docs = await read(storage, workspaceId);
    index = new ContactIndex(docs.map(toContact));
    index.apply(pending);
    pending = [];
    return index;
  } catch (err) {
    subscription.unsubscribe();
    forget();
    throw err;
  }
}

function changeOf(event: RxStorageChangeEvent<ContactDoc>, workspaceId: string): ContactChange[] {
  const doc = (event.documentData ?? event.previousDocumentData) as StoredContact | undefined;
  if (!doc || doc.workspace_id !== workspaceId) return [];
  return [
    { id: event.documentId, contact: toContact(doc), deleted: event.operation === 'DELETE' || doc._deleted },
  ];
}

function toContact(doc: StoredContact): Contact {
  const { _meta, _rev, _attachments, _deleted, server_modified, ...rest } = doc;
  return (server_modified === undefined
    ? rest
    : { ...rest, _modified: server_modified }) as unknown as Contact;
}

function liveQuery(storage: ContactStorage, workspaceId: string, extra: { limit?: number; sort?: boolean }) {
  const schema = storage.schema;
  const mango = normalizeMangoQuery(schema, {
    selector: { workspace_id: workspaceId },
    ...(extra.sort ? { sort: [{ name: 'asc' }, { phone: 'asc' }, { id: 'asc' }] } : {}),
    ...(extra.limit !== undefined ? { limit: extra.limit } : {}),
  });
  mango.selector._deleted = { $eq: false };
  return prepareQuery(schema, mango);
}

/** An answer of the list's first rows, `found` from its start, before the whole list is read. */
function firstRows(query: ContactWindowQuery, found: readonly StoredContact[]): ContactWindowAnswer {
  const rows = found.slice(query.offset).map(toContact);
  const given = query.offset + rows.length;
  return {
    offset: query.offset,
    rows,
    matching: given,
    total: given,
    tags: [],
    complete: false,
  };
}

/** Any storage: one query of the workspace's live contacts. */
async function readByQuery(storage: ContactStorage, workspaceId: string): Promise<StoredContact[]> {
  return (await storage.query(liveQuery(storage, workspaceId, {}))).documents;
}
