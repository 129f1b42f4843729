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
