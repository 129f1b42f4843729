/**
 * "N changes waiting to sync": local edits the server has not confirmed yet, derived from the
 * replication's own state. No document of its own is written per edit.
 *
 * A document waits to sync when it differs from what the replication knows the server holds
 * (its assumed master state, in RxDB's replication meta instance). The tab that replicates
 * keeps the set of such documents in memory:
 * - at start, the documents changed since the replication's upstream checkpoint that differ
 *   from their assumed master state (what was unpushed when the app closed or crashed: RxDB
 *   pushes them from that checkpoint, so nothing is lost, and they are counted);
 * - then each local write (every write to the collection except the replication's pulls) adds
 *   its document, whether a replication runs or not, and each push the server confirms (sent$) removes the state it sent; a
 *   conflict's merge is a local write, pushed and confirmed like any edit;
 * - whenever the replication goes idle, the documents still counted are checked against the
 *   assumed master state again (what a confirmation racing the start scan left).
 * That tab reads the counts from its set at once; it also publishes them per workspace (and
 * which records of the small collections wait) in one local document of the database, which
 * the other tabs read, and which an offline reload shows before the replication has started.
 */
import {
  getAssumedMasterState,
  getChangedDocumentsSince,
  getLastCheckpointDoc,
  type RxCollection,
  type WithDeleted,
  writeDocToDocState,
} from 'rxdb';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import {
  asapScheduler,
  auditTime,
  BehaviorSubject,
  concatMap,
  distinctUntilChanged,
  filter,
  firstValueFrom,
  map,
  merge,
  type Observable,
  of,
  Subject,
  Subscription,
  switchMap,
  tap,
} from 'rxjs';
import { WRITABLE_COLLECTIONS, type WritableCollection } from '../db/collections.ts';
import type { PigeonDatabase } from '../db/database.ts';
import { localDocument$ } from '../db/local-document.ts';

/** What the count needs to know of an edited document. */
export interface EditedDocument {
  id: string;
  workspace_id: string;
  updated_at: string;
}

/** The parts of a replication the count follows. */
export type TrackedReplication<D> = Pick<
  RxReplicationState<D, unknown>,
  'sent$' | 'active$' | 'internalReplicationState' | 'startPromise'
>;

/** Waiting documents per collection (those with none left out). */
export type CollectionCounts = Partial<Record<WritableCollection, number>>;

/** The published state: counts per workspace, and which records wait. */
export interface PendingSummary {
  counts: Record<string, number>;
  /** Per workspace, its counts by collection (the sync panel's table); absent in a summary an older version published. */
  tables?: Record<string, CollectionCounts>;
  /**
   * `${collection}|${id}` of waiting records: every campaign, template and group, and contacts
   * up to CONTACT_RECORDS (an import's 100k would make every publish heavy).
   */
  records: string[];
  /** Set when more contacts wait than `records` lists. */
  contactsCut?: boolean;
}

/** The waiting records of one collection, and whether that is all of them. */
export interface WaitingRecords {
  ids: ReadonlySet<string>;
  complete: boolean;
}

const LOCAL_ID = 'pending-changes';
// Waiting contacts listed one by one at most (marks and the "not yet synced" filter).
const CONTACT_RECORDS = 1000;
// Documents read per step of the start scan.
const SCAN_PAGE = 1000;
// Published at most this often while a bulk change (an import) moves the count.
const PUBLISH_MS = 200;
// The pulls' writes (RxDB's downstream context) are the server's state, not local edits.
const PULL_CONTEXT = 'replication-downstream';

interface Entry {
  workspace: string;
  collection: WritableCollection;
  updated_at: string;
}

export class PendingChanges {
  private readonly waiting = new Map<string, Entry>();
  /** Waiting documents by workspace, then collection. */
  private readonly counts = new Map<string, Map<WritableCollection, number>>();
  private readonly records = new Set<string>();
  // Waiting contacts, those of them in `records`, and whether one was left out of it.
  private contactsWaiting = 0;
  private contactsListed = 0;
  private contactsCut = false;
  /** The summary of this tab's set, once it tracks a replication (it leads). */
  private readonly live$ = new BehaviorSubject<PendingSummary | undefined>(undefined);
  private readonly changed = new Subject<void>();
  private readonly summary$: Observable<PendingSummary>;
  private readonly publishing: Subscription;

  constructor(private readonly db: PigeonDatabase) {
    const published$ = localDocument$<PendingSummary>(db, LOCAL_ID).pipe(
      map((doc) => (doc ? (doc.toJSON().data as PendingSummary) : { counts: {}, records: [] })),
    );
    this.summary$ = this.live$.pipe(switchMap((live) => (live ? of(live) : published$)));
    this.publishing = this.changed
      .pipe(
        // Once per burst: a push of 1,000 rows confirms them one by one in one go, and a summary
        // per confirmation made one main-thread task of seconds (contact-import bench).
        auditTime(0, asapScheduler),
        tap(() => this.live$.next(this.summary())),
        auditTime(PUBLISH_MS),
        concatMap(() => this.publish().catch(report)),
      )
      .subscribe();
    // Edits count from the moment they are written, whether a replication runs or not (the
    // session may have expired): in the tab that leads, which sees every tab's writes.
    void db
      .waitForLeadership()
      .then(() => {
        if (this.publishing.closed) return;
        this.publishing.add(
          db.eventBulks$
            .pipe(filter((bulk) => isWritable(bulk.collectionName) && !bulk.context.startsWith(PULL_CONTEXT)))
            .subscribe((bulk) => {
              const collection = bulk.collectionName as WritableCollection;
              for (const event of bulk.events) this.add(collection, event.documentData as EditedDocument);
              this.changed.next();
            }),
        );
      })
      .catch(report);
  }

  /** Unconfirmed edits of one workspace, or of all of them. */
  count$(workspaceId?: string): Observable<number> {
    return this.summary$.pipe(
      map(({ counts }) =>
        workspaceId === undefined
          ? Object.values(counts).reduce((a, b) => a + b, 0)
          : (counts[workspaceId] ?? 0),
      ),
      distinctUntilChanged(),
    );
  }

  count(): Promise<number> {
    return firstValueFrom(this.count$());
  }

  /** Unconfirmed edits of `workspaceId` by collection. */
  collections$(workspaceId: string): Observable<CollectionCounts> {
    return this.summary$.pipe(map(({ tables }) => tables?.[workspaceId] ?? {}));
  }

  /** The workspaces that have unconfirmed edits. */
  async workspaces(): Promise<Set<string>> {
    const { counts } = await firstValueFrom(this.summary$);
    return new Set(Object.keys(counts).filter((ws) => (counts[ws] ?? 0) > 0));
  }

  /** The waiting records of `collection` (contacts: the first CONTACT_RECORDS). */
  waiting$(collection: WritableCollection): Observable<WaitingRecords> {
    const prefix = recordKey(collection, '');
    return this.summary$.pipe(
      map(({ records, contactsCut }) => ({
        ids: new Set(records.filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length))),
        complete: collection !== 'contacts' || !contactsCut,
      })),
    );
  }

  /** Whether a campaign, template or group waits to sync. */
  waits$(collection: Exclude<WritableCollection, 'contacts'>, id: string): Observable<boolean> {
    const key = recordKey(collection, id);
    return this.summary$.pipe(
      map(({ records }) => records.includes(key)),
      distinctUntilChanged(),
    );
  }

  /** Counts `workspaceId`'s unconfirmed edits of `collection` while `replication` runs (leader only). */
  track<D extends EditedDocument>(
    collection: WritableCollection,
    documents: RxCollection<D>,
    replication: TrackedReplication<D>,
    workspaceId: string,
  ): Subscription {
    const subscription = new Subscription();
    const confirmations = replication.sent$.pipe(
      map((doc) => this.confirm(collection, doc as WithDeleted<D>)),
    );
    const idle = replication.active$.pipe(
      distinctUntilChanged(),
      filter((active) => !active),
      concatMap(() => this.reconcile(collection, documents, replication, workspaceId).catch(report)),
    );
    // Only the tab that leads replicates and counts; the others read what it publishes.
    void documents.database
      .waitForLeadership()
      .then(async () => {
        if (subscription.closed) return;
        // Before the replication has started: a run-once replication (a flush) resolves its
        // startPromise only when it is done, after its confirmations.
        subscription.add(merge(confirmations, idle).subscribe());
        await replication.startPromise;
        if (subscription.closed) return;
        await this.scan(collection, documents, replication, workspaceId);
      })
      .catch(report);
    return subscription;
  }

  /** Stops publishing, after publishing what this tab counted last (before its database closes). */
  async close(): Promise<void> {
    this.publishing.unsubscribe();
    if (this.live$.value) await this.publish().catch(report);
    this.live$.complete();
  }

  private add(collection: WritableCollection, doc: EditedDocument): void {
    const key = recordKey(collection, doc.id);
    const before = this.waiting.get(key);
    if (before) this.forget(key, before);
    this.waiting.set(key, { workspace: doc.workspace_id, collection, updated_at: doc.updated_at });
    this.move(doc.workspace_id, collection, 1);
    if (collection !== 'contacts') {
      this.records.add(key);
      return;
    }
    this.contactsWaiting += 1;
    if (this.contactsListed < CONTACT_RECORDS) {
      this.records.add(key);
      this.contactsListed += 1;
    } else this.contactsCut = true;
  }

  private confirm(collection: WritableCollection, doc: EditedDocument): void {
    const key = recordKey(collection, doc.id);
    const entry = this.waiting.get(key);
    // An edit made while its previous state was being pushed keeps waiting.
    if (entry?.updated_at !== doc.updated_at) return;
    this.forget(key, entry);
    this.changed.next();
  }

  private forget(key: string, entry: Entry): void {
    this.waiting.delete(key);
    this.move(entry.workspace, entry.collection, -1);
    const listed = this.records.delete(key);
    if (!key.startsWith(CONTACTS_PREFIX)) return;
    if (listed) this.contactsListed -= 1;
    // Once no contact waits, the list is whole again.
    if (--this.contactsWaiting === 0) this.contactsCut = false;
  }

  private move(workspace: string, collection: WritableCollection, by: number): void {
    const tables = this.counts.get(workspace) ?? new Map<WritableCollection, number>();
    this.counts.set(workspace, tables);
    tables.set(collection, (tables.get(collection) ?? 0) + by);
  }

  private summary(): PendingSummary {
    const counts: Record<string, number> = {};
    const tables: Record<string, CollectionCounts> = {};
    for (const [workspace, byCollection] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      const waiting = [...byCollection].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b));
      if (waiting.length === 0) continue;
      counts[workspace] = waiting.reduce((sum, [, n]) => sum + n, 0);
      tables[workspace] = Object.fromEntries(waiting);
    }
    const records = [...this.records].sort();
    return this.contactsCut ? { counts, tables, records, contactsCut: true } : { counts, tables, records };
  }

  /** Forgets the counted documents of `workspaceId`'s `collection` the server holds as they are. */
  private async reconcile<D extends EditedDocument>(
    collection: WritableCollection,
    documents: RxCollection<D>,
    replication: TrackedReplication<D>,
    workspaceId: string,
  ): Promise<void> {
    const state = replication.internalReplicationState;
    const prefix = `${collection}|`;
    const ids = [...this.waiting]
      .filter(([key, entry]) => key.startsWith(prefix) && entry.workspace === workspaceId)
      .map(([key]) => key.slice(prefix.length));
    if (!state || ids.length === 0) return;
    const [current, assumed] = await Promise.all([
      documents.storageInstance.findDocumentsById(ids, true),
      getAssumedMasterState(state, ids),
    ]);
    for (const doc of current) {
      const master = assumed[doc.id];
      if (
        master &&
        documents.conflictHandler.isEqual(
          master.docData,
          writeDocToDocState(doc, false, false),
          'pigeon-pending',
        )
      ) {
        this.confirm(collection, doc);
      }
    }
  }

  /**
   * Counts the documents of `workspaceId` the replication has yet to push: only documents
   * changed since its upstream checkpoint can be, so this reads little unless much waits.
   * With no checkpoint yet (a first run, also the first after a schema migration) it reads
   * every stored document once, as the replication's own first run does.
   */
  private async scan<D extends EditedDocument>(
    collection: WritableCollection,
    documents: RxCollection<D>,
    replication: TrackedReplication<D>,
    workspaceId: string,
  ): Promise<void> {
    const state = replication.internalReplicationState;
    if (!state) return;
    let checkpoint = await getLastCheckpointDoc(state, 'up');
    for (;;) {
      const page = await getChangedDocumentsSince(documents.storageInstance, SCAN_PAGE, checkpoint);
      if (page.documents.length === 0) return this.changed.next();
      checkpoint = page.checkpoint;
      const ours = page.documents.filter((doc) => doc.workspace_id === workspaceId);
      const assumed = await getAssumedMasterState(
        state,
        ours.map((doc) => doc.id),
      );
      for (const doc of ours) {
        const master = assumed[doc.id];
        const pushed =
          master &&
          documents.conflictHandler.isEqual(
            master.docData,
            writeDocToDocState(doc, false, false),
            'pigeon-unpushed',
          );
        if (!pushed) this.add(collection, doc);
      }
      this.changed.next();
    }
  }

  private async publish(): Promise<void> {
    // A sign-out (or a test) may close the database while a publish waits its turn.
    if (this.db.closed) return;
    const summary = this.summary();
    const stored = await this.db.getLocal<PendingSummary>(LOCAL_ID);
    if (stored && sameSummary(stored.toJSON().data as PendingSummary, summary)) return;
    await this.db.upsertLocal<PendingSummary>(LOCAL_ID, summary);
  }
}

function sameSummary(a: PendingSummary, b: PendingSummary): boolean {
  const keys = new Set([...Object.keys(a.counts), ...Object.keys(b.counts)]);
  return (
    [...keys].every((k) => (a.counts[k] ?? 0) === (b.counts[k] ?? 0)) &&
    JSON.stringify(a.tables ?? {}) === JSON.stringify(b.tables ?? {}) &&
    Boolean(a.contactsCut) === Boolean(b.contactsCut) &&
    a.records.length === b.records.length &&
    a.records.every((r, i) => r === b.records[i])
  );
}

function isWritable(name: string | undefined): boolean {
  return (WRITABLE_COLLECTIONS as readonly (string | undefined)[]).includes(name);
}

const CONTACTS_PREFIX = 'contacts|';

function recordKey(collection: WritableCollection, docId: string): string {
  return `${collection}|${docId}`;
}

// A failed step (e.g. the database closing under it) must not end the tracking; what it
// missed is counted again at the next start.
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
