/**
 * The replications of one signed-in user's database:
 * - the directory (workspaces and memberships of every workspace of the user), always;
 * - contacts, groups and templates of the current workspace, both ways, and its channels,
 *   messages, pulled only; restarted on a switch, and when the collections the app holds on
 *   this device (`held`) change.
 * Only the leader tab replicates (RxDB's leader election; replicateRxCollection waits for
 * leadership, and the realtime channels are opened once it is won). Other tabs see the
 * results through the shared database.
 */
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { RxCollection } from 'rxdb';
import {
  BehaviorSubject,
  combineLatest,
  distinctUntilChanged,
  filter,
  firstValueFrom,
  map,
  type Observable,
  of,
  Subject,
  type Subscription,
  switchMap,
  throttleTime,
  timer,
} from 'rxjs';
import {
  PULLED_COLLECTIONS,
  type PulledCollection,
  type ReplicatedCollection,
  WRITABLE_COLLECTIONS,
  type WritableCollection,
} from '../db/collections.ts';
import type { PigeonDatabase } from '../db/database.ts';
import type { RetryPolicy } from '../domain/backoff.ts';
import { isMarkedCollection } from '../domain/record-sync.ts';
import { PushedVersions } from './echoes.ts';
import type { LocalWrites } from './local-writes.ts';
import { type StoppableReplication, stopReplication } from './push-window.ts';
import type { RecordIssueStore } from './record-issues.ts';
import {
  describeReplicationError,
  type ReplicationReport,
  replicateDirectoryTable,
  replicateWorkspaceTable,
  watchTable,
} from './replication.ts';
import type { EditedDocument, PendingChanges } from './status.ts';
import type { SyncTrace } from './trace.ts';

/** The part of an RxReplicationState the engine drives, whatever its document type. */
interface ReplicationHandle {
  readonly active$: Observable<boolean>;
  readonly received$: Observable<unknown>;
  readonly sent$: Observable<unknown>;
  readonly internalReplicationState?: StoppableReplication['internalReplicationState'];
  readonly error$: Observable<unknown>;
  readonly canceled$: Observable<unknown>;
  reSync(): void;
  awaitInSync(): Promise<true>;
  cancel(): Promise<unknown>;
}

/**
 * A replication with what the engine does around it: the versions its pushes wrote (whose
 * realtime echoes wake no pull), and for writable ones the count of what waits to sync.
 */
interface Replication {
  table: ReplicatedCollection;
  handle: ReplicationHandle;
  echoes?: PushedVersions;
  track?: () => Subscription;
}

interface WritableReplication extends Replication {
  track: () => Subscription;
}

interface Run {
  handles: ReplicationHandle[];
  channels: RealtimeChannel[];
  subscriptions: Subscription[];
  stopped: boolean;
}

/** The current workspace's run, and what restarts it when the collections held back change. */
interface WorkspaceRun extends Run {
  id: string;
  gate: Subscription;
}

const RESYNC_THROTTLE_MS = 250;

/**
 * Tables whose triggers may store a pushed row otherwise than it was sent (chat_reads keeps a
 * read marker from moving back): the event of this device's own push still wakes a pull there,
 * which writes the row only if the server changed it.
 */
const SERVER_REWRITES: readonly WritableCollection[] = ['chat_reads'];

/**
 * The identifier a replication keeps its checkpoint under. A collection's schema version
 * after 0 is part of it, so a migrated collection is pulled again from the start: RxDB keeps
 * the checkpoint across a migration, and never replaces a stored document that differs from
 * the server's (migrations.ts drops the pulled documents a new field is missing from).
 */
export function replicationIdentifier(
  serverUrl: string,
  table: string,
  scope: string,
  version: number,
): string {
  return `${serverUrl}|${table}|${scope}${version > 0 ? `|v${version}` : ''}`;
}

export interface SyncEngineOptions {
  client: SupabaseClient;
  db: PigeonDatabase;
  pending: PendingChanges;
  /** Told each record's refusal and contested merge (the records' sync marks). */
  issues: RecordIssueStore;
  writes: LocalWrites;
  /** Part of every replication identifier: checkpoints of different servers stay apart. */
  serverUrl: string;
  retry: RetryPolicy;
  /** Told each replication's cycles, errors and realtime wakes (the sync panel). */
  trace?: SyncTrace;
  /**
   * The collections of a workspace whose edits stay on this device for now: not replicated
   * at all. (RxDB's replication without a push would still move its upstream checkpoint past
   * the edits, and let pulls overwrite them.) The app decides which, the engine knows no
   * reason; a change restarts the workspace's replications, and a collection no longer held
   * pushes everything edited meanwhile, from where its upstream checkpoint stayed.
   */
  held?: (workspaceId: string) => Observable<readonly WritableCollection[]>;
}

export class SyncEngine {
  /** True while any replication is pulling or pushing. */
  readonly active$: Observable<boolean>;
  /** The last replication error, until a request succeeds again. */
  readonly lastError$ = new BehaviorSubject<string | undefined>(undefined);
  private readonly handles$ = new BehaviorSubject<ReplicationHandle[]>([]);
  private readonly directory: Run;
  private workspace: WorkspaceRun | undefined;
  // Switches and stops run one after the other.
  private queue: Promise<void> = Promise.resolve();
  private readonly report: ReplicationReport = {
    succeeded: () => {
      if (this.lastError$.value !== undefined) this.lastError$.next(undefined);
    },
    refused: (table, rows) => {
      const first = rows[0]!;
      const more = rows.length > 1 ? ` (and ${rows.length - 1} more)` : '';
      this.lastError$.next(`The server refused ${table} row ${first.id}${more}: ${first.reason}`);
      this.opts.issues.refused(table, rows);
    },
  };

  constructor(private readonly opts: SyncEngineOptions) {
    this.active$ = this.handles$.pipe(
      switchMap((handles) =>
        handles.length === 0
          ? of(false)
          : combineLatest(handles.map((h) => h.active$)).pipe(map((active) => active.some(Boolean))),
      ),
      distinctUntilChanged(),
    );
    const { client, db, serverUrl, retry } = opts;
    const directory = { client, retry, report: this.report };
    this.directory = this.startRun(
      [
        {
          table: 'workspaces',
          handle: replicateDirectoryTable({
            ...directory,
            table: 'workspaces',
            collection: db.workspaces,
            identifier: replicationIdentifier(
              serverUrl,
              'workspaces',
              'directory',
              db.workspaces.schema.version,
            ),
          }),
        },
        {
          table: 'workspace_members',
          handle: replicateDirectoryTable({
            ...directory,
            table: 'workspace_members',
            collection: db.workspace_members,
            identifier: replicationIdentifier(
              serverUrl,
              'workspace_members',
              'directory',
              db.workspace_members.schema.version,
            ),
          }),
        },
      ],
      undefined,
    );
  }

  /** Replicates `workspaceId`'s contacts, groups and templates instead of the previous one's. */
  switchWorkspace(workspaceId: string | undefined): Promise<void> {
    return this.enqueue(async () => {
      if (this.workspace?.id === workspaceId) return;
      if (this.workspace) await this.stopWorkspace(this.workspace);
      this.workspace = undefined;
      if (workspaceId === undefined) return;
      // One subscription: its first value starts the run, each later one restarts it.
      let first: ((held: readonly WritableCollection[]) => void) | undefined;
      const ready = new Promise<readonly WritableCollection[]>((resolve) => {
        first = resolve;
      });
      // Ended without a value (its database closing): nothing held, the server still refuses.
      const none = () => first?.([]);
      const gate = this.held$(workspaceId).subscribe({
        next: (held) => {
          if (first) {
            first(held);
            first = undefined;
            return;
          }
          void this.enqueue(async () => {
            const current = this.workspace;
            if (current?.gate !== gate) return;
            await this.stopRun(current);
            this.workspace = { ...this.startWorkspace(workspaceId, held), id: workspaceId, gate };
          });
        },
        error: none,
        complete: none,
      });
      this.workspace = { ...this.startWorkspace(workspaceId, await ready), id: workspaceId, gate };
    });
  }

  private held$(workspaceId: string): Observable<readonly WritableCollection[]> {
    return (this.opts.held?.(workspaceId) ?? of([])).pipe(
      distinctUntilChanged((a, b) => a.length === b.length && a.every((table) => b.includes(table))),
    );
  }

  private startWorkspace(workspaceId: string, held: readonly WritableCollection[]): Run {
    this.opts.pending.hold(workspaceId, held);
    const replications = WRITABLE_COLLECTIONS.filter((table) => !held.includes(table)).map((table) =>
      this.replicateWritable(table, workspaceId, true),
    );
    const pulled = PULLED_COLLECTIONS.map((table) => this.replicatePulled(table, workspaceId));
    return this.startRun([...replications, ...pulled], workspaceId);
  }

  private async stopWorkspace(run: WorkspaceRun): Promise<void> {
    run.gate.unsubscribe();
    await this.stopRun(run);
  }

  /** Pulls and pushes everything now (after a reconnect, or when the user asks). */
  reSync(): void {
    for (const handle of this.handles$.value) handle.reSync();
  }

  /** Resolves when every running replication is in sync (never in a tab that does not lead). */
  async awaitInSync(): Promise<void> {
    await Promise.all(this.handles$.value.map((h) => h.awaitInSync()));
  }

  /**
   * Pushes the edits of workspaces that are not the current one, once, before a sign-out:
   * their replications run only while they are current.
   */
  async flush(workspaceIds: readonly string[], timeoutMs: number): Promise<void> {
    const held = await Promise.all(
      workspaceIds.map((ws) =>
        firstValueFrom(this.held$(ws), { defaultValue: [] as readonly WritableCollection[] }),
      ),
    );
    const handles = workspaceIds.flatMap((ws, i) =>
      WRITABLE_COLLECTIONS.filter((table) => !held[i]?.includes(table)).map((table) => {
        const { handle, track } = this.replicateWritable(table, ws, false);
        return { handle, tracking: track() };
      }),
    );
    const done = Promise.all(
      handles.map(({ handle }) =>
        firstValueFrom(handle.canceled$.pipe(filter(Boolean)), { defaultValue: true }),
      ),
    );
    await Promise.race([done, firstValueFrom(timer(timeoutMs))]);
    for (const { handle, tracking } of handles) {
      await stopReplication(handle);
      tracking.unsubscribe();
    }
  }

  stop(): Promise<void> {
    return this.enqueue(async () => {
      if (this.workspace) await this.stopWorkspace(this.workspace);
      this.workspace = undefined;
      await this.stopRun(this.directory);
      this.lastError$.complete();
    });
  }

  private replicateWritable(
    table: WritableCollection,
    workspaceId: string,
    live: boolean,
  ): WritableReplication {
    const { db } = this.opts;
    switch (table) {
      case 'contacts':
        return this.wire(table, db.contacts, workspaceId, live);
      case 'contact_groups':
        return this.wire(table, db.contact_groups, workspaceId, live);
      case 'templates':
        return this.wire(table, db.templates, workspaceId, live);
      case 'campaigns':
        return this.wire(table, db.campaigns, workspaceId, live);
      case 'chats':
        return this.wire(table, db.chats, workspaceId, live);
      case 'chat_notes':
        return this.wire(table, db.chat_notes, workspaceId, live);
      case 'chat_reads':
        return this.wire(table, db.chat_reads, workspaceId, live);
    }
  }

  private replicatePulled(table: PulledCollection, workspaceId: string): Replication {
    const { db } = this.opts;
    switch (table) {
      case 'channels':
        return this.pull(table, db.channels, workspaceId);
      case 'messages':
        return this.pull(table, db.messages, workspaceId);
    }
  }

  private pull<D extends { id: string; workspace_id: string; server_modified?: string }>(
    table: PulledCollection,
    collection: RxCollection<D>,
    workspaceId: string,
  ): Replication {
    return { table, handle: this.replicate(table, collection, workspaceId, true, new PushedVersions()) };
  }

  private replicate<D extends { id: string; workspace_id: string; server_modified?: string }>(
    table: WritableCollection | PulledCollection,
    collection: RxCollection<D>,
    workspaceId: string,
    live: boolean,
    echoes: PushedVersions,
  ) {
    const { client, serverUrl, retry, writes } = this.opts;
    return replicateWorkspaceTable({
      client,
      table,
      workspaceId,
      live,
      echoes,
      settled: () => writes.settled(),
      collection,
      identifier: replicationIdentifier(serverUrl, table, workspaceId, collection.schema.version),
      retry,
      report: this.report,
    });
  }

  private wire<D extends EditedDocument & { server_modified?: string }>(
    table: WritableCollection,
    collection: RxCollection<D>,
    workspaceId: string,
    live: boolean,
  ): WritableReplication {
    const { pending, issues } = this.opts;
    const echoes = new PushedVersions();
    const handle = this.replicate(table, collection, workspaceId, live, echoes);
    // Where the server may rewrite a pushed row, its realtime event must still pull it.
    const ownEchoes = SERVER_REWRITES.includes(table) ? undefined : echoes;
    return {
      table,
      handle,
      echoes: ownEchoes,
      track: () => {
        const tracking = pending.track(table, collection, handle, workspaceId);
        if (isMarkedCollection(table)) tracking.add(issues.track(table, handle));
        return tracking;
      },
    };
  }

  private startRun(replications: Replication[], workspaceId: string | undefined): Run {
    const run: Run = { handles: [], channels: [], subscriptions: [], stopped: false };
    const { trace } = this.opts;
    for (const { table, handle, track } of replications) {
      run.handles.push(handle);
      run.subscriptions.push(
        handle.error$.subscribe((err) => this.lastError$.next(describeReplicationError(err))),
      );
      if (track) run.subscriptions.push(track());
      if (trace) run.subscriptions.push(trace.watch(table, handle));
    }
    this.handles$.next([...this.handles$.value, ...run.handles]);
    void this.opts.db.waitForLeadership().then(() => {
      if (run.stopped) return;
      for (const { table, handle, echoes } of replications) {
        // A new membership makes a workspace row readable without changing it: any change in
        // the directory pulls both of its tables.
        const targets = workspaceId === undefined ? run.handles : [handle];
        // Another device importing 100,000 contacts sends as many events: one pull per burst.
        const changes = new Subject<void>();
        run.subscriptions.push(
          changes
            .pipe(throttleTime(RESYNC_THROTTLE_MS, undefined, { leading: true, trailing: true }))
            .subscribe(() => {
              for (const target of targets) target.reSync();
            }),
        );
        // This device's own pushes come back as events too: they wake no pull.
        const isEcho = echoes ? (record: unknown) => echoes.isEcho(record) : undefined;
        const wake = () => {
          trace?.record({ at: Date.now(), kind: 'realtime', table });
          changes.next();
        };
        run.channels.push(watchTable(this.opts.client, table, workspaceId, wake, isEcho));
      }
    });
    return run;
  }

  private async stopRun(run: Run): Promise<void> {
    run.stopped = true;
    this.handles$.next(this.handles$.value.filter((h) => !run.handles.includes(h)));
    await Promise.all(run.channels.map((c) => this.opts.client.removeChannel(c)));
    await Promise.all(run.handles.map((h) => stopReplication(h)));
    for (const s of run.subscriptions) s.unsubscribe();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => {});
    return next;
  }
}
