/**
 * The sync panel's facts and the diagnostics report, from what this device knows: the sync
 * trace (src/sync/trace.ts), local counts and checkpoints, storage, the service worker's queue
 * size. The report is built to be pasted into a bug report: tokens are removed from every
 * string, and message text is left out unless the user ticks it.
 */
import { firstValueFrom, type Observable, of, switchMap } from 'rxjs';
import { PULLED_COLLECTIONS, WRITABLE_COLLECTIONS, type WritableCollection } from '../../db/collections.ts';
import { type QueuedRequest, queueItems } from '../../domain/queued-requests.ts';
import { redactDeep } from '../../domain/redact.ts';
import type { DeviceStorage } from '../../sync/device-storage.ts';
import type { SyncTrace } from '../../sync/trace.ts';
import { toAccessor } from '../shared/reactive.ts';
import type { ScopeSource } from '../shared/scope.ts';
import type { CollectionFacts, DiagnosticsApi, DiagnosticsOptions } from './api.ts';

export interface DiagnosticsDeps {
  trace$: Observable<SyncTrace | undefined>;
  storage: DeviceStorage;
  online: () => boolean;
  /** Local edits not yet confirmed by the server. */
  pending: () => number;
  /** The user's send requests waiting in the service worker. */
  queued: () => number;
  /** Those requests, each with its tries and last answer (none without a worker). */
  queuedRequests: () => Promise<QueuedRequest[]>;
}

/** Messages the report lists (those that wait or failed), newest first. */
const LISTED_MESSAGES = 50;

export function createDiagnosticsApi(source: ScopeSource, deps: DiagnosticsDeps): DiagnosticsApi {
  let trace: SyncTrace | undefined;
  deps.trace$.subscribe((t) => {
    trace = t;
  });

  async function collections(): Promise<CollectionFacts[]> {
    const scope = source.current();
    if (!scope) return [];
    const tables = trace?.tables() ?? {};
    const checkpoints = (await trace?.checkpoints()) ?? {};
    const waiting = await firstValueFrom(scope.pending.collections$(scope.workspace.id));
    const pushed = new Set<string>(WRITABLE_COLLECTIONS);
    return Promise.all(
      [...WRITABLE_COLLECTIONS, ...PULLED_COLLECTIONS].map(async (table) => {
        // Every collection here has workspace_id; the union of their types has no common count().
        const collection = scope.db[table] as unknown as {
          count(query: { selector: Record<string, unknown> }): { exec(): Promise<number> };
          find(query: { selector: Record<string, unknown> }): { exec(): Promise<unknown[]> };
        };
        const query = { selector: { workspace_id: scope.workspace.id } };
        // RxDB counts only where an index starts with workspace_id; elsewhere it refuses (a
        // "slow count"), and the documents are read instead: these collections are small.
        const local = await collection
          .count(query)
          .exec()
          .catch(async () => (await collection.find(query).exec()).length);
        return {
          table,
          local,
          ...(pushed.has(table) ? { pending: waiting[table as WritableCollection] ?? 0 } : {}),
          ...tables[table],
          checkpoint: checkpoints[table],
        };
      }),
    );
  }

  /** Messages waiting or failed: ids, status and reason; their text only if asked for. */
  async function messages({ includeMessageText }: DiagnosticsOptions) {
    const scope = source.current();
    if (!scope) return [];
    const workspace_id = scope.workspace.id;
    // Sent from this device and not yet accepted by the server, or refused; and those the
    // server failed to deliver.
    const [outgoing, failed] = await Promise.all([
      scope.db.outgoing_messages
        .find({ selector: { workspace_id, status: { $in: ['queued', 'failed'] } } })
        .exec(),
      scope.db.messages.find({ selector: { workspace_id, status: 'failed' } }).exec(),
    ]);
    return [...outgoing, ...failed]
      .map((doc) => ({
        id: doc.id,
        status: doc.status,
        created_at: doc.created_at,
        error: doc.error ?? null,
        ...(includeMessageText ? { body: doc.body } : {}),
      }))
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .slice(0, LISTED_MESSAGES);
  }

  return {
    events: toAccessor(deps.trace$.pipe(switchMap((t) => t?.events$ ?? of([]))), []),
    pending: toAccessor(
      source.scope$.pipe(
        switchMap((scope) => (scope ? scope.pending.collections$(scope.workspace.id) : of({}))),
      ),
      {},
    ),
    tables: toAccessor(deps.trace$.pipe(switchMap((t) => t?.tables$ ?? of({}))), {}),
    collections,

    async report(opts) {
      const scope = source.current();
      const report = {
        generated_at: new Date().toISOString(),
        user_agent: globalThis.navigator?.userAgent ?? 'node',
        online: deps.online(),
        workspace: scope ? { id: scope.workspace.id } : null,
        pending_changes: deps.pending(),
        queued_send_requests: deps.queued(),
        // What each waits with; which messages it carries are in messages_waiting_or_failed.
        send_queue: queueItems(await deps.queuedRequests()).map(({ keys, messageIds, ...item }) => ({
          ...item,
          requests: keys.length,
        })),
        storage: {
          ...(await deps.storage.usage()),
          persisted: deps.storage.persisted$.value ?? null,
          full: deps.storage.full$.value,
        },
        collections: await collections(),
        messages_waiting_or_failed: await messages(opts),
        message_text_included: opts.includeMessageText,
        events: trace?.events$.value ?? [],
      };
      return JSON.stringify(redactDeep(report), null, 2);
    },
  };
}
