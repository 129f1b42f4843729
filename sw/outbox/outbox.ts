// The send-command outbox of the service worker (DESIGN.md: the second path up).
//
// A page POSTs commands to /functions/v1/outbox. The worker tries at once; what cannot go
// through now (offline, a 5xx, a 429, a token it cannot refresh) is kept in a Workbox
// background-sync queue and the page gets 202 {queued: true}. The queue is replayed on
// the `sync` event (even with every tab closed), when the worker starts, and when a tab
// asks ("retry now", or it saw the network come back).
//
// Workbox's stock replay would lose commands twice over: it counts any HTTP answer as
// delivered (a 401 or a 500 would be dropped), and it resends the headers a request was
// queued with (a stale JWT). This replay asks deliver.ts, which sends with the current
// session and keeps everything but a definite 4xx. Every outcome is recorded for the tabs
// (src/sync/outbox-outcomes.ts) and the queue's life is announced on BroadcastChannel
// "pigeon".
import { Queue } from 'workbox-background-sync';
import { retryDelay } from '../../src/domain/backoff.ts';
import { holdsQueue, nextReplayAt, type QueuedTry, retryAfterMs } from '../../src/domain/command-replay.ts';
import { type CommandOutcome, recordOutcomes } from '../../src/sync/outbox-outcomes.ts';
import {
  commandIds,
  type OutboxAnnouncement,
  outcomesOfAnswer,
  PIGEON_CHANNEL,
  type QueuedAnswer,
  type QueuedCommands,
  queuedCommandsOf,
  waitingOf,
} from '../../src/sync/outbox-protocol.ts';
import { type Attempt, deliver } from './deliver.ts';

/** Backoff between replays of a request the server answered 5xx (or could not be reached). */
const REPLAY_RETRY = { minMs: 2_000, maxMs: 5 * 60_000 };
/** Workbox removes older entries silently: keep commands far longer than any outage. */
const RETENTION_MINUTES = 60 * 24 * 60;

/** What the queue hands back (Workbox does not export the type). */
type QueueEntry = NonNullable<Awaited<ReturnType<Queue['shiftRequest']>>>;

interface EntryMeta extends QueuedTry, Partial<QueuedCommands> {
  /** The last try found no network: the next sign of a connection replays it at once. */
  offline: boolean;
}

/**
 * Why a replay runs: `force` ("retry now") takes everything; `reconnect` (the sync event, a
 * tab that saw the network come back, the worker starting) takes what is due and what waits
 * for a network; `due` (the backoff timer) only what is due.
 */
export type ReplayMode = 'force' | 'reconnect' | 'due';

const broadcast = new BroadcastChannel(PIGEON_CHANNEL);
const announce = (message: OutboxAnnouncement) => broadcast.postMessage(message);

const queue = new Queue('pigeon-outbox', {
  maxRetentionTime: RETENTION_MINUTES,
  // Throwing tells the browser the sync failed, so it fires `sync` again later.
  onSync: async () => {
    const kept = await replay('reconnect');
    if (kept > 0) throw new Error(`${kept} send command(s) could not be delivered yet`);
  },
});

export async function announceSize(): Promise<void> {
  const entries = await queue.getAll();
  announce({ type: 'outbox-size', size: entries.length, waiting: waitingOf(entries.map(metaOf)) });
}

/** Records what a definite answer means for each message of the request and tells the tabs. */
async function settle(body: unknown, attempt: Attempt): Promise<void> {
  const response = attempt.response;
  if (!response) return;
  const answer: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  const outcomes: Array<[string, CommandOutcome]> = outcomesOfAnswer(
    commandIds(body),
    response.status,
    answer,
  );
  await recordOutcomes(outcomes);
  announce({ type: 'outbox-outcomes' });
}

async function bodyOf(request: Request): Promise<unknown> {
  return request
    .clone()
    .json()
    .catch(() => null);
}

/** A command POSTed by a page: sent now if possible, else queued. */
export async function handleCommand(request: Request): Promise<Response> {
  const stored = request.clone();
  const body = await bodyOf(request);
  const attempt = await deliver(request);
  if (attempt.verdict === 'delivered' || attempt.verdict === 'drop') {
    await settle(body, attempt);
    // The page reads the answer too (its per-item results or the reason it was refused).
    return attempt.response ?? Response.json({ error: 'no answer' }, { status: 502 });
  }
  await queue.pushRequest({
    request: stored,
    metadata: {
      ...nextTry({ attempts: 0, notBefore: 0, offline: false }, attempt),
      ...queuedCommandsOf(body),
    },
  });
  await announceSize();
  schedule();
  const answer: QueuedAnswer = { queued: true };
  return Response.json(answer, { status: 202 });
}

function nextTry(meta: EntryMeta, attempt: Attempt): EntryMeta {
  const attempts = meta.attempts + 1;
  const asked = retryAfterMs(attempt.response?.headers.get('retry-after') ?? null);
  const wait = asked ?? retryDelay(attempts, REPLAY_RETRY);
  return { attempts, notBefore: Date.now() + wait, offline: attempt.response === undefined };
}

function metaOf(entry: QueueEntry): EntryMeta {
  return (entry.metadata ?? { attempts: 0, notBefore: 0, offline: true }) as unknown as EntryMeta;
}

function isDue(meta: EntryMeta, mode: ReplayMode): boolean {
  return mode === 'force' || meta.notBefore <= Date.now() || (mode === 'reconnect' && meta.offline);
}

let running: Promise<number> | undefined;

/** Replays the queue once (one run at a time); resolves with how many requests wait still. */
export function replay(mode: ReplayMode): Promise<number> {
  running ??= replayOnce(mode).finally(() => {
    running = undefined;
  });
  return running;
}

async function replayOnce(mode: ReplayMode): Promise<number> {
  const size = await queue.size();
  if (size === 0) return 0;
  announce({ type: 'outbox-replay-start', size });
  const kept: QueueEntry[] = [];
  let delivered = 0;
  let dropped = 0;
  let error: string | undefined;
  let held = false;
  for (let entry = await queue.shiftRequest(); entry; entry = await queue.shiftRequest()) {
    const meta = metaOf(entry);
    // In order (holdsQueue): once one waits, those after it wait too.
    if (held || !isDue(meta, mode)) {
      kept.push(entry);
      held ||= holdsQueue(meta);
      continue;
    }
    const body = await bodyOf(entry.request);
    const attempt = await deliver(entry.request.clone());
    if (attempt.verdict === 'delivered' || attempt.verdict === 'drop') {
      await settle(body, attempt);
      if (attempt.verdict === 'delivered') delivered += 1;
      else dropped += 1;
    } else {
      error = attempt.response ? `the server answered HTTP ${attempt.response.status}` : 'no connection';
      const next = { ...meta, ...nextTry(meta, attempt) };
      kept.push({ ...entry, metadata: { ...next } });
      held ||= holdsQueue(next);
    }
  }
  // Back at the front, in their order: commands queued meanwhile go after them.
  for (const entry of kept.reverse()) await queue.unshiftRequest(entry);
  announce({
    type: 'outbox-replay-end',
    delivered,
    dropped,
    kept: kept.length,
    ...(kept.length > 0 && error ? { error } : {}),
  });
  await announceSize();
  if (kept.length > 0) schedule();
  return kept.length;
}

let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * While the worker lives, replays again when the next request it may send is due: the
 * earliest up to the first that holds the rest back. The browser may stop an idle worker
 * sooner; then the next `sync` event or a tab's request replays.
 */
function schedule(): void {
  void queue.getAll().then((entries) => {
    const due = nextReplayAt(entries.map(metaOf));
    if (due === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(() => void replay('due'), Math.max(0, due - Date.now()) + 50);
  });
}
