/**
 * The service worker's send queue as the sync panel lists it (issue 16): each request with its
 * tries and the server's last answer, and the items people act on — one per request of
 * one-to-one messages, one per campaign launch. A launch's chunks are one item because a launch
 * is retried or discarded whole: discarding one chunk of it would leave it silently half sent.
 */

/** What the last try of a request got: an HTTP status and the server's reason, or no answer at all. */
export interface LastAnswer {
  /** Epoch ms. */
  at: number;
  /** Absent when nothing answered (no connection, the owner signed out). */
  status?: number;
  /** Short, for people. */
  reason: string;
}

/** One request waiting in the worker's queue. */
export interface QueuedRequest {
  /** Its id in the queue (kept in the entry's metadata). */
  key: string;
  /** When it was queued (epoch ms). */
  createdAt: number;
  attempts: number;
  /** When the worker tries it again on its own (epoch ms). */
  nextTry: number;
  /** Its last try found no network: it also goes as soon as the connection returns. */
  waitsForNetwork: boolean;
  /** Its user was signed out at its last try: it waits for them to sign in here again. */
  parked: boolean;
  lastAnswer?: LastAnswer;
  /** The ids of its one-to-one messages (none for a launch's chunk). */
  messageIds: string[];
  /** How many messages it carries. */
  messages: number;
  /** The campaign a launch's chunk belongs to. */
  campaign?: string;
}

/** What people see and act on: a request of messages, or every chunk of one campaign's launch. */
export interface QueueItem extends Omit<QueuedRequest, 'key' | 'campaign'> {
  /** The queue keys it covers: Retry now and Discard act on all of them. */
  keys: string[];
  kind: 'message' | 'launch';
  campaign?: string;
}

/** Longest reason kept from an answer: the panel shows it on one line. */
const REASON_CHARS = 120;

/** The items of `requests` (in queue order), oldest first; a launch's chunks merge into its first's place. */
export function queueItems(requests: readonly QueuedRequest[]): QueueItem[] {
  const items: QueueItem[] = [];
  const launches = new Map<string, QueueItem>();
  for (const { key, campaign, ...request } of requests) {
    const launch = campaign === undefined ? undefined : launches.get(campaign);
    if (launch) {
      launch.keys.push(key);
      launch.createdAt = Math.min(launch.createdAt, request.createdAt);
      launch.attempts = Math.max(launch.attempts, request.attempts);
      launch.nextTry = Math.min(launch.nextTry, request.nextTry);
      launch.waitsForNetwork ||= request.waitsForNetwork;
      launch.parked ||= request.parked;
      launch.messages += request.messages;
      if (request.lastAnswer && request.lastAnswer.at >= (launch.lastAnswer?.at ?? 0)) {
        launch.lastAnswer = request.lastAnswer;
      }
      continue;
    }
    const item: QueueItem = {
      ...request,
      messageIds: [...request.messageIds],
      keys: [key],
      kind: campaign === undefined ? 'message' : 'launch',
      ...(campaign === undefined ? {} : { campaign }),
    };
    if (campaign !== undefined) launches.set(campaign, item);
    items.push(item);
  }
  return items.sort((a, b) => a.createdAt - b.createdAt);
}

/** The reason to show for an answer: the server's `error` if it gave one, else its HTTP status. */
export function answerReason(status: number, body: unknown): string {
  const error = (body as { error?: unknown; message?: unknown } | null)?.error;
  const text = typeof error === 'string' && error.trim() !== '' ? error.trim() : `HTTP ${status}`;
  return text.length > REASON_CHARS ? `${text.slice(0, REASON_CHARS - 1)}…` : text;
}

/**
 * The queue keys a Retry now of `keys` sends: those, and every request of the same user queued
 * before the last of them, so one user's requests still reach the server in their order.
 * `queue` is every request in queue order with its user.
 */
export function keysToRetry(
  queue: readonly { key: string; user: string }[],
  keys: ReadonlySet<string>,
): Set<string> {
  const chosen = new Set<string>();
  const users = new Set(queue.filter((r) => keys.has(r.key)).map((r) => r.user));
  let last = -1;
  queue.forEach((r, i) => {
    if (keys.has(r.key)) last = i;
  });
  queue.forEach((r, i) => {
    if (i <= last && users.has(r.user)) chosen.add(r.key);
  });
  return chosen;
}
