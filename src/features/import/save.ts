/**
 * Imported contacts into RxDB, one batch per write, and the rule for a phone that is already a
 * contact.
 *
 * The rule is the user's choice (src/domain/import-merge.ts): by default the file fills only what
 * the contact has empty; "update" lets its non-empty values replace; "skip" leaves existing
 * contacts alone. Tags and groups are added to; the opt-out stays as it is. A contact the import
 * would not change is not written, so it does not wait to sync either.
 *
 * A batch is one lookup of its phones, the merge and one bulk write of its new and updated
 * contacts (each document written whole, never in part, and once), all where the storage is:
 * inside the storage worker in the browser (one round trip, src/app/storage-worker.ts, and one
 * IndexedDB transaction, src/db/read-write.ts), in-process where RxDB runs in Node. The
 * replication pushes them like any edit once the import is stored (scope.writes), and the
 * header counts them meanwhile (src/sync/status.ts, from the replication's own state).
 */

import { type BulkWriteRow, createRevision, now, type RxDocumentData, type RxStorageInstance } from 'rxdb';
import type { ContactDoc } from '../../db/documents.ts';
import { readWrite } from '../../db/read-write.ts';
import { askStorage, isStorageRequest, type StorageRequest } from '../../db/remote-storage.ts';
import { editStamp } from '../../domain/edit-stamp.ts';
import { type ExistingPolicy, type FieldChange, mergeImported } from '../../domain/import-merge.ts';
import type { Scope } from '../shared/scope.ts';
import type { ContactCandidate } from './validate.ts';

/** What the user chose for the whole import. */
export interface ImportAssignments {
  group_ids: readonly string[];
  tags: readonly string[];
  /** What to do with a phone that is already a contact; `fill` when absent. */
  existing?: ExistingPolicy;
}

export interface BatchCounts {
  created: number;
  updated: number;
  unchanged: number;
  /** Existing contacts left alone because the user chose "skip existing". */
  skipped: number;
}

/** What an import changed on one existing contact, for the report. */
export interface ContactChanges {
  id: string;
  phone: string;
  /** The contact's name before the import. */
  name: string;
  changes: FieldChange[];
}

export interface BatchResult extends BatchCounts {
  changed: ContactChanges[];
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
  return imported(existing, candidate, assign, workspaceId, now)?.doc;
}

function imported(
  existing: ContactDoc | undefined,
  candidate: ContactCandidate,
  assign: ImportAssignments,
  workspaceId: string,
  now: number,
): { doc: ContactDoc; changes: FieldChange[] } | undefined {
  if (!existing) {
    const doc: ContactDoc = {
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
    return { doc, changes: [] };
  }
  const merged = mergeImported(
    existing,
    { ...candidate, tags: union(candidate.tags, assign.tags), group_ids: assign.group_ids },
    assign.existing ?? 'fill',
  );
  if (!merged) return undefined;
  return {
    doc: { ...merged.contact, updated_at: editStamp(existing.updated_at, now) },
    changes: merged.changes,
  };
}

/** Stores one batch of the current workspace; resolves once the batch is stored. */
export async function saveBatch(
  scope: Scope,
  candidates: readonly ContactCandidate[],
  assign: ImportAssignments,
  /** Most of the import's contacts so far were new ones: they are added before being looked up. */
  mostlyNew = false,
): Promise<BatchResult> {
  const { db } = scope;
  const request: ImportBatchRequest = {
    kind: 'import-batch',
    database: db.name,
    schemaVersion: db.contacts.schema.version,
    token: db.token,
    workspaceId: scope.workspace.id,
    candidates,
    assign,
    mostlyNew,
  };
  // In the browser the storage worker looks up, merges and writes in one round trip.
  // Pushes wait until the batch is stored (scope.writes) rather than compete with it.
  return scope.writes.run(() =>
    askStorage(db.storage, request, (r) =>
      storeImportBatch(db.contacts.storageInstance as ContactStorage, r),
    ),
  );
}

/** What the page sends the storage worker for one batch. */
export interface ImportBatchRequest extends StorageRequest<'import-batch'> {
  /** The page database's token: revisions name the instance that wrote them. */
  token: string;
  workspaceId: string;
  candidates: readonly ContactCandidate[];
  assign: ImportAssignments;
  mostlyNew?: boolean;
}

export const isImportBatchRequest = isStorageRequest<ImportBatchRequest>('import-batch');

type ContactStorage = RxStorageInstance<ContactDoc, unknown, unknown, unknown>;

/** What the import does with one candidate, as last planned (the plan that was written). */
type Outcome =
  | { write: BulkWriteRow<ContactDoc>; change?: ContactChanges }
  | { write?: undefined; kept: 'unchanged' | 'skipped' };

export async function storeImportBatch(
  contacts: ContactStorage,
  request: Omit<ImportBatchRequest, 'kind' | 'database' | 'schemaVersion'>,
): Promise<BatchResult> {
  const byId = new Map(request.candidates.map((c) => [c.id, c]));
  const outcomes = new Map<string, Outcome>();
  const plan = (ids: readonly string[], found: readonly RxDocumentData<ContactDoc>[]) => {
    const stored = new Map(found.map((doc) => [doc.id, doc]));
    const time = Date.now();
    const lwt = now();
    const writes: BulkWriteRow<ContactDoc>[] = [];
    for (const id of ids) {
      const candidate = byId.get(id);
      if (!candidate) continue;
      const previous = stored.get(id);
      // Deleted ones too: importing a deleted contact's phone brings it back, written over it.
      const current = previous && !previous._deleted ? contactOf(previous) : undefined;
      const merged = imported(current, candidate, request.assign, request.workspaceId, time);
      if (!merged) {
        outcomes.set(id, { kept: current && request.assign.existing === 'skip' ? 'skipped' : 'unchanged' });
        continue;
      }
      const { doc, changes } = merged;
      const document: RxDocumentData<ContactDoc> = {
        ...doc,
        _deleted: false,
        _attachments: {},
        _meta: { ...previous?._meta, lwt },
        _rev: createRevision(request.token, previous),
      };
      const write = previous ? { previous, document } : { document };
      writes.push(write);
      outcomes.set(
        id,
        current ? { write, change: { id, phone: doc.phone, name: current.name, changes } } : { write },
      );
    }
    return writes;
  };
  await readWrite(contacts)([...byId.keys()], plan, 'pigeon-import', {
    assumeNew: request.mostlyNew === true,
  });
  const result: BatchResult = { created: 0, updated: 0, unchanged: 0, skipped: 0, changed: [] };
  for (const outcome of outcomes.values()) {
    if (!outcome.write) result[outcome.kept]++;
    else if (outcome.change) {
      result.updated++;
      result.changed.push(outcome.change);
    } else result.created++;
  }
  return result;
}

/** The contact fields of a stored document, without the storage's own. */
function contactOf(doc: RxDocumentData<ContactDoc>): ContactDoc {
  const { _deleted, _attachments, _meta, _rev, ...contact } = doc;
  return contact as ContactDoc;
}
