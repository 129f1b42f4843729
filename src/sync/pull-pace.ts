/**
 * Back-pressure for a pull. RxDB's resync asks for the next page before it has stored the one
 * it has, and then stores every page pulled meanwhile in one write: when a resync meets
 * thousands of rows (an import's own rows coming back from the server while it runs), that
 * write is a main-thread task of a second or more. Waiting, before each page, until the
 * pages already handed over are stored keeps each write to one page.
 */
import { getComposedPrimaryKeyOfDocumentData } from 'rxdb';
import type { RxReplicationState } from 'rxdb/plugins/replication';

const POLL_MS = 20;
// A store that never lands (an error RxDB reports on its own) must not stall the pull.
const MAX_WAIT_MS = 10_000;

/** Resolves once the replication's stored pull checkpoint equals `checkpoint` (or gives up). */
export async function storedUpTo<D, C>(
  replication: RxReplicationState<D, C> | undefined,
  checkpoint: C | undefined,
  same: (a: C, b: C) => boolean,
): Promise<void> {
  const state = replication?.internalReplicationState;
  // The first page of a run starts from what is stored: nothing to wait for.
  if (!state || checkpoint === undefined) return;
  const meta = state.input.metaInstance;
  const id = getComposedPrimaryKeyOfDocumentData(meta.schema, { isCheckpoint: '1', itemId: 'down' });
  const until = Date.now() + MAX_WAIT_MS;
  while (Date.now() < until && !replication.isStopped()) {
    // Read directly: RxDB's getLastCheckpointDoc also caches what it read for its own writes.
    const [doc] = await meta.findDocumentsById([id], false);
    const stored = (doc as { checkpointData?: C } | undefined)?.checkpointData;
    if (stored !== undefined && same(stored, checkpoint)) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A page of a pull, as RxDB's pull handler returns it. */
export interface PulledPage<D, C> {
  documents: D[];
  checkpoint: C | undefined;
}

/**
 * Overlaps fetching with storing: once a full page arrives, the next one (after its
 * checkpoint) is fetched at once, while RxDB stores this one; the next call for that
 * checkpoint takes it. A page fetched early is simply a page fetched earlier: rows changed
 * meanwhile have a later `_modified` and come in a later page. A failed prefetch is fetched
 * again when asked for, so its error reaches RxDB's retry like any other.
 */
export function prefetchingPull<D, C, P extends PulledPage<D, C> = PulledPage<D, C>>(
  fetch: (after: C | undefined, limit: number) => Promise<P>,
  same: (a: C, b: C) => boolean,
): (after: C | undefined, limit: number) => Promise<P> {
  let ahead: { after: C; limit: number; page: Promise<P> } | undefined;
  return async (after, limit) => {
    const early = ahead;
    ahead = undefined;
    const page =
      early && after !== undefined && early.limit === limit && same(early.after, after)
        ? early.page.catch(() => fetch(after, limit))
        : fetch(after, limit);
    const result = await page;
    const next = result.checkpoint;
    if (result.documents.length >= limit && next !== undefined) {
      const prefetch = fetch(next, limit);
      prefetch.catch(() => undefined);
      ahead = { after: next, limit, page: prefetch };
    }
    return result;
  };
}
