/**
 * What the sync did, for the sync panel and "Copy diagnostics": the last 500 sync events
 * (pulls, pushes, conflicts merged, errors, realtime wakes, replays of the service worker's queue) with their
 * timings, and per table the last pull, push and error. Kept in memory and, where there is
 * IndexedDB, in a small ring buffer of the user's own (`pigeon-trace-<database>`), so a
 * reload still shows what happened before it. Nothing of a row's content is kept: tables,
 * counts, times and error messages only.
 *
 * The engine tells it about each replication it runs (`watch`): a replication's active
 * period is one cycle; the rows it received and sent meanwhile are that cycle's pull and push.
 * A push that met a newer server version, merged by the collection's conflict handler, is a
 * `conflict` event naming the record and the fields the two versions disagreed on (names only).
 */
import { createStore, del, get, set } from 'idb-keyval';
import { getLastCheckpointDoc } from 'rxdb';
import { auditTime, BehaviorSubject, map, type Observable, Subject, type Subscription } from 'rxjs';
import { describeReplicationError } from './replication.ts';

export const TRACE_SIZE = 500;

export type SyncEventKind = 'pull' | 'push' | 'conflict' | 'error' | 'realtime' | 'replay';

export interface SyncEvent {
  /** Epoch ms when it ended. */
  at: number;
  kind: SyncEventKind;
  table?: string;
  rows?: number;
  /** How long it took (a replication's cycle, a replay). */
  ms?: number;
  detail?: string;
}

export interface Timed {
  at: number;
  rows: number;
  ms: number;
}

export interface TableTrace {
  lastPull?: Timed;
  lastPush?: Timed;
  lastError?: { at: number; message: string };
}

/** The part of a replication the trace watches. */
export interface WatchedReplication {
  active$: Observable<boolean>;
  received$: Observable<unknown>;
  sent$: Observable<unknown>;
  error$: Observable<unknown>;
  /** RxDB's state of the replication (whatever its document type): its checkpoint and resolved conflicts. */
  internalReplicationState?: object | undefined;
  /** Resolves once the replication has started (its internal state exists then). */
  startPromise?: Promise<unknown>;
}

/** What the trace reads of a resolved conflict (RxDB's RxReplicationConflict, any document type). */
interface ResolvedConflict {
  input: { newDocumentState: Record<string, unknown>; realMasterState: Record<string, unknown> };
}

/** Fields every document has that say nothing of what the user changed. */
const BOOKKEEPING = new Set(['_meta', '_rev', '_attachments', 'id', 'updated_at', 'server_modified']);

const KEY = 'events';
const SAVE_EVERY_MS = 1000;

export function traceDatabaseName(databaseName: string): string {
  return `pigeon-trace-${databaseName}`;
}

export class SyncTrace {
  readonly events$ = new BehaviorSubject<readonly SyncEvent[]>([]);
  /** Per table its last pull, push and error among the events kept. */
  readonly tables$ = this.events$.pipe(map(tablesOf));
  private readonly store: ReturnType<typeof createStore> | undefined;
  private readonly saves = new Subject<void>();
  private readonly saving: Subscription;
  /** The replications running now, by table, for their checkpoints. */
  private readonly running = new Map<string, WatchedReplication>();

  constructor(private readonly databaseName: string) {
    this.store =
      typeof indexedDB === 'undefined' ? undefined : createStore(traceDatabaseName(databaseName), KEY);
    this.saving = this.saves.pipe(auditTime(SAVE_EVERY_MS)).subscribe(() => void this.save());
    // Another tab deleting the user's data must not wait for this one's connection.
    void this.store?.('readonly', (store) => {
      const db = store.transaction.db;
      db.onversionchange = () => db.close();
    }).catch(() => undefined);
    void this.load();
  }

  record(event: SyncEvent): void {
    const events = [...this.events$.value, event];
    this.events$.next(events.length > TRACE_SIZE ? events.slice(-TRACE_SIZE) : events);
    this.saves.next();
  }

  /** Records each cycle of `replication` of `table`: a pull (rows received), a push if it sent any, its errors. */
  watch(table: string, replication: WatchedReplication): Subscription {
    this.running.set(table, replication);
    let started = 0;
    let received = 0;
    let sent = 0;
    const subscription = replication.active$.subscribe((active) => {
      if (active) {
        started = Date.now();
        received = 0;
        sent = 0;
        return;
      }
      if (started === 0) return;
      const at = Date.now();
      const ms = at - started;
      started = 0;
      this.record({ at, kind: 'pull', table, rows: received, ms });
      if (sent > 0) this.record({ at, kind: 'push', table, rows: sent, ms });
    });
    subscription.add(
      replication.received$.subscribe(() => {
        received += 1;
      }),
    );
    subscription.add(
      replication.sent$.subscribe(() => {
        sent += 1;
      }),
    );
    subscription.add(
      replication.error$.subscribe((err) =>
        this.record({ at: Date.now(), kind: 'error', table, detail: describeReplicationError(err) }),
      ),
    );
    void replication.startPromise?.then(
      () => {
        const events = (
          replication.internalReplicationState as
            | { events?: { resolvedConflicts?: Observable<ResolvedConflict> } }
            | undefined
        )?.events;
        if (subscription.closed || !events?.resolvedConflicts) return;
        subscription.add(
          events.resolvedConflicts.subscribe(({ input }) =>
            this.record({ at: Date.now(), kind: 'conflict', table, detail: conflictDetail(input) }),
          ),
        );
      },
      () => undefined,
    );
    subscription.add(() => {
      if (this.running.get(table) === replication) this.running.delete(table);
    });
    return subscription;
  }

  /** Each running replication's pull checkpoint (where its next pull starts). */
  async checkpoints(): Promise<Record<string, unknown>> {
    const entries = await Promise.all(
      [...this.running].map(async ([table, replication]) => {
        const state = replication.internalReplicationState;
        const checkpoint = state
          ? await getLastCheckpointDoc(state as Parameters<typeof getLastCheckpointDoc>[0], 'down').catch(
              () => undefined,
            )
          : undefined;
        return [table, checkpoint];
      }),
    );
    return Object.fromEntries(entries);
  }

  tables(): Record<string, TableTrace> {
    return tablesOf(this.events$.value);
  }

  close(): void {
    this.saving.unsubscribe();
  }

  /** Deletes the ring buffer with the user's data. */
  async remove(): Promise<void> {
    this.close();
    if (this.store) {
      await del(KEY, this.store);
      // idb-keyval keeps its connection open, which would hold the deletion back until the page closes.
      await this.store('readonly', (store) => store.transaction.db.close());
    }
    const factory = globalThis.indexedDB;
    if (!factory) return;
    await new Promise<void>((resolve) => {
      const request = factory.deleteDatabase(traceDatabaseName(this.databaseName));
      // Blocked by another tab's connection: it closes on `versionchange` and the deletion completes then.
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }

  private async load(): Promise<void> {
    if (!this.store) return;
    const saved = await get<SyncEvent[]>(KEY, this.store).catch(() => undefined);
    if (!saved?.length) return;
    // Events recorded before the load came after the saved ones.
    this.events$.next([...saved, ...this.events$.value].slice(-TRACE_SIZE));
  }

  private async save(): Promise<void> {
    if (this.saving.closed || !this.store) return;
    await set(KEY, this.events$.value, this.store).catch(() => undefined);
  }
}

/** Each table's last pull, push and error in `events` (oldest first). */
function tablesOf(events: readonly SyncEvent[]): Record<string, TableTrace> {
  const tables: Record<string, TableTrace> = {};
  for (const event of events) {
    if (!event.table || (event.kind !== 'pull' && event.kind !== 'push' && event.kind !== 'error')) continue;
    const table = tables[event.table] ?? {};
    tables[event.table] = table;
    if (event.kind === 'error') table.lastError = { at: event.at, message: event.detail ?? '' };
    else
      table[event.kind === 'pull' ? 'lastPull' : 'lastPush'] = {
        at: event.at,
        rows: event.rows ?? 0,
        ms: event.ms ?? 0,
      };
  }
  return tables;
}

/** A merge as the event log tells it: the record and the fields its two versions disagreed on. */
export function conflictDetail(input: ResolvedConflict['input']): string {
  const local = input.newDocumentState;
  const remote = input.realMasterState;
  const fields = Object.keys({ ...local, ...remote })
    .filter(
      (field) => !BOOKKEEPING.has(field) && JSON.stringify(local[field]) !== JSON.stringify(remote[field]),
    )
    .sort();
  const record = `record ${String(local.id ?? remote.id ?? '').slice(0, 8)}`;
  return `${record} merged with the server's version${fields.length > 0 ? ` · ${fields.join(', ')}` : ''}`;
}
