/**
 * What this device has to tell about single records (src/domain/record-sync.ts): the server's
 * refusal of a record's push, the merges that decided between two edits of one field, the
 * deletes an edit undid. Kept in ONE RxDB local document of the user's database, because:
 * - it is this device's history, never replicated, and small: only refused or contested records
 *   are in it (rare), not one entry per edit, so an import writes nothing here;
 * - a collection would take the last free slot of RxDB's 13 (src/db/collections.ts), and a
 *   local-only field on the records would make every entry a write of the record itself,
 *   which the replication would push as an edit (and a schema migration of four collections);
 * - local documents reach every tab (multi-instance) and survive a reload, like the pending
 *   summary of status.ts next to it.
 * The leading tab, which replicates, records refusals and merges; any tab removes an entry when
 * the user acts on it. Pending-ness itself is not here: it comes from the replication's state
 * (status.ts).
 */
import type { RxReplicationState } from 'rxdb/plugins/replication';
import { BehaviorSubject, concatMap, filter, map, Subscription } from 'rxjs';
import type { PigeonDatabase } from '../db/database.ts';
import { localDocument$ } from '../db/local-document.ts';
import {
  isMarkedCollection,
  issueKey,
  type MarkedCollection,
  type MergeOutcome,
  mergeOutcome,
  type RecordIssues,
  withMerges,
  without,
  withRefusals,
} from '../domain/record-sync.ts';
import type { RefusedRow } from './replication.ts';

const LOCAL_ID = 'record-issues';

interface Stored {
  issues: RecordIssues;
}

/** The parts of a replication followed: its pushes and the conflicts it resolved. */
export type IssueReplication<D> = Pick<RxReplicationState<D, unknown>, 'sent$' | 'startPromise'> & {
  readonly internalReplicationState?: RxReplicationState<D, unknown>['internalReplicationState'];
};

type Doc = { id: string; _deleted?: boolean } & Record<string, unknown>;

export class RecordIssueStore {
  /** Every record's issues, as stored (all tabs). */
  readonly issues$ = new BehaviorSubject<RecordIssues>({});
  // Rows the server refused in the push under way: their confirmation (sent$) follows.
  private readonly refusedNow = new Set<string>();
  // Merges resolved since the last write: a push's conflicts resolve together, one write for all.
  private readonly merges: [string, MergeOutcome][] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly reading: Subscription;

  constructor(private readonly db: PigeonDatabase) {
    this.reading = localDocument$<Stored>(db, LOCAL_ID)
      .pipe(map((doc) => (doc ? (doc.toJSON().data as Stored).issues : {})))
      .subscribe((issues) => this.issues$.next(issues));
  }

  /** Rows of `table` the server would not write, with its reasons. */
  refused(table: string, rows: readonly RefusedRow[]): void {
    if (!isMarkedCollection(table)) return;
    const at = new Date().toISOString();
    for (const row of rows) this.refusedNow.add(issueKey(table, row.id));
    const refusals = rows.map((row) => ({ key: issueKey(table, row.id), reason: row.reason }));
    void this.change((issues) => withRefusals(issues, refusals, at));
  }

  /**
   * Follows `replication` of `collection` (in the tab that replicates): its resolved conflicts
   * are recorded, and a record it pushed and the server wrote loses its refusal.
   */
  track<D>(collection: MarkedCollection, replication: IssueReplication<D>): Subscription {
    const subscription = new Subscription();
    subscription.add(
      replication.sent$
        .pipe(
          map((doc) => issueKey(collection, (doc as unknown as Doc).id)),
          filter((key) => !this.refusedNow.delete(key) && this.issues$.value[key]?.error !== undefined),
          concatMap((key) => this.change((issues) => without(issues, key, { error: true }))),
        )
        .subscribe(),
    );
    void replication.startPromise.then(() => {
      const state = replication.internalReplicationState;
      if (subscription.closed || !state) return;
      subscription.add(
        state.events.resolvedConflicts.subscribe(({ input, output }) => {
          const local = input.newDocumentState as unknown as Doc;
          const outcome = mergeOutcome(
            collection,
            {
              base: input.assumedMasterState as unknown as Doc | undefined,
              local,
              remote: input.realMasterState as unknown as Doc,
            },
            output as unknown as Doc,
            new Date().toISOString(),
          );
          if (outcome.conflicts.length > 0 || outcome.restored) {
            this.recordMerge(issueKey(collection, local.id), outcome);
          }
        }),
      );
    }, report);
    return subscription;
  }

  private recordMerge(key: string, outcome: MergeOutcome): void {
    if (this.merges.push([key, outcome]) > 1) return;
    setTimeout(() => {
      const batch = this.merges.splice(0);
      void this.change((issues) => withMerges(issues, batch));
    });
  }

  /** Applies `edit` to the stored issues (one change after another in this tab; tabs retry). */
  change(edit: (issues: RecordIssues) => RecordIssues): Promise<void> {
    const next = this.queue.then(async () => {
      // A sign-out may close the database while a change waits its turn.
      if (this.db.closed) return;
      const doc = await this.db.getLocal<Stored>(LOCAL_ID);
      const current = doc ? (doc.toJSON().data as Stored).issues : {};
      if (edit(current) === current) return;
      if (doc) await doc.incrementalModify((data) => ({ issues: edit(data.issues) }));
      else await this.db.upsertLocal<Stored>(LOCAL_ID, { issues: edit(current) });
    });
    this.queue = next.catch(report);
    return next;
  }

  close(): void {
    this.reading.unsubscribe();
    this.issues$.complete();
  }
}

// A failed write (the database closing under it) must not stop the tracking.
function report(err: unknown): void {
  console.error('pigeon: recording a sync issue failed', err);
}
