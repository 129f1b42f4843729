/**
 * "N changes waiting to sync": local edits the server has not confirmed yet.
 *
 * Each edit made through the app leaves a marker in the local `pending_changes` collection
 * (collection, document id, the edit's `updated_at`). Being in the database, markers survive
 * an offline reload and every tab sees them (multi-instance). The tab that replicates clears
 * them:
 * - when the push of that state succeeds (sent$); when a push conflicts, the merged state is
 *   pushed instead (conflict$), so the marker moves to the merge's `updated_at`;
 * - when the replication's record of what the server holds (its assumed master state) equals
 *   the document: checked at start (a push confirmed just before the app closed) and for each
 *   new marker (one written after its push was already confirmed).
 * Markers are removed at the revision they were read at: an edit made meanwhile rewrote its
 * marker, which stays.
 *
 * A marker is written after its document (never a marker without its edit). A crash between
 * the two leaves an edit that pushes uncounted; at start, documents the replication has yet to
 * push (changed since its upstream checkpoint and unlike what it knows the server holds) get
 * the markers they lack.
 */
import {
  getAssumedMasterState,
  getChangedDocumentsSince,
  getLastCheckpointDoc,
  type RxCollection,
  type RxReplicationConflict,
  type WithDeleted,
  writeDocToDocState,
} from 'rxdb';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import { bufferTime, concatMap, filter, map, merge, type Observable, type Subscription } from 'rxjs';
import type { WritableCollection } from '../db/collections.ts';
import type { PigeonDatabase } from '../db/database.ts';
import type { PendingChange } from '../db/schemas.ts';

/** What a marker needs to know of an edited document. */
export interface EditedDocument {
  id: string;
  workspace_id: string;
  updated_at: string;
}

/** The parts of a replication the markers follow. */
export type TrackedReplication<D> = Pick<
  RxReplicationState<D, unknown>,
  'sent$' | 'conflict$' | 'internalReplicationState' | 'startPromise'
>;

// Documents read per step when looking for unmarked edits at start.
const SCAN_PAGE = 1000;

type ReplicationEvent<D> =
  | { kind: 'sent'; doc: WithDeleted<D> }
  | { kind: 'conflict'; conflict: RxReplicationConflict<D> };

export class PendingChanges {
  private readonly markers: RxCollection<PendingChange>;

  constructor(db: PigeonDatabase) {
    this.markers = db.pending_changes;
  }

  /** Unconfirmed edits of one workspace, or of all of them. */
  count$(workspaceId?: string): Observable<number> {
    return this.markers.count(workspaceId ? { selector: { workspace_id: workspaceId } } : {}).$;
  }

  count(): Promise<number> {
    return this.markers.count().exec();
  }

  /** Called after each local write. */
  mark(collection: WritableCollection, doc: EditedDocument): Promise<void> {
    return this.markAll(collection, [doc]);
  }

  /** Called after a bulk write (an import batch): one write for all of its markers. */
  async markAll(collection: WritableCollection, docs: readonly EditedDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const { error } = await this.markers.bulkUpsert(
      docs.map((doc) => ({
        id: markerId(collection, doc.id),
        collection_name: collection,
        doc_id: doc.id,
        workspace_id: doc.workspace_id,
        updated_at: doc.updated_at,
      })),
    );
    const [first] = error;
    if (first) {
      throw new Error(
        `marking ${collection} to sync: ${error.length} failed (first: ${first.documentId}, status ${first.status})`,
      );
    }
  }

  /** The workspaces that have unconfirmed edits. */
  async workspaces(): Promise<Set<string>> {
    const all = await this.markers.find().exec();
    return new Set(all.map((m) => m.workspace_id));
  }

  /** Clears the markers of `workspaceId`'s `collection` as `replication` confirms pushes. */
  track<D extends EditedDocument>(
    collection: WritableCollection,
    documents: RxCollection<D>,
    replication: TrackedReplication<D>,
    workspaceId: string,
  ): Subscription {
    const confirmations: Observable<ReplicationEvent<D>> = merge(
      replication.sent$.pipe(map((doc) => ({ kind: 'sent' as const, doc }))),
      replication.conflict$.pipe(map((conflict) => ({ kind: 'conflict' as const, conflict }))),
    );
    const newMarkers = this.markers.$.pipe(
      filter(
        (event) =>
          event.operation !== 'DELETE' &&
          event.documentData.collection_name === collection &&
          event.documentData.workspace_id === workspaceId,
      ),
      map((event) => event.documentData.doc_id),
    );
    const subscription = confirmations
      .pipe(
        // A bulk push confirms hundreds of documents at once: clear their markers in one write.
        bufferTime(50),
        filter((batch) => batch.length > 0),
        concatMap((batch) => this.apply(collection, batch).catch(report)),
      )
      .subscribe();
    void replication.startPromise
      .then(() =>
        subscription.closed ? undefined : this.markUnpushed(collection, documents, replication, workspaceId),
      )
      .catch(report);
    subscription.add(
      newMarkers
        .pipe(
          bufferTime(1000),
          filter((ids) => ids.length > 0),
          concatMap((ids) =>
            this.reconcile(collection, documents, replication, workspaceId, ids).catch(report),
          ),
        )
        .subscribe(),
    );
    return subscription;
  }

  /**
   * Clears the markers (of the given documents, or all of `workspaceId`'s `collection`) whose
   * edit the replication knows the server has.
   */
  async reconcile<D extends EditedDocument>(
    collection: WritableCollection,
    documents: RxCollection<D>,
    replication: TrackedReplication<D>,
    workspaceId: string,
    docIds?: readonly string[],
  ): Promise<void> {
    const state = replication.internalReplicationState;
    if (!state) return;
    const markers = docIds
      ? [...(await this.markers.findByIds(docIds.map((id) => markerId(collection, id))).exec()).values()]
      : await this.markers
          .find({ selector: { collection_name: collection, workspace_id: workspaceId } })
          .exec();
    if (markers.length === 0) return;
    const ids = markers.map((m) => m.doc_id);
    const [current, assumed] = await Promise.all([
      // Deleted documents too: a delete is an edit like any other.
      documents.storageInstance.findDocumentsById(ids, true),
      getAssumedMasterState(state, ids),
    ]);
    const byId = new Map(current.map((doc) => [doc.id, doc]));
    const confirmed = markers.filter((marker) => {
      const doc = byId.get(marker.doc_id);
      const master = assumed[marker.doc_id];
      return (
        doc !== undefined &&
        master !== undefined &&
        doc.updated_at === marker.updated_at &&
        documents.conflictHandler.isEqual(
          master.docData,
          writeDocToDocState(doc, false, false),
          'pigeon-reconcile',
        )
      );
    });
    await this.markers.bulkRemove(confirmed);
  }

  /**
   * Marks the documents of `workspaceId` the replication has yet to push and that have no
   * marker: what a crash between a write and its marker leaves. Only documents changed since
   * the upstream checkpoint can be unpushed, so this reads little unless much is unpushed.
   */
  async markUnpushed<D extends EditedDocument>(
    collection: WritableCollection,
    documents: RxCollection<D>,
    replication: TrackedReplication<D>,
    workspaceId: string,
  ): Promise<void> {
    const state = replication.internalReplicationState;
    if (!state) return;
    let checkpoint = await getLastCheckpointDoc(state, 'up');
    // None: the replication's first run (also its first after a schema migration) goes through
    // every stored document itself; marking them all would cost a write each.
    if (!checkpoint) return;
    for (;;) {
      const page = await getChangedDocumentsSince(documents.storageInstance, SCAN_PAGE, checkpoint);
      if (page.documents.length === 0) return;
      checkpoint = page.checkpoint;
      const ours = page.documents.filter((doc) => doc.workspace_id === workspaceId);
      if (ours.length === 0) continue;
      const ids = ours.map((doc) => doc.id);
      const [assumed, marked] = await Promise.all([
        getAssumedMasterState(state, ids),
        this.markers.findByIds(ids.map((id) => markerId(collection, id))).exec(),
      ]);
      const unmarked = ours.filter((doc) => {
        if (marked.has(markerId(collection, doc.id))) return false;
        const master = assumed[doc.id];
        return !(
          master &&
          documents.conflictHandler.isEqual(
            master.docData,
            writeDocToDocState(doc, false, false),
            'pigeon-unpushed',
          )
        );
      });
      // A push confirmed meanwhile leaves a marker that the new-marker check clears.
      await this.markAll(collection, unmarked);
    }
  }

  private async apply<D extends EditedDocument>(
    collection: WritableCollection,
    batch: ReplicationEvent<D>[],
  ): Promise<void> {
    const ids = batch.map((e) => markerId(collection, e.kind === 'sent' ? e.doc.id : e.conflict.output.id));
    const found = await this.markers.findByIds(ids).exec();
    // The updated_at each marker must have for the event to concern it, as events apply in order.
    const expected = new Map([...found].map(([id, m]) => [id, m.updated_at]));
    const confirmed = new Set<string>();
    const moved = new Map<string, { from: string; to: string }>();
    for (const event of batch) {
      const doc = event.kind === 'sent' ? event.doc : event.conflict.input.newDocumentState;
      const id = markerId(collection, doc.id);
      if (expected.get(id) !== doc.updated_at) continue;
      if (event.kind === 'sent') {
        confirmed.add(id);
        expected.delete(id);
      } else {
        const to = event.conflict.output.updated_at;
        moved.set(id, { from: moved.get(id)?.from ?? doc.updated_at, to });
        expected.set(id, to);
      }
    }
    const toRemove = [...found.values()].filter((m) => confirmed.has(m.id));
    if (toRemove.length > 0) await this.markers.bulkRemove(toRemove);
    for (const [id, { from, to }] of moved) {
      if (confirmed.has(id)) continue;
      await found.get(id)?.incrementalModify((m) => (m.updated_at === from ? { ...m, updated_at: to } : m));
    }
  }
}

function markerId(collection: WritableCollection, docId: string): string {
  return `${collection}|${docId}`;
}

// A failed batch (e.g. the database closing under it) must not end the tracking; the markers
// it left are checked again at the next start.
function report(err: unknown): void {
  console.error('pigeon: updating pending changes failed', err);
}

/** The replication's state in one word (the header's sync indicator). */
export type SyncState = 'offline' | 'syncing' | 'idle' | 'error';

/** What the header shows: offline first, then an error, then whether a sync is running. */
export function syncState(online: boolean, active: boolean, error: string | undefined): SyncState {
  if (!online) return 'offline';
  if (error !== undefined) return 'error';
  return active ? 'syncing' : 'idle';
}
