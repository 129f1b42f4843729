// prefetchingPull (src/sync/pull-pace.ts): the next page is fetched while the current one is
// stored, used only for the checkpoint it was fetched after, and fetched again if it failed.
import { describe, expect, test } from 'vitest';
import { prefetchingPull } from '../../src/sync/pull-pace.ts';

const ROWS = Array.from({ length: 7 }, (_, i) => i + 1);

/** A server of ROWS paged after a numeric checkpoint, logging every fetch. */
function server(fail: Set<number> = new Set()) {
  const fetched: (number | undefined)[] = [];
  const fetch = async (after: number | undefined, limit: number) => {
    fetched.push(after);
    if (fail.delete(after ?? 0)) throw new Error(`page after ${after} failed`);
    const documents = ROWS.filter((r) => r > (after ?? 0)).slice(0, limit);
    return { documents, checkpoint: documents.at(-1) ?? after };
  };
  return { fetch, fetched };
}

const same = (a: number, b: number) => a === b;

describe('prefetchingPull', () => {
  test('a full page starts the fetch of the next one before it is asked for', async () => {
    const { fetch, fetched } = server();
    const pull = prefetchingPull(fetch, same);
    expect((await pull(undefined, 3)).documents).toEqual([1, 2, 3]);
    // Asked for nothing more yet, the page after 3 is already on its way.
    expect(fetched).toEqual([undefined, 3]);
    expect((await pull(3, 3)).documents).toEqual([4, 5, 6]);
    expect((await pull(6, 3)).documents).toEqual([7]);
    // The last page is not full: nothing fetched ahead of it; no page fetched twice.
    expect(fetched).toEqual([undefined, 3, 6]);
  });

  test('a prefetched page is used only for its own checkpoint', async () => {
    const { fetch, fetched } = server();
    const pull = prefetchingPull(fetch, same);
    await pull(undefined, 3);
    // A fresh run from elsewhere (e.g. after a restart from an older checkpoint).
    expect((await pull(1, 3)).documents).toEqual([2, 3, 4]);
    expect(fetched.slice(0, 3)).toEqual([undefined, 3, 1]);
  });

  test('a failed prefetch is fetched again when asked for', async () => {
    const { fetch, fetched } = server(new Set([3]));
    const pull = prefetchingPull(fetch, same);
    await pull(undefined, 3);
    expect((await pull(3, 3)).documents).toEqual([4, 5, 6]);
    expect(fetched.slice(0, 3)).toEqual([undefined, 3, 3]);
  });
});
