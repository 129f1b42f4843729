/**
 * Local writes of the writable collections: each stamps `updated_at` and is the only write of
 * the edit (the replication pushes it; src/sync/status.ts counts it as waiting meanwhile).
 */
import type { RxCollection, RxDocument, WithDeleted } from 'rxdb';
import { editStamp } from '../../domain/edit-stamp.ts';
import type { Result } from '../../domain/result.ts';
import type { Scope } from './scope.ts';

interface Editable {
  id: string;
  workspace_id: string;
  updated_at: string;
}

/** Inserts a new document of the current workspace (a deleted one with its id comes back). */
export async function insertDocument<D extends Editable>(
  collection: RxCollection<D>,
  doc: Omit<D, 'updated_at'>,
): Promise<RxDocument<D>> {
  // The object spread loses the link between Omit<D, 'updated_at'> & {updated_at} and D.
  return collection.insert({ ...doc, updated_at: editStamp(undefined) } as D);
}

/** Applies `change` to the current state of a document of the current workspace. */
export async function editDocument<D extends Editable>(
  scope: Scope,
  collection: RxCollection<D>,
  id: string,
  change: (current: WithDeleted<D>) => WithDeleted<D>,
): Promise<Result<RxDocument<D>>> {
  const doc = await collection.findOne(id).exec();
  if (!doc || doc.workspace_id !== scope.workspace.id) return { ok: false, error: 'It no longer exists.' };
  const saved = await doc.incrementalModify((current) => ({
    ...change(current),
    updated_at: editStamp(current.updated_at),
  }));
  return { ok: true, value: saved };
}

/** A soft delete, stamped like any edit so that merges can tell whether it came last. */
export async function removeDocument<D extends Editable>(
  scope: Scope,
  collection: RxCollection<D>,
  id: string,
): Promise<Result> {
  const removed = await editDocument(scope, collection, id, (current) => ({
    ...current,
    _deleted: true,
  }));
  return removed.ok ? { ok: true, value: undefined } : removed;
}

/**
 * Inserts many new documents of the current workspace in one storage write, each stamped like
 * `insertDocument` (deleted ones with their ids come back); throws, naming the first refused.
 */
export async function insertDocuments<D extends Editable>(
  collection: RxCollection<D>,
  docs: readonly Omit<D, 'updated_at'>[],
): Promise<void> {
  const stamp = editStamp(undefined);
  const { error } = await collection.bulkInsert(docs.map((doc) => ({ ...doc, updated_at: stamp }) as D));
  const [first] = error;
  if (first) throw new Error(`${collection.name} ${first.documentId}: not saved (${first.status})`);
}
