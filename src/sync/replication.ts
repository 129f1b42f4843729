/**
 * One RxDB replication per collection, over the sync RPCs of
 * supabase/migrations/20261202000900_sync_rpcs.sql.
 *
 * Built on replicateRxCollection rather than RxDB's replicateSupabase: replicateSupabase
 * detects push conflicts by adding an `eq`/`is` filter to the URL for every field of the
 * assumed server state, and throws on array and object fields, which contacts have (tags,
 * group_ids, custom_fields). Instead:
 * - pull: `pull_rows` pages a workspace's rows after a `{modified, id}` checkpoint, below a
 *   commit horizon, so a row whose transaction commits late is never skipped; rows it holds
 *   back for that are pulled again shortly (held-pull.ts);
 * - push: `push_changes` (push_rows) writes a batch with optimistic concurrency on the
 *   server-set `_modified` (the `server_modified` of the assumed master state) and returns the
 *   server's rows where that version is not the current one, for the conflict handler to
 *   merge, `{id, _refused}` for a row it would not write (reported; the rest are written),
 *   and the version of each row it wrote: the replication records it as the server's
 *   state, so the row's echo (realtime, then a pull) writes nothing; a pull stored after the
 *   push but answered before it (an older version of the row) is pulled again;
 * - live: a realtime `postgres_changes` subscription per table only says "something
 *   changed" and triggers a RESYNC, i.e. a pull through the RPC, never trusting the payload.
 */
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type {
  ReplicationPushOptions,
  RxCollection,
  RxError,
  RxReplicationWriteToMasterRow,
  RxTypeError,
  WithDeleted,
} from 'rxdb';
import { type RxReplicationState, replicateRxCollection } from 'rxdb/plugins/replication';
import {
  type PulledCollection,
  type ReadOnlyCollection,
  type ReplicatedCollection,
  storedProperties,
  WRITABLE_COLLECTIONS,
  type WritableCollection,
} from '../db/collections.ts';
import { documentToRow, rowToDocument } from '../db/documents.ts';
import { type RetryPolicy, retryDelay } from '../domain/backoff.ts';
import type { PushedVersions } from './echoes.ts';
import { heldPull } from './held-pull.ts';
import { type PulledPage, prefetchingPull, storedUpTo } from './pull-pace.ts';
import { PushRequests, registerPushRequests } from './push-window.ts';

/** The last row pulled, as the server printed it (microseconds matter). */
export interface Checkpoint {
  modified: string;
  id: string;
}

/** One checkpoint per workspace, for tables pulled across all of the user's workspaces. */
export type DirectoryCheckpoint = Record<string, Checkpoint>;

/** A row push_rows would not write, and the server's reason (a check, a policy). */
export interface RefusedRow {
  id: string;
  reason: string;
}

/** Told when a request of a replication succeeds (failures come on its error$). */
export interface ReplicationReport {
  succeeded(): void;
  /** Rows of a push the server refused while it wrote the rest of the batch. */
  refused(table: string, rows: readonly RefusedRow[]): void;
}

interface Common<D> {
  client: SupabaseClient;
  collection: RxCollection<D>;
  /** Unique per server, table and scope: RxDB keeps its checkpoints under it. */
  identifier: string;
  retry: RetryPolicy;
  report: ReplicationReport;
}

// Large pages: each page has fixed costs (a round trip, RxDB's reads and writes of its
// replication state, a window asked again by an open contacts list), so fewer, larger pages
// make an initial sync faster. Measured at 100k contacts (bench contacts-browser, load ≈ 20):
// 1,000-row pages took 1.5-2 s each, 2,500-row pages ≈ 3 s, so 2,500 stays; smaller pages
// shortened the longest main-thread task only from ≈ 250 to 211 ms (it is mostly GC).
const PULL_BATCH = 2500;
// A push's fixed costs (RxDB's reads and writes of its replication state, one request, one
// set-based push_rows) dwarf its per-row cost: a bulk change (an import) goes up 1000 rows a
// time, push_rows' own limit. Requests stay bounded by bytes too (rows of long notes).
const PUSH_BATCH = 1000;
const PUSH_REQUEST_BYTES = 1024 * 1024;

function isWritable(table: WritableCollection | PulledCollection): table is WritableCollection {
  return (WRITABLE_COLLECTIONS as readonly string[]).includes(table);
}

/**
 * A table of one workspace: both ways when the client writes it, else pulled only.
 * `live: false` runs until in sync and stops (used to push a workspace that is not the
 * current one before signing out).
 */
export function replicateWorkspaceTable<
  D extends { id: string; workspace_id: string; server_modified?: string },
>(
  opts: Common<D> & {
    table: WritableCollection | PulledCollection;
    workspaceId: string;
    live: boolean;
    /** Told the version of each row a push wrote. */
    echoes: PushedVersions;
    /** Resolves when local writes in progress (an import batch) are stored: pushes wait for it. */
    settled: () => Promise<void>;
  },
): RxReplicationState<D, Checkpoint> {
  const { client, table, workspaceId } = opts;
  const properties = storedProperties(table);
  const guard = backoff(opts);
  const requests = new PushRequests();
  const push = isWritable(table)
    ? {
        ...pushRows<D>(client, table, workspaceId, properties, guard, opts.report, opts.echoes, requests),
        waitBeforePersist: opts.settled,
      }
    : undefined;
  const pull = prefetchingPull(
    (after: Checkpoint | undefined, limit: number) =>
      pullPage<D>(client, table, properties, workspaceId, after, limit),
    sameCheckpoint,
  );
  const held = heldPull();
  const state: RxReplicationState<D, Checkpoint> = replicateRxCollection<D, Checkpoint>({
    replicationIdentifier: opts.identifier,
    collection: opts.collection,
    live: opts.live,
    retryTime: opts.retry.minMs,
    waitForLeadership: true,
    pull: {
      batchSize: PULL_BATCH,
      handler: guard(async (checkpoint, batchSize) => {
        // The page after `checkpoint` is fetched (or was, see prefetchingPull) while the pages
        // already handed over are stored; it is handed over once they are.
        const [page] = await Promise.all([
          pull(checkpoint, batchSize),
          storedUpTo(state, checkpoint, sameCheckpoint),
        ]);
        held.pulled(page.held);
        return { documents: page.documents, checkpoint: page.checkpoint };
      }),
    },
    ...(push ? { push } : {}),
  });
  guard.attach(state);
  held.attach(state as RxReplicationState<unknown, unknown>);
  registerPushRequests(state, requests);
  // A pull answered before one of this device's pushes committed and stored after it brings
  // the row back to an older version, and the push's echo woke no pull: pull again (echoes.ts).
  // The subscription ends with the replication (RxDB completes received$ on cancel).
  state.received$.subscribe((doc) => {
    if (opts.echoes.isBehind(doc.id, doc.server_modified)) state.reSync();
  });
  return state;
}

function pushRows<D extends { id: string; workspace_id: string; server_modified?: string }>(
  client: SupabaseClient,
  table: WritableCollection,
  workspaceId: string,
  properties: readonly string[],
  guard: ReturnType<typeof backoff>,
  report: ReplicationReport,
  echoes: PushedVersions,
  requests: PushRequests,
): ReplicationPushOptions<D> {
  const push = guard(async (rows: RxReplicationWriteToMasterRow<D>[]) => {
    const items = rows.map((row) => ({
      doc: documentToRow(row.newDocumentState),
      assumed: row.assumedMasterState?.server_modified ?? null,
    }));
    const states = new Map(rows.map((row) => [row.newDocumentState.id, row.newDocumentState]));
    const conflicts: WithDeleted<D>[] = [];
    const refused: RefusedRow[] = [];
    // One request after another, each its own transaction. A failure retries the whole batch:
    // rows an earlier request wrote then come back as conflicts and merge like any other.
    for (const chunk of byteChunks(items, PUSH_REQUEST_BYTES)) {
      const { data, error } = await client.rpc('push_changes', { p_table: table, p_rows: chunk });
      if (error) throw new Error(`pushing ${table}: ${error.message}`);
      const answer = pushAnswer(data, table);
      for (const row of answer.conflicts) {
        const conflict = asRow(row, table);
        if (typeof conflict._refused === 'string')
          refused.push({ id: String(conflict.id), reason: conflict._refused });
        else conflicts.push(rowToDocument<D>(properties, conflict));
      }
      for (const [id, version] of Object.entries(answer.written)) {
        // RxDB records the pushed state (this very object) as what the server holds: with the
        // version the server gave it, the next push assumes the right one and the pull finds
        // the row equal, without writing the stored document again.
        const state = states.get(id);
        if (state) state.server_modified = version;
        echoes.pushed(id, version);
      }
    }
    return { conflicts, refused };
  });
  return {
    batchSize: PUSH_BATCH,
    // The collection holds every workspace of the user; this replication pushes only its
    // own (a document of another workspace waits for that workspace's replication).
    modifier: (doc) => (doc.workspace_id === workspaceId ? doc : null),
    handler: async (rows) => {
      const { conflicts, refused } = await requests.track(push(rows));
      // After the guard reported the success, so the refusal stays shown.
      if (refused.length > 0) report.refused(table, refused);
      return conflicts;
    },
  };
}

/** push_changes' answer: the server's rows that conflict, and the versions of those written. */
function pushAnswer(data: unknown, table: string): { conflicts: unknown[]; written: Record<string, string> } {
  const answer = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const { conflicts, written } = answer;
  if (!Array.isArray(conflicts) || typeof written !== 'object' || written === null) {
    throw new Error(`pushing ${table}: the server's answer has no conflicts and written versions`);
  }
  const versions: Record<string, string> = {};
  for (const [id, version] of Object.entries(written)) {
    if (typeof version !== 'string') throw new Error(`pushing ${table}: row ${id} came back with no version`);
    versions[id] = version;
  }
  return { conflicts, written: versions };
}

const utf8 = new TextEncoder();

/** Consecutive runs of `items` whose JSON array stays within `maxBytes` (one item alone may not). */
export function byteChunks<T>(items: readonly T[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 2;
  for (const item of items) {
    const size = utf8.encode(JSON.stringify(item)).length + 1;
    if (chunk.length > 0 && bytes + size > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 2;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * A read-only table across every workspace the user belongs to (workspaces and their
 * members: the workspace switcher needs all of them). Workspaces the user has left stay in
 * the checkpoint and are still asked, so the soft delete of their membership arrives.
 */
export function replicateDirectoryTable<D>(
  opts: Common<D> & { table: ReadOnlyCollection },
): RxReplicationState<D, DirectoryCheckpoint> {
  const { client, table } = opts;
  const properties = storedProperties(table);
  const guard = backoff(opts);
  const held = heldPull();
  const state = replicateRxCollection<D, DirectoryCheckpoint>({
    replicationIdentifier: opts.identifier,
    collection: opts.collection,
    retryTime: opts.retry.minMs,
    waitForLeadership: true,
    pull: {
      batchSize: PULL_BATCH,
      handler: guard(async (checkpoint, batchSize) => {
        const { data, error } = await client.rpc('my_workspace_ids');
        if (error) throw new Error(`listing workspaces: ${error.message}`);
        const ids = new Set<string>([
          ...(Array.isArray(data) ? data.map(String) : []),
          ...Object.keys(checkpoint ?? {}),
        ]);
        const next: DirectoryCheckpoint = { ...checkpoint };
        const documents: WithDeleted<D>[] = [];
        let anyHeld = false;
        // RxDB pulls again while a page is full; a full page of any workspace makes it so.
        for (const id of ids) {
          const page = await pullPage<D>(client, table, properties, id, next[id], batchSize);
          documents.push(...page.documents);
          if (page.checkpoint) next[id] = page.checkpoint;
          anyHeld ||= page.held;
        }
        held.pulled(anyHeld);
        return { documents, checkpoint: next };
      }),
    },
  });
  guard.attach(state);
  held.attach(state as RxReplicationState<unknown, unknown>);
  return state;
}

async function pullPage<D>(
  client: SupabaseClient,
  table: ReplicatedCollection,
  properties: readonly string[],
  workspaceId: string,
  after: Checkpoint | undefined,
  limit: number,
): Promise<PulledPage<WithDeleted<D>, Checkpoint> & { held: boolean }> {
  const { data, error } = await client.rpc('pull_rows', {
    p_table: table,
    p_workspace_id: workspaceId,
    p_after_modified: after?.modified ?? null,
    p_after_id: after?.id ?? null,
    p_limit: limit,
  });
  if (error) throw new Error(`pulling ${table}: ${error.message}`);
  const page: unknown = data;
  const rows = typeof page === 'object' && page !== null && 'rows' in page ? page.rows : undefined;
  if (!Array.isArray(rows)) throw new Error(`pulling ${table}: the server sent no rows`);
  const parsed = rows.map((row: unknown) => asRow(row, table));
  const last = parsed.at(-1);
  return {
    documents: parsed.map((row) => rowToDocument<D>(properties, row)),
    checkpoint: last ? { modified: String(last._modified), id: String(last.id) } : after,
    // Rows committed past the commit horizon wait for another pull (a server before
    // 20261205100000 does not say: false).
    held: (page as { held?: unknown }).held === true,
  };
}

const sameCheckpoint = (a: Checkpoint, b: Checkpoint) => a.modified === b.modified && a.id === b.id;

function asRow(value: unknown, table: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || typeof (value as { id?: unknown }).id !== 'string') {
    throw new Error(`${table}: the server sent a row without an id`);
  }
  return value as Record<string, unknown>;
}

/**
 * Wraps a replication's handlers: each failure doubles the wait before RxDB retries (up to
 * the policy's maximum), a success resets it and is reported for the sync status.
 */
function backoff(opts: { retry: RetryPolicy; report: ReplicationReport }) {
  let failures = 0;
  let state: { retryTime?: number | undefined } | undefined;
  const wrap =
    <A extends unknown[], R>(handler: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await handler(...args);
        failures = 0;
        if (state) state.retryTime = opts.retry.minMs;
        opts.report.succeeded();
        return result;
      } catch (err) {
        failures += 1;
        if (state) state.retryTime = retryDelay(failures, opts.retry);
        throw err;
      }
    };
  return Object.assign(wrap, {
    attach(replication: { retryTime?: number | undefined }) {
      state = replication;
    },
  });
}

/**
 * Calls `onChange` whenever a row of `table` visible to the user changes (except this device's
 * own pushes, `isEcho`), and each time the channel (re)joins: changes made while the socket was
 * down are then pulled too.
 */
export function watchTable(
  client: SupabaseClient,
  table: ReplicatedCollection,
  workspaceId: string | undefined,
  onChange: () => void,
  isEcho: (record: unknown) => boolean = () => false,
): RealtimeChannel {
  const filter = workspaceId ? { filter: `workspace_id=eq.${workspaceId}` } : {};
  // Channel names are per client; a random part keeps two subscriptions of one table apart.
  const name = `pigeon:${table}:${workspaceId ?? 'all'}:${Math.random().toString(36).slice(2)}`;
  return client
    .channel(name)
    .on('postgres_changes', { event: '*', schema: 'public', table, ...filter }, (payload) => {
      if (!isEcho(payload.new)) onChange();
    })
    .subscribe((status) => {
      if (status === 'SUBSCRIBED') onChange();
    });
}

/** A readable message from a replication error (RxDB wraps the handler's error). */
export function describeReplicationError(err: RxError | RxTypeError | unknown): string {
  if (typeof err === 'object' && err !== null && 'parameters' in err) {
    const { parameters } = err as RxError;
    const inner = parameters.errors?.[0]?.message ?? parameters.error?.message;
    if (inner) return inner;
  }
  return err instanceof Error ? err.message : String(err);
}
