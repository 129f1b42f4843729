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
  /** RxDB's upstream queue: the push being handled, up to its record in the meta instance. */
  readonly internalReplicationState?: { streamQueue: { up: Promise<unknown> } } | undefined;
  cancel(): Promise<unknown>;
}

/** The push requests of one replication under way. */
export class PushRequests {
  private readonly open = new Set<Promise<unknown>>();

  /** Runs `request` as one a stop waits for. */
  track<T>(request: Promise<T>): Promise<T> {
    this.open.add(request);
    const done = () => this.open.delete(request);
    request.then(done, done);
    return request;
  }

  /** Undefined when none is under way; else settles once all answered (rejects if one failed). */
  answered(): Promise<unknown> | undefined {
    return this.open.size === 0 ? undefined : Promise.all(this.open);
  }
}

const registry = new WeakMap<object, PushRequests>();

export function registerPushRequests(replication: object, requests: PushRequests): void {
  registry.set(replication, requests);
}

/**
 * Cancels `replication` once the pushes under way are answered and recorded (a failed one
 * wrote nothing to record: RxDB would retry it, and the next start pushes it again).
 */
export async function stopReplication(replication: StoppableReplication): Promise<void> {
  const answered = registry.get(replication)?.answered();
  if (answered) {
    const until = Date.now() + RECORD_WAIT_MS;
    // Taken once the answer is in: the queue then runs up to the answer's record.
    const recorded = answered.then(() => replication.internalReplicationState?.streamQueue.up);
    await within(recorded, until - Date.now());
  }
  await replication.cancel();
}
