/**
 * Imported contacts into RxDB, one batch per write, and the rule for a phone that is already a
 * contact.
 *
 * The rule (the same as adding an existing phone by hand, ContactsApi.add): the file's non-empty
 * name, email and notes replace the contact's, empty ones keep what it has; tags and groups are
 * added to; the file's custom fields are set, others kept; the opt-out stays as it is. A contact
 * the import would not change is not written, so it does not wait to sync either.
 *
 * A batch is one bulk write of the contacts (each document is written whole, never in part),
 * then one of their pending markers (status.ts), so the header counts what waits to sync and
 * the replication pushes it like any edit.
 */

import type { ContactDoc } from '../db/documents.ts';
import type { PendingChange } from '../db/schemas.ts';
import { isSameDocument } from '../domain/merge.ts';
import type { ContactCandidate } from '../worker/import/validate.ts';
import type { Scope } from './scope.ts';
import { editStamp } from './stamp.ts';

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

/** Writes one batch of the current workspace; resolves once the batch is stored. */
export async function saveBatch(
  scope: Scope,
  candidates: readonly ContactCandidate[],
  assign: ImportAssignments,
): Promise<BatchCounts> {
  const { contacts, pending_changes } = scope.db;
  const existing = await contacts.findByIds(candidates.map((c) => c.id)).exec();
  const counts: BatchCounts = { created: 0, updated: 0, unchanged: 0 };
  const docs: ContactDoc[] = [];
  const now = Date.now();
  for (const candidate of candidates) {
    const current = existing.get(candidate.id)?.toMutableJSON();
    const doc = importedContact(current, candidate, assign, scope.workspace.id, now);
    if (!doc) counts.unchanged++;
    else {
      docs.push(doc);
      if (current) counts.updated++;
      else counts.created++;
    }
  }
  if (docs.length === 0) return counts;
  const written = await contacts.bulkUpsert(docs);
  throwFirst(written.error, 'saving contacts');
  const markers: PendingChange[] = docs.map((doc) => {
    const marker = {
      collection_name: 'contacts',
      doc_id: doc.id,
      workspace_id: doc.workspace_id,
      updated_at: doc.updated_at,
    };
    return { ...marker, id: pending_changes.schema.getPrimaryOfDocumentData(marker) };
  });
  throwFirst((await pending_changes.bulkUpsert(markers)).error, 'marking contacts to sync');
  return counts;
}

function throwFirst(errors: readonly { status: number; documentId: string }[], what: string): void {
  const [first] = errors;
  if (first)
    throw new Error(`${what}: ${errors.length} failed (first: ${first.documentId}, status ${first.status})`);
}
