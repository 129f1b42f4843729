/**
 * RxDB records what a push wrote (its assumed master state: the base of the row's next
 * three-way merge, src/db/conflicts.ts) only after the request answers, and not at all if the
 * replication was canceled meanwhile. The next push of that row then has no base, and its merge
 * falls back to newer-wins on every field, undoing another device's edit of a field this one
 * never touched (found by the fuzz test, seed 216: a group created, the device reloaded while
 * the creation's push was under way, renamed elsewhere, deleted here: the creation's name came
 * back). So a replication stops only once its push requests under way have answered and RxDB
 * has recorded them, within a bound: a request that hangs must not hold a sign-out for long.
 */
import { within } from './within.ts';

/** Long enough for a push answered on a slow connection (or a loaded test machine). */
const RECORD_WAIT_MS = 10_000;

/** The part of an RxReplicationState a stop needs. */
export interface StoppableReplication {
  /** RxDB's upstream queue: each push runs in one of its tasks, which records the answer last. */
  readonly internalReplicationState?: { streamQueue: { up: Promise<unknown> } } | undefined;
  cancel(): Promise<unknown>;
}

/** The push requests of one replication under way, each with the queue task that records it. */
export class PushRequests {
  private readonly open = new Map<Promise<unknown>, Promise<unknown> | undefined>();
  /** The upstream queue as it stands (set once the replication exists). */
  queue: () => Promise<unknown> | undefined = () => undefined;

  /** Runs `request` as one a stop waits for. */
  track<T>(request: Promise<T>): Promise<T> {
    // Taken now, the queue ends with this push's own task: later tasks (another push that
    // may wait for the network) are not waited for.
    this.open.set(request, this.queue());
    const done = () => this.open.delete(request);
    request.then(done, done);
    return request;
  }

  /** Undefined when none is under way; else settles once each has answered and been recorded. */
  recorded(): Promise<unknown> | undefined {
    if (this.open.size === 0) return undefined;
    return Promise.all([...this.open].map(([request, task]) => request.then(() => task)));
  }
}

const registry = new WeakMap<object, PushRequests>();

export function registerPushRequests(replication: StoppableReplication, requests: PushRequests): void {
  requests.queue = () => replication.internalReplicationState?.streamQueue.up;
  registry.set(replication, requests);
}

/**
 * Cancels `replication` once the pushes under way are answered and recorded (a failed one
 * wrote nothing to record: RxDB would retry it, and the next start pushes it again).
 */
export async function stopReplication(replication: StoppableReplication): Promise<void> {
  const recorded = registry.get(replication)?.recorded();
  if (recorded) await within(recorded, RECORD_WAIT_MS);
  await replication.cancel();
}
