/**
 * What a queued send command's HTTP answer means (DESIGN.md: reconnect). The service worker
 * replays a command until the answer is definite; Workbox's stock replay would count any
 * answer as delivered and lose a 401 or a 500.
 * - 2xx: the server took the batch (its per-item results say what became of each message);
 * - 401: the token expired or was revoked: refresh the session and try again;
 * - 408, 429, 5xx: the server's trouble, not the request's: keep it and retry later;
 * - any other 4xx: the request itself is wrong and will never pass: drop it, tell the user.
 */
export type ReplayVerdict = 'delivered' | 'refresh' | 'retry' | 'drop';

export function replayVerdict(status: number): ReplayVerdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 401) return 'refresh';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  if (status >= 400) return 'drop';
  // 1xx and 3xx never end a fetch that follows redirects; if one does, try again later.
  return 'retry';
}

/**
 * How long a Retry-After header asks to wait, in ms: delta-seconds or an HTTP date.
 * Undefined when absent or unreadable (the caller's own backoff applies).
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its month ("Mon, 23 Nov 2026 10:00:30 GMT"); Date.parse alone would
  // also read "-5" as a year.
  const at = /[a-z]{3}/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The queue goes in order: a request that waits holds back those queued after it, so a
 * conversation's messages and a campaign's chunks reach the server in the order they were
 * written. One that has failed this often no longer holds the others: a request the server
 * keeps failing on must not stall the outbox.
 */
export const HOLDS_UNTIL_ATTEMPTS = 5;

/** Where a queued request stands: tries so far, and not replayed before `notBefore` (epoch ms). */
export interface QueuedTry {
  attempts: number;
  notBefore: number;
}

export function holdsQueue(entry: QueuedTry): boolean {
  return entry.attempts < HOLDS_UNTIL_ATTEMPTS;
}

/** When the next replay may send something: the earliest time up to the first request that holds the rest. */
export function nextReplayAt(queue: readonly QueuedTry[]): number | undefined {
  let due = Number.POSITIVE_INFINITY;
  for (const entry of queue) {
    due = Math.min(due, entry.notBefore);
    if (holdsQueue(entry)) break;
  }
  return Number.isFinite(due) ? due : undefined;
}

/**
 * A queued request of one user of this device (the subject of the token it was queued
 * with). Each user's requests go in order among themselves; nobody's wait holds another's.
 */
export interface OwnedTry extends QueuedTry {
  user: string;
  /** Its user is not the one signed in now: it waits, unsent, for them to sign in again. */
  parked?: boolean;
}

/** When the next replay may send something for any user; parked requests wait for a sign-in, not a time. */
export function nextOwnedReplayAt(queue: readonly OwnedTry[]): number | undefined {
  const byUser = new Map<string, OwnedTry[]>();
  for (const entry of queue) {
    if (entry.parked) continue;
    const list = byUser.get(entry.user) ?? [];
    list.push(entry);
    byUser.set(entry.user, list);
  }
  const times = [...byUser.values()].map(nextReplayAt).filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.min(...times) : undefined;
}
