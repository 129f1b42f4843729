/**
 * Everything of one signed-in user on this device: their database, what waits to sync, the
 * workspace they work in, and, while their session is usable, the replications.
 *
 * A sign-out that removes this device's data (shared computers) removes the database, its
 * IndexedDB files included: the server has every change (sign-out pushes first, or the user
 * chose to discard), and the next person using this browser must not find it. A plain
 * sign-out, an expiry, or another user signing in over an expired one only closes it:
 * unpushed changes stay until that user signs in again.
 */
import type { RxStorage } from 'rxdb';
import {
  BehaviorSubject,
  combineLatest,
  distinctUntilChanged,
  map,
  type Observable,
  type Subscription,
} from 'rxjs';
import { openPigeonDatabase, type PigeonDatabase, userDatabaseName } from '../db/database.ts';
import { deleteIndexedDbFiles } from '../db/delete-databases.ts';
import { domainOf } from '../db/documents.ts';
import type { Workspace, WorkspaceMember, WorkspaceRole } from '../domain/types.ts';
import { SyncEngine, type SyncEngineOptions } from './engine.ts';
import { LocalWrites } from './local-writes.ts';
import { RecordIssueStore } from './record-issues.ts';
import type { KeyValueStorage } from './session.ts';
import { PendingChanges } from './status.ts';
import { SyncTrace } from './trace.ts';
import { within } from './within.ts';

/** How long a sign-out waits for the user's IndexedDB databases to be deleted. */
const DELETE_WAIT_MS = 10_000;

export interface CurrentWorkspace {
  workspace: Workspace;
  role: WorkspaceRole;
}

export interface UserSpaceOptions {
  userId: string;
  databasePrefix: string;
  rxStorage: RxStorage<unknown, unknown>;
  multiInstance: boolean;
  /** Remembers the chosen workspace per user. */
  storage: KeyValueStorage;
}

export class UserSpace {
  readonly pending: PendingChanges;
  /** Refusals and contested merges of single records (their sync marks). */
  readonly issues: RecordIssueStore;
  /** Bulk local writes in progress, which pushes wait for. */
  readonly writes = new LocalWrites();
  /** What the sync did (the sync panel), kept with the user's data. */
  readonly trace: SyncTrace;
  /** The workspaces the user is a member of, by name. */
  readonly workspaces$: Observable<Workspace[]>;
  /** The chosen workspace, else the first by name; undefined until the workspaces are pulled. */
  readonly current$ = new BehaviorSubject<CurrentWorkspace | undefined>(undefined);
  readonly engine$ = new BehaviorSubject<SyncEngine | undefined>(undefined);
  private readonly chosen$: BehaviorSubject<string | undefined>;
  private readonly subscriptions: Subscription[] = [];
  private engineSubscription: Subscription | undefined;
  private syncOptions: Omit<SyncEngineOptions, 'db' | 'pending' | 'issues' | 'writes'> | undefined;

  static async open(opts: UserSpaceOptions): Promise<UserSpace> {
    const db = await openPigeonDatabase({
      name: userDatabaseName(opts.databasePrefix, opts.userId),
      storage: opts.rxStorage,
      multiInstance: opts.multiInstance,
    });
    return new UserSpace(db, opts.userId, opts.storage);
  }

  private constructor(
    readonly db: PigeonDatabase,
    readonly userId: string,
    private readonly storage: KeyValueStorage,
  ) {
    this.pending = new PendingChanges(db);
    this.trace = new SyncTrace(db.name);
    this.issues = new RecordIssueStore(db);
    this.chosen$ = new BehaviorSubject(storage.getItem(this.choiceKey()) ?? undefined);
    const memberships$ = db.workspace_members
      .find({ selector: { user_id: userId } })
      .$.pipe(map((docs) => docs.map((doc) => domainOf<WorkspaceMember>(doc))));
    const all$ = db.workspaces.find().$.pipe(map((docs) => docs.map((doc) => domainOf<Workspace>(doc))));
    this.workspaces$ = combineLatest([memberships$, all$]).pipe(
      map(([memberships, workspaces]) => {
        const mine = new Set(memberships.map((m) => m.workspace_id));
        return workspaces.filter((w) => mine.has(w.id)).sort((a, b) => a.name.localeCompare(b.name));
      }),
    );
    this.subscriptions.push(
      combineLatest([this.workspaces$, memberships$, this.chosen$])
        .pipe(
          map(([workspaces, memberships, chosen]) => {
            const workspace = workspaces.find((w) => w.id === chosen) ?? workspaces[0];
            const role = memberships.find((m) => m.workspace_id === workspace?.id)?.role;
            return workspace && role ? { workspace, role } : undefined;
          }),
        )
        .subscribe((current) => {
          this.current$.next(current);
          // The first workspace becomes the chosen one, so that a workspace joined later (and
          // sorted before it) does not take its place.
          if (current && this.chosen$.value === undefined) this.remember(current.workspace.id);
        }),
    );
  }

  get engine(): SyncEngine | undefined {
    return this.engine$.value;
  }

  /** Starts replicating (idempotent); the workspace replications follow the current workspace. */
  startSync(opts: Omit<SyncEngineOptions, 'db' | 'pending' | 'issues' | 'writes' | 'trace'>): void {
    this.syncOptions = opts;
    if (this.engine) return;
    const engine = new SyncEngine({
      ...opts,
      db: this.db,
      pending: this.pending,
      issues: this.issues,
      writes: this.writes,
      trace: this.trace,
    });
    this.engine$.next(engine);
    this.engineSubscription = this.current$
      .pipe(
        map((current) => current?.workspace.id),
        distinctUntilChanged(),
      )
      .subscribe((id) => void engine.switchWorkspace(id));
  }

  /**
   * Back online: fresh replications pull and push at once. RxDB's own retry would wait out
   * the backoff a failed push left behind (seconds), and its reSync() only pulls.
   */
  async restartSync(): Promise<void> {
    const opts = this.syncOptions;
    if (!opts || !this.engine) return;
    await this.stopSync();
    this.startSync(opts);
  }

  async stopSync(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    this.engineSubscription?.unsubscribe();
    this.engine$.next(undefined);
    await engine.stop();
  }

  /** Makes `workspaceId` current and waits until its replications run. */
  async choose(workspaceId: string): Promise<void> {
    this.remember(workspaceId);
    await this.engine?.switchWorkspace(this.current$.value?.workspace.id);
  }

  async close({ remove }: { remove: boolean }): Promise<void> {
    await this.stopSync();
    for (const s of this.subscriptions) s.unsubscribe();
    await this.pending.close();
    this.issues.close();
    this.current$.complete();
    this.engine$.complete();
    if (remove) {
      this.storage.removeItem(this.choiceKey());
      await this.trace.remove();
      await this.db.remove();
      // Bounded: a tab slow to let go of a database must not hold the sign-out; the deletion
      // still completes when it does.
      await within(
        deleteIndexedDbFiles(this.db.name).catch((err: unknown) =>
          console.error('pigeon: the local database could not be deleted', err),
        ),
        DELETE_WAIT_MS,
      );
    } else {
      this.trace.close();
      await this.db.close();
    }
  }

  private remember(workspaceId: string): void {
    this.storage.setItem(this.choiceKey(), workspaceId);
    this.chosen$.next(workspaceId);
  }

  private choiceKey(): string {
    return `pigeon:workspace:${this.userId}`;
  }
}
