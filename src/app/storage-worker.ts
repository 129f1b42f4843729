/**
 * The storage worker: RxDB's Dexie (IndexedDB) storage, exposed to the pages through
 * src/db/remote-storage.ts, plus the requests that are cheaper next to the storage (an import
 * batch: lookup, merge and write in one round trip; the inbox's search over message text, held
 * here once rather than read from IndexedDB per search).
 *
 * As a SharedWorker it serves every tab from one storage instance per collection, so writes
 * of one tab reach the others through the storage's own change stream. As a dedicated worker
 * (one per tab, where SharedWorker is missing) the tabs' workers tell each other through
 * RxDB's multi-instance broadcast.
 */
/// <reference lib="webworker" />

import { fillWithDefaultSettings, type RxDocumentData } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { DEXIE_FALSE, dexieDatabaseName, readIndexPrefix } from '../db/dexie-index-prefix.ts';
import { dexieChangedSince, dexiePages } from '../db/dexie-pages.ts';
import type { ContactDoc } from '../db/documents.ts';
import { exposeStorage, type MessageEndpoint, type StorageRequestHandler } from '../db/remote-storage.ts';
import { contactSchema } from '../db/schemas.ts';
import { guardQuota, isStorageFull, StorageFullError } from '../db/storage-full.ts';
import {
  checkBackupFile,
  isBackupExportRequest,
  isBackupReadRequest,
  openStorages,
  packBackup,
} from '../features/backup/storage-side.ts';
import { answerContactsCsv, isContactsCsvRequest } from '../features/contacts/csv-export.ts';
import {
  answerContactWindow,
  type ContactReaders,
  type ContactStorage,
  isContactWindowRequest,
  type ReadContacts,
  type ReadFirstContacts,
} from '../features/contacts/window.ts';
import { isImportBatchRequest, storeImportBatch } from '../features/import/save.ts';
import {
  type FastReads,
  isMessageSearchRequest,
  type MessageStorage,
  searchStoredMessages,
} from '../features/inbox/message-text.ts';

declare const self: SharedWorkerGlobalScope | DedicatedWorkerGlobalScope;

const shared = typeof SharedWorkerGlobalScope !== 'undefined' && self instanceof SharedWorkerGlobalScope;

// RxDB's multi-instance broadcast stays on (here, off the pages' threads): one SharedWorker
// serves every tab of one app version, but a tab of another version (an update not yet
// reloaded everywhere) runs its own worker on the same IndexedDB.
// A refused write (the device is full) reaches the page as a StorageFullError it can tell apart.
const storage = guardQuota(getRxStorageDexie(), () => {});
// Messages per IndexedDB read when the search first reads them all.
const READ_ALL_PAGE = 10_000;

// The contacts list's index reads the whole workspace once: by IndexedDB getAll, not a cursor,
// in pages so the worker answers other requests in between.
const readContacts: ReadContacts = async (contacts, workspaceId) => {
  const pages = dexiePages<ContactDoc>(contacts, 5_000);
  if (!pages) throw new Error('storage worker: contacts are not in Dexie');
  const rows: RxDocumentData<ContactDoc>[] = [];
  for await (const page of pages) {
    for (const doc of page) if (!doc._deleted && doc.workspace_id === workspaceId) rows.push(doc);
  }
  return rows;
};

// The list's order is that of the contacts' [workspace_id, name, phone] index, which RxDB
// stores as [_deleted, workspace_id, name, phone, id].
const listIndex = fillWithDefaultSettings(contactSchema).indexes?.find(
  (index) => Array.isArray(index) && index.includes('name'),
) as string[] | undefined;
if (!listIndex) throw new Error('storage worker: the contacts schema has no list index');

const readers: ContactReaders = {
  all: readContacts,
  // The first rows in one IndexedDB request (RxDB's query walks a cursor, a request per row:
  // 1.7 s for 180 rows of 100,000 in the bench), also before a page has opened the contacts.
  first: async (request, limit) =>
    (await readIndexPrefix(
      dexieDatabaseName(request.database, 'contacts', request.schemaVersion),
      listIndex,
      [DEXIE_FALSE, request.workspaceId],
      limit,
    )) as Awaited<ReturnType<ReadFirstContacts>>,
};

const messageReads: FastReads = {
  all: (instance) => dexiePages(instance, READ_ALL_PAGE),
  since: (instance, checkpoint, limit) => dexieChangedSince(instance, checkpoint, limit),
};

const handle: StorageRequestHandler = async (request, instances) => {
  if (isImportBatchRequest(request)) {
    const contacts = await instances.get(request.database, 'contacts', request.schemaVersion);
    // It writes past the guarded bulkWrite (one transaction, src/db/read-write.ts): a full
    // device still reaches the page as a StorageFullError.
    return storeImportBatch(contacts as Parameters<typeof storeImportBatch>[0], request).catch((err) => {
      throw isStorageFull(err) ? new StorageFullError() : err;
    });
  }
  if (isContactWindowRequest(request)) {
    const contacts = await instances.find(request.database, 'contacts', request.schemaVersion);
    return answerContactWindow(contacts as ContactStorage | undefined, request, readers);
  }
  if (isContactsCsvRequest(request)) {
    const contacts = await instances.get(request.database, 'contacts', request.schemaVersion);
    return answerContactsCsv(contacts as ContactStorage, request, readers);
  }
  if (isMessageSearchRequest(request)) {
    const messages = await instances.get(request.database, 'messages', request.schemaVersion);
    return searchStoredMessages(messages as MessageStorage, request, messageReads);
  }
  if (isBackupExportRequest(request)) return packBackup(await openStorages(instances, request), request);
  if (isBackupReadRequest(request)) return checkBackupFile(await openStorages(instances, request), request);
  throw new Error(`storage worker: unknown request ${JSON.stringify(request).slice(0, 80)}`);
};

const host = exposeStorage(storage, handle);

if (shared) {
  (self as SharedWorkerGlobalScope).addEventListener('connect', (event) => {
    const [port] = event.ports;
    if (!port) return;
    host.connect(port as MessageEndpoint);
    port.start();
  });
} else {
  host.connect(self as DedicatedWorkerGlobalScope as MessageEndpoint);
}
