/**
 * Imported contacts into RxDB, one batch per write, and the rule for a phone that is already a
 * contact.
 *
 * The rule (the same as adding an existing phone by hand, ContactsApi.add): the file's non-empty
 * name, email and notes replace the contact's, empty ones keep what it has; tags and groups are
 * added to; the file's custom fields are set, others kept; the opt-out stays as it is. A contact
 * the import would not change is not written, so it does not wait to sync either.
 *
 * A batch is one lookup of its phones, the merge and one bulk write of its new and updated
 * contacts (each document written whole, never in part), all where the storage is: inside the
 * storage worker in the browser (one round trip, src/app/storage-worker.ts), in-process where
 * RxDB runs in Node. Then one write of their pending markers
 * (src/sync/status.ts), so the header counts what waits to sync and the replication pushes it like any
 * edit. A crash before the markers are written is made good at the next start (src/sync/status.ts).
 */

import { createRevision, now, type RxDocumentData, type RxStorageInstance } from 'rxdb';
import type { ContactDoc } from '../../db/documents.ts';
import { asRemote } from '../../db/remote-storage.ts';
import { editStamp } from '../../domain/edit-stamp.ts';
import { isSameDocument } from '../../domain/merge.ts';
import type { Scope } from '../shared/scope.ts';
import type { ContactCandidate } from './validate.ts';

/** What the user chose for the whole import. */
export interface ImportAssignments {
  group_ids: readonly string[];
  tags: readonly string[];
}

export interface BatchCounts {
  created: number;
  updated: number;
  unchanged: number;
}

const union = (...lists: (readonly string[])[]): string[] => [...new Set(lists.flat())];

/** The contact to write for `candidate`, or undefined when `existing` already says all of it. */
export function importedContact(
  existing: ContactDoc | undefined,
  candidate: ContactCandidate,
  assign: ImportAssignments,
  workspaceId: string,
  now: number = Date.now(),
): ContactDoc | undefined {
  if (!existing) {
    return {
      id: candidate.id,
      workspace_id: workspaceId,
      phone: candidate.phone,
      name: candidate.name,
      email: candidate.email,
      tags: union(candidate.tags, assign.tags),
      group_ids: [...assign.group_ids],
      custom_fields: candidate.custom_fields,
      notes: candidate.notes,
      opted_out: false,
      opted_out_at: null,
      updated_at: editStamp(undefined, now),
    };
  }
  const next: ContactDoc = {
    ...existing,
    name: candidate.name || existing.name,
    email: candidate.email || existing.email,
    notes: candidate.notes || existing.notes,
    tags: union(existing.tags, candidate.tags, assign.tags),
    group_ids: union(existing.group_ids, assign.group_ids),
    custom_fields: { ...existing.custom_fields, ...candidate.custom_fields },
  };
  if (isSameDocument(next, existing)) return undefined;
  return { ...next, updated_at: editStamp(existing.updated_at, now) };
}

/** Stores one batch of the current workspace; resolves once the batch is stored and marked to sync. */
export async function saveBatch(
  scope: Scope,
  candidates: readonly ContactCandidate[],
  assign: ImportAssignments,
): Promise<BatchCounts> {
  const { db } = scope;
  const batch = { token: db.token, workspaceId: scope.workspace.id, candidates, assign };
  const remote = asRemote(db.storage);
  // In the browser the storage worker looks up, merges and writes in one round trip.
  const result: ImportBatchResult = remote
    ? await remote.customRequest<ImportBatchRequest, ImportBatchResult>({
        kind: 'import-batch',
        database: db.name,
        schemaVersion: db.contacts.schema.version,
        ...batch,
      })
    : await storeImportBatch(db.contacts.storageInstance as ContactStorage, batch);
  await scope.pending.markAll('contacts', result.stored);
  return result.counts;
}

/** What the page sends the storage worker for one batch. */
export interface ImportBatchRequest {
  kind: 'import-batch';
  database: string;
  schemaVersion: number;
  /** The page database's token: revisions name the instance that wrote them. */
  token: string;
  workspaceId: string;
  candidates: readonly ContactCandidate[];
  assign: ImportAssignments;
}

/** A stored contact, as much of it as its pending marker needs. */
export interface StoredContact {
  id: string;
  workspace_id: string;
  updated_at: string;
}

export interface ImportBatchResult {
  counts: BatchCounts;
  stored: StoredContact[];
}

export function isImportBatchRequest(request: unknown): request is ImportBatchRequest {
  return (request as ImportBatchRequest | undefined)?.kind === 'import-batch';
}

// A contact another tab changes between our read and our write fails the write (409); it is
// merged again onto what it then holds. Three rounds make a stalemate a clear error.
const ATTEMPTS = 3;

type ContactStorage = RxStorageInstance<ContactDoc, unknown, unknown, unknown>;

export async function storeImportBatch(
  contacts: ContactStorage,
  request: Omit<ImportBatchRequest, 'kind' | 'database' | 'schemaVersion'>,
): Promise<ImportBatchResult> {
  const result: ImportBatchResult = { counts: { created: 0, updated: 0, unchanged: 0 }, stored: [] };
  let todo = request.candidates;
  for (let attempt = 1; todo.length > 0; attempt++) {
    if (attempt > ATTEMPTS) {
      throw new Error(
        `saving contacts: ${todo.length} kept changing while being saved (first: ${todo[0]?.id})`,
      );
    }
    todo = await writeOnce(contacts, request, todo, result);
  }
  return result;
}

/** One round: adds what it wrote to `result`, returns the candidates whose contact changed under it. */
async function writeOnce(
  contacts: ContactStorage,
  request: Omit<ImportBatchRequest, 'kind' | 'database' | 'schemaVersion'>,
  candidates: readonly ContactCandidate[],
  result: ImportBatchResult,
): Promise<ContactCandidate[]> {
  // Deleted ones too: importing a deleted contact's phone brings it back, written over it.
  const found = await contacts.findDocumentsById(
    candidates.map((c) => c.id),
    true,
  );
  const stored = new Map(found.map((doc) => [doc.id, doc]));
  const writes: { previous?: RxDocumentData<ContactDoc>; document: RxDocumentData<ContactDoc> }[] = [];
  const time = Date.now();
  const lwt = now();
  let unchanged = 0;
  for (const candidate of candidates) {
    const previous = stored.get(candidate.id);
    const current = previous && !previous._deleted ? contactOf(previous) : undefined;
    const doc = importedContact(current, candidate, request.assign, request.workspaceId, time);
    if (!doc) {
      unchanged++;
      continue;
    }
    const document: RxDocumentData<ContactDoc> = {
      ...doc,
      _deleted: false,
      _attachments: {},
      _meta: { ...previous?._meta, lwt },
      _rev: createRevision(request.token, previous),
    };
    writes.push(previous ? { previous, document } : { document });
  }
  const { error } = writes.length > 0 ? await contacts.bulkWrite(writes, 'pigeon-import') : { error: [] };
  const fatal = error.filter((e) => e.status !== 409);
  const [first] = fatal;
  if (first) {
    throw new Error(
      `saving contacts: ${fatal.length} failed (first: ${first.documentId}, status ${first.status})`,
    );
  }
  const retry = new Set(error.map((e) => e.documentId));
  for (const { previous, document } of writes) {
    if (retry.has(document.id)) continue;
    if (previous && !previous._deleted) result.counts.updated++;
    else result.counts.created++;
    result.stored.push({
      id: document.id,
      workspace_id: document.workspace_id,
      updated_at: document.updated_at,
    });
  }
  result.counts.unchanged += unchanged;
  return candidates.filter((c) => retry.has(c.id));
}

/** The contact fields of a stored document, without the storage's own. */
function contactOf(doc: RxDocumentData<ContactDoc>): ContactDoc {
  const { _deleted, _attachments, _meta, _rev, ...contact } = doc;
  return contact as ContactDoc;
}
