/**
 * Imported contacts into RxDB, one batch per write, and the rule for a phone that is already a
 * contact.
 *
 * The rule (the same as adding an existing phone by hand, ContactsApi.add): the file's non-empty
 * name, email and notes replace the contact's, empty ones keep what it has; tags and groups are
 * added to; the file's custom fields are set, others kept; the opt-out stays as it is. A contact
 * the import would not change is not written, so it does not wait to sync either.
 *
 * A batch is one bulk insert of its new contacts and one bulk write of its updated ones (each
 * document is written whole, never in part, and once): the replication pushes them like any
 * edit, once the batch is stored (scope.writes), and the header counts them meanwhile
 * (src/sync/status.ts, from the replication's own state).
 */

import type { BulkWriteRow, RxDocument, RxDocumentData, RxStorageWriteError } from 'rxdb';
import type { ContactDoc } from '../../db/documents.ts';
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

// A contact another tab changes between our read and our write fails the write (409); it is
// merged again onto what it then holds. Three rounds make a stalemate a clear error.
const ATTEMPTS = 3;

/** Writes one batch of the current workspace; resolves once the batch is stored. */
export async function saveBatch(
  scope: Scope,
  candidates: readonly ContactCandidate[],
  assign: ImportAssignments,
): Promise<BatchCounts> {
  const counts: BatchCounts = { created: 0, updated: 0, unchanged: 0 };
  let todo = candidates;
  for (let attempt = 1; todo.length > 0; attempt++) {
    if (attempt > ATTEMPTS) {
      throw new Error(
        `saving contacts: ${todo.length} kept changing while being saved (first: ${todo[0]?.id})`,
      );
    }
    const round = todo;
    todo = await scope.writes.run(() => writeOnce(scope, round, assign, counts));
  }
  return counts;
}

/** One round: adds what it wrote to `counts`, returns the candidates whose contact changed under it. */
async function writeOnce(
  scope: Scope,
  candidates: readonly ContactCandidate[],
  assign: ImportAssignments,
  counts: BatchCounts,
): Promise<ContactCandidate[]> {
  const { contacts } = scope.db;
  const existing: Map<string, RxDocument<ContactDoc>> = await contacts
    .findByIds(candidates.map((c) => c.id))
    .exec();
  const inserts: ContactDoc[] = [];
  const updates: BulkWriteRow<ContactDoc>[] = [];
  let unchanged = 0;
  const now = Date.now();
  for (const candidate of candidates) {
    const current = existing.get(candidate.id);
    const doc = importedContact(current?.toMutableJSON(), candidate, assign, scope.workspace.id, now);
    if (!doc) unchanged++;
    else if (!current) inserts.push(doc);
    else {
      // The stored state as read, with its revision: the write fails if it moved meanwhile.
      const previous = current.toMutableJSON(true) as RxDocumentData<ContactDoc>;
      updates.push({ previous, document: { ...previous, ...doc } });
    }
  }
  const [insertResult, updateResult] = await Promise.all([
    inserts.length > 0 ? contacts.bulkInsert(inserts) : { error: [] },
    updates.length > 0 ? contacts.storageInstance.bulkWrite(updates, 'pigeon-import') : { error: [] },
  ]);
  const errors: RxStorageWriteError<ContactDoc>[] = [...insertResult.error, ...updateResult.error];
  const fatal = errors.filter((e) => e.status !== 409);
  throwFirst(fatal, 'saving contacts');
  const retry = new Set(errors.map((e) => e.documentId));
  const stored = (doc: ContactDoc) => !retry.has(doc.id);
  const created = inserts.filter(stored);
  const updated = updates.map((row) => row.document).filter(stored);
  counts.unchanged += unchanged;
  counts.created += created.length;
  counts.updated += updated.length;
  return candidates.filter((c) => retry.has(c.id));
}

function throwFirst(errors: readonly { status: number; documentId: string }[], what: string): void {
  const [first] = errors;
  if (first)
    throw new Error(`${what}: ${errors.length} failed (first: ${first.documentId}, status ${first.status})`);
}
