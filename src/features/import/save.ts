/**
 * Imported contacts into RxDB, one batch per write, and the rule for a phone that is already a
 * contact.
 *
 * The rule is the user's choice (src/domain/import-merge.ts): by default the file fills only what
 * the contact has empty; "update" lets its non-empty values replace; "skip" leaves existing
 * contacts alone. Tags and groups are added to; the opt-out stays as it is. A contact the import
 * would not change is not written, so it does not wait to sync either.
 *
 * A batch is one bulk insert of its new contacts and one bulk write of its updated ones (each
 * document is written whole, never in part), then one write of their pending markers
 * (src/sync/status.ts), so the header counts what waits to sync and the replication pushes it like any
 * edit. A crash before the markers are written is made good at the next start (src/sync/status.ts).
 */

import type { BulkWriteRow, RxDocument, RxDocumentData, RxStorageWriteError } from 'rxdb';
import type { ContactDoc } from '../../db/documents.ts';
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

// A contact another tab changes between our read and our write fails the write (409); it is
// merged again onto what it then holds. Three rounds make a stalemate a clear error.
const ATTEMPTS = 3;

/** Writes one batch of the current workspace; resolves once the batch is stored. */
export async function saveBatch(
  scope: Scope,
  candidates: readonly ContactCandidate[],
  assign: ImportAssignments,
): Promise<BatchResult> {
  const counts: BatchResult = { created: 0, updated: 0, unchanged: 0, skipped: 0, changed: [] };
  let todo = candidates;
  for (let attempt = 1; todo.length > 0; attempt++) {
    if (attempt > ATTEMPTS) {
      throw new Error(
        `saving contacts: ${todo.length} kept changing while being saved (first: ${todo[0]?.id})`,
      );
    }
    todo = await writeOnce(scope, todo, assign, counts);
  }
  return counts;
}

/** One round: adds what it wrote to `counts`, returns the candidates whose contact changed under it. */
async function writeOnce(
  scope: Scope,
  candidates: readonly ContactCandidate[],
  assign: ImportAssignments,
  counts: BatchResult,
): Promise<ContactCandidate[]> {
  const { contacts } = scope.db;
  const existing: Map<string, RxDocument<ContactDoc>> = await contacts
    .findByIds(candidates.map((c) => c.id))
    .exec();
  const inserts: ContactDoc[] = [];
  const updates: BulkWriteRow<ContactDoc>[] = [];
  const changed = new Map<string, ContactChanges>();
  let unchanged = 0;
  let skipped = 0;
  const now = Date.now();
  for (const candidate of candidates) {
    const current = existing.get(candidate.id);
    const result = imported(current?.toMutableJSON(), candidate, assign, scope.workspace.id, now);
    if (!result) {
      if (current && assign.existing === 'skip') skipped++;
      else unchanged++;
      continue;
    }
    const { doc, changes } = result;
    if (!current) inserts.push(doc);
    else {
      changed.set(doc.id, { id: doc.id, phone: doc.phone, name: current.name, changes });
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
  await scope.pending.markAll('contacts', [...created, ...updated]);
  counts.unchanged += unchanged;
  counts.skipped += skipped;
  counts.created += created.length;
  counts.updated += updated.length;
  for (const doc of updated) counts.changed.push(changed.get(doc.id) as ContactChanges);
  return candidates.filter((c) => retry.has(c.id));
}

function throwFirst(errors: readonly { status: number; documentId: string }[], what: string): void {
  const [first] = errors;
  if (first)
    throw new Error(`${what}: ${errors.length} failed (first: ${first.documentId}, status ${first.status})`);
}
