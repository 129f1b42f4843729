/**
 * Per-record sync state: waiting from the replication's own state (src/sync/status.ts, no write
 * per record), refusals and contested merges from this device's record of them
 * (src/sync/record-issues.ts). Acting on a conflict or a refusal is an edit of the record, which
 * syncs like any other.
 */
import type { RxCollection } from 'rxdb';
import { combineLatest, map, type Observable, of, switchMap } from 'rxjs';
import { isSameValue } from '../../domain/merge.ts';
import {
  issueKey,
  type MarkedCollection,
  type RecordIssues,
  type RecordSyncState,
  recordState,
  withFieldValue,
  without,
} from '../../domain/record-sync.ts';
import type { WaitingRecords } from '../../sync/status.ts';
import { editDocument } from '../shared/edit.ts';
import { fromAccessor, toAccessor } from '../shared/reactive.ts';
import { awaitScope, NO_SCOPE, type Scope, type ScopeSource } from '../shared/scope.ts';
import type { RecordMark, RecordSyncApi } from './api.ts';

type Editable = { id: string; workspace_id: string; updated_at: string } & Record<string, unknown>;

const NOTHING: WaitingRecords = { ids: new Set(), complete: true };
const SYNCED: RecordMark = { state: 'synced', conflicts: [] };

export function createRecordSyncApi(source: ScopeSource): RecordSyncApi {
  const waiting$ = (collection: MarkedCollection): Observable<WaitingRecords> =>
    source.scope$.pipe(switchMap((scope) => (scope ? scope.pending.waiting$(collection) : of(NOTHING))));
  const issues$ = source.scope$.pipe(
    switchMap((scope) => (scope ? scope.issues.issues$ : of<RecordIssues>({}))),
  );

  const collectionOf = (scope: Scope, collection: MarkedCollection) =>
    scope.db[collection] as unknown as RxCollection<Editable>;

  return {
    states(collection) {
      const prefix = issueKey(collection, '');
      const states$ = combineLatest([waiting$(collection), issues$]).pipe(
        map(([waiting, issues]) => {
          const states = new Map<string, RecordSyncState>();
          for (const id of waiting.ids) states.set(id, 'pending');
          for (const [key, issue] of Object.entries(issues)) {
            if (!key.startsWith(prefix)) continue;
            const id = key.slice(prefix.length);
            states.set(id, recordState(waiting.ids.has(id), issue));
          }
          return states as ReadonlyMap<string, RecordSyncState>;
        }),
      );
      return toAccessor(states$, new Map());
    },

    complete(collection) {
      return toAccessor(waiting$(collection).pipe(map((w) => w.complete)), true);
    },

    mark(collection, id) {
      const mark$ = combineLatest([fromAccessor(id), waiting$(collection), issues$]).pipe(
        map(([current, waiting, issues]): RecordMark => {
          if (current === undefined) return SYNCED;
          const issue = issues[issueKey(collection, current)];
          return {
            state: recordState(waiting.ids.has(current), issue),
            ...(issue?.error ? { error: issue.error.reason } : {}),
            conflicts: issue?.conflicts ?? [],
            ...(issue?.restored ? { restored: issue.restored } : {}),
          };
        }),
      );
      return toAccessor(mark$, SYNCED);
    },

    async retry(collection, id) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      await scope.issues.change((issues) => without(issues, issueKey(collection, id), { error: true }));
      // A new stamp makes it a local edit: the replication pushes it again.
      const edited = await editDocument(scope, collectionOf(scope, collection), id, (current) => current);
      return edited.ok ? { ok: true, value: undefined } : edited;
    },

    async keep(collection, id, field, side) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const key = issueKey(collection, id);
      const conflict = scope.issues.issues$.value[key]?.conflicts?.find((c) => c.field === field);
      if (!conflict) return { ok: false, error: `No change of ${field} to decide on.` };
      const value = side === 'mine' ? conflict.mine : conflict.theirs;
      const docs = collectionOf(scope, collection);
      const doc = await docs.findOne(id).exec();
      if (!doc) return { ok: false, error: 'It no longer exists.' };
      const current = withFieldValue(doc.toJSON() as Editable, field, value);
      if (!isSameValue(current, doc.toJSON())) {
        const edited = await editDocument(scope, docs, id, (state) => withFieldValue(state, field, value));
        if (!edited.ok) return edited;
      }
      await scope.issues.change((issues) => without(issues, key, { field }));
      return { ok: true, value: undefined };
    },

    async dismissRestored(collection, id) {
      const scope = await awaitScope(source);
      await scope?.issues.change((issues) => without(issues, issueKey(collection, id), { restored: true }));
    },
  };
}
