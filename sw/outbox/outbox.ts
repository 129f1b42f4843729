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
//
// Each request belongs to the user who queued it (the subject of its token, kept in its
// metadata). A replay sends only the signed-in user's requests, with their session; the
// others stay parked, unsent, until their user signs in again on this device (or Workbox's
// retention drops them). Signing out asks the worker how many of the user's requests wait
// and, as the user chooses, keeps them parked or drops them (`outbox-user`). The sync panel
// lists a user's requests, retries some now or discards them (`outbox-requests`).
import { Queue } from 'workbox-background-sync';
import { retryDelay } from '../../src/domain/backoff.ts';
import {
  holdsQueue,
  nextOwnedReplayAt,
  type OwnedTry,
  retryAfterMs,
} from '../../src/domain/command-replay.ts';
import { bearerSubject } from '../../src/domain/jwt-subject.ts';
import {
  answerReason,
  keysToRetry,
  type LastAnswer,
  type QueuedRequest,
} from '../../src/domain/queued-requests.ts';
import { type CommandOutcome, recordOutcomes } from '../../src/sync/outbox-outcomes.ts';
import {
  commandIds,
  DISCARDED_ERROR,
  type OutboxAnnouncement,
  type OutboxRequestsAnswer,
  type OutboxRequestsRequest,
  type OutboxUserRequest,
  outcomesOfAnswer,
  PIGEON_CHANNEL,
  type QueuedAnswer,
  type QueuedCommands,
  queuedCommandsOf,
  waitingOf,
} from '../../src/sync/outbox-protocol.ts';
import { type Attempt, deliver, projectOf } from './deliver.ts';
import { signedInUser } from './session.ts';

/** Backoff between replays of a request the server answered 5xx (or could not be reached). */
const REPLAY_RETRY = { minMs: 2_000, maxMs: 5 * 60_000 };
/** Workbox removes older entries silently: keep commands far longer than any outage. */
const RETENTION_MINUTES = 60 * 24 * 60;

/** What the queue hands back (Workbox does not export the type). */
type QueueEntry = NonNullable<Awaited<ReturnType<Queue['shiftRequest']>>>;

interface EntryMeta extends Omit<OwnedTry, 'user'>, Partial<QueuedCommands> {
  /** Whose request it is; absent in entries an older version queued (their token says). */
  user?: string;
  /** The last try found no network: the next sign of a connection replays it at once. */
  offline: boolean;
  /** Its id in the queue for the sync panel; absent in entries an older version queued (given one when listed). */
  key?: string;
  lastAnswer?: LastAnswer;
}

/**
 * Why a replay runs: `force` ("retry now") takes everything; `reconnect` (the sync event, a
 * tab that saw the network come back, the worker starting) takes what is due and what waits
 * for a network; `due` (the backoff timer) only what is due. Any mode also takes the requests
 * the sync panel asked to retry now (their keys).
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

/** Whose request an entry is: its metadata's user, else (an older version's entry) its token's subject. */
function ownerOf(entry: QueueEntry): string | undefined {
  return metaOf(entry).user ?? bearerSubject(entry.request.headers.get('authorization'));
}

/** The queue's entries by the user they belong to (entries of no known user are left out). */
async function entriesByUser(): Promise<Map<string, EntryMeta[]>> {
  const byUser = new Map<string, EntryMeta[]>();
  for (const entry of await queue.getAll()) {
    const owner = ownerOf(entry);
    if (!owner) continue;
    const metas = byUser.get(owner);
    if (metas) metas.push(metaOf(entry));
    else byUser.set(owner, [metaOf(entry)]);
  }
  return byUser;
}

async function sizes(): Promise<Record<string, number>> {
  return Object.fromEntries([...(await entriesByUser())].map(([user, metas]) => [user, metas.length]));
}

/** Each user's number of waiting requests and what they carry: a tab shows its own user's only. */
export async function announceSize(): Promise<void> {
  const users = [...(await entriesByUser())];
  announce({
    type: 'outbox-size',
    sizes: Object.fromEntries(users.map(([user, metas]) => [user, metas.length])),
    waiting: Object.fromEntries(users.map(([user, metas]) => [user, waitingOf(metas)])),
  });
}

// Replays and drops take the whole queue out and put back what stays: one at a time.
let exclusive: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const next = exclusive.then(task);
  exclusive = next.catch(() => undefined);
  return next;
}

/**
 * A signing-out user's requests: how many wait (`count`), or removed unsent (`drop`, which
 * answers how many were dropped). The answer goes to the port the page sent.
 */
export async function handleUserRequest(request: OutboxUserRequest, port: MessagePort | undefined) {
  let size: number;
  if (request.action === 'count') {
    // After a replay under way: it holds the entries it took out until it puts them back.
    size = (await oneAtATime(sizes))[request.user] ?? 0;
  } else {
    size = await oneAtATime(() => dropUser(request.user));
    await announceSize();
  }
  port?.postMessage({ size });
}

async function dropUser(user: string): Promise<number> {
  const kept: QueueEntry[] = [];
  let dropped = 0;
  for (let entry = await queue.shiftRequest(); entry; entry = await queue.shiftRequest()) {
    if (ownerOf(entry) === user) dropped += 1;
    else kept.push(entry);
  }
  for (const entry of kept.reverse()) await queue.unshiftRequest(entry);
  return dropped;
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

/**
 * A command POSTed by a page: sent now if possible, else queued as its user's. The user is
 * the subject of the page's token, or (a page with no token at hand, offline) whoever is
 * signed in; a command nobody owns is refused rather than queued.
 */
export async function handleCommand(request: Request): Promise<Response> {
  const user =
    bearerSubject(request.headers.get('authorization')) ?? (await signedInUser(projectOf(request)));
  if (!user) return Response.json({ error: 'Sign in to send messages.' }, { status: 401 });
  const stored = request.clone();
  const body = await bodyOf(request);
  const attempt = await deliver(request, user);
  if (attempt.verdict === 'delivered' || attempt.verdict === 'drop') {
    await settle(body, attempt);
    // The page reads the answer too (its per-item results or the reason it was refused).
    return attempt.response ?? Response.json({ error: 'no answer' }, { status: 502 });
  }
  const fresh: EntryMeta = { user, attempts: 0, notBefore: 0, offline: false, key: crypto.randomUUID() };
  await queue.pushRequest({
    request: stored,
    metadata: {
      ...(attempt.verdict === 'parked' ? { ...fresh, parked: true } : await nextTry(fresh, attempt)),
      ...queuedCommandsOf(body),
    },
  });
  await announceSize();
  schedule();
  const answer: QueuedAnswer = { queued: true };
  return Response.json(answer, { status: 202 });
}

async function nextTry(meta: EntryMeta, attempt: Attempt): Promise<EntryMeta> {
  const attempts = meta.attempts + 1;
  const asked = retryAfterMs(attempt.response?.headers.get('retry-after') ?? null);
  const wait = asked ?? retryDelay(attempts, REPLAY_RETRY);
  return {
    ...(meta.user ? { user: meta.user } : {}),
    attempts,
    notBefore: Date.now() + wait,
    offline: attempt.response === undefined,
    lastAnswer: await answerOf(attempt),
  };
}

/** The last answer as the sync panel shows it: the server's status and reason, or that none came. */
async function answerOf(attempt: Attempt): Promise<LastAnswer> {
  const at = Date.now();
  const response = attempt.response;
  if (!response) return { at, reason: 'no connection' };
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  return { at, status: response.status, reason: answerReason(response.status, body) };
}

/** What an entry carries and is known by (kept across tries: the header counts it, the panel lists it). */
function carriedOf(meta: EntryMeta): Partial<QueuedCommands> & Pick<EntryMeta, 'key'> {
  return {
    ...(meta.messages === undefined ? {} : { messages: meta.messages }),
    ...(meta.campaign === undefined ? {} : { campaign: meta.campaign }),
    ...(meta.key === undefined ? {} : { key: meta.key }),
  };
}

function metaOf(entry: QueueEntry): EntryMeta {
  return (entry.metadata ?? { attempts: 0, notBefore: 0, offline: true }) as unknown as EntryMeta;
}

/** Parked requests are tried again on a reconnect or a force (a sign-in asks for one), never by the timer. */
function isDue(meta: EntryMeta, mode: ReplayMode, chosen: ReadonlySet<string>): boolean {
  if (mode === 'force' || (meta.key !== undefined && chosen.has(meta.key))) return true;
  if (meta.parked) return mode === 'reconnect';
  return meta.notBefore <= Date.now() || (mode === 'reconnect' && meta.offline);
}

const STRENGTH: Record<ReplayMode, number> = { due: 0, reconnect: 1, force: 2 };
let running: Promise<number> | undefined;
let next: { mode: ReplayMode; chosen: Set<string>; done: Promise<number> } | undefined;

/**
 * Replays the queue once (one run at a time); resolves with how many requests wait still,
 * parked ones (another user's) aside. Asked for during a run, it runs once more after it
 * (the strongest mode asked for, and every request chosen): the run under way may have looked
 * at an entry before a sign-in or a reconnection that the new request is about.
 */
export function replay(mode: ReplayMode, chosen: ReadonlySet<string> = new Set()): Promise<number> {
  if (!running) {
    running = oneAtATime(() => replayOnce(mode, chosen)).finally(() => {
      running = undefined;
    });
    return running;
  }
  if (next) {
    if (STRENGTH[mode] > STRENGTH[next.mode]) next.mode = mode;
    for (const key of chosen) next.chosen.add(key);
    return next.done;
  }
  const queued = { mode, chosen: new Set(chosen), done: Promise.resolve(0) };
  queued.done = running
    .catch(() => 0)
    .then(() => {
      next = undefined;
      return replay(queued.mode, queued.chosen);
    });
  next = queued;
  return queued.done;
}

async function replayOnce(mode: ReplayMode, chosen: ReadonlySet<string>): Promise<number> {
  const size = await queue.size();
  if (size === 0) return 0;
  announce({ type: 'outbox-replay-start', size });
  const kept: QueueEntry[] = [];
  let parked = 0;
  let delivered = 0;
  let dropped = 0;
  let error: string | undefined;
  // Users one of whose requests waits: in order (holdsQueue), those after it wait too.
  const held = new Set<string>();
  for (let entry = await queue.shiftRequest(); entry; entry = await queue.shiftRequest()) {
    const meta = metaOf(entry);
    const user = ownerOf(entry);
    // Nobody's (an older version queued it with no user token): never sent under anyone.
    if (!user) {
      dropped += 1;
      continue;
    }
    if (held.has(user) || !isDue(meta, mode, chosen)) {
      kept.push(entry);
      if (meta.parked) parked += 1;
      if (holdsQueue(meta)) held.add(user);
      continue;
    }
    const body = await bodyOf(entry.request);
    const attempt = await deliver(entry.request.clone(), user);
    if (attempt.verdict === 'delivered' || attempt.verdict === 'drop') {
      await settle(body, attempt);
      if (attempt.verdict === 'delivered') delivered += 1;
      else dropped += 1;
    } else if (attempt.verdict === 'parked') {
      kept.push({ ...entry, metadata: { ...meta, user, parked: true } });
      parked += 1;
      held.add(user);
    } else {
      error = attempt.response ? `the server answered HTTP ${attempt.response.status}` : 'no connection';
      const next = { ...(await nextTry({ ...meta, user }, attempt)), ...carriedOf(meta) };
      kept.push({ ...entry, metadata: { ...next } });
      if (holdsQueue(next)) held.add(user);
    }
  }
  // Back at the front, in their order: commands queued meanwhile go after them.
  for (const entry of kept.reverse()) await queue.unshiftRequest(entry);
  const waiting = kept.length - parked;
  announce({
    type: 'outbox-replay-end',
    delivered,
    dropped,
    kept: waiting,
    ...(waiting > 0 && error ? { error } : {}),
  });
  await announceSize();
  if (waiting > 0) schedule();
  return waiting;
}

let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * While the worker lives, replays again when the next request it may send is due: the
 * earliest up to the first that holds the rest back. The browser may stop an idle worker
 * sooner; then the next `sync` event or a tab's request replays.
 */
function schedule(): void {
  void queue.getAll().then((entries) => {
    const due = nextOwnedReplayAt(
      entries.flatMap((entry) => {
        const user = ownerOf(entry);
        return user ? [{ ...metaOf(entry), user }] : [];
      }),
    );
    if (due === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(() => void replay('due'), Math.max(0, due - Date.now()) + 50);
  });
}

/**
 * The sync panel's requests about `request.user`'s entries: list them, discard some (their
 * messages recorded as not sent, the tabs told which launches will not go), or retry some now.
 * Answers `{requests}` on `port` (OutboxRequestsRequest says which).
 */
export async function handleRequests(request: OutboxRequestsRequest, port: MessagePort | undefined) {
  const keys = new Set(request.keys);
  let requests: QueuedRequest[];
  if (request.action === 'discard') {
    const removed = await oneAtATime(() => discard(request.user, keys));
    requests = await Promise.all(removed.map((entry) => requestOf(entry)));
    await recordOutcomes(
      requests.flatMap((r) => r.messageIds.map((id): [string, CommandOutcome] => [id, DISCARDED])),
    );
    announce({ type: 'outbox-outcomes' });
    const campaigns = [...new Set(requests.flatMap((r) => (r.campaign === undefined ? [] : [r.campaign])))];
    announce({ type: 'outbox-discarded', user: request.user, campaigns });
    await announceSize();
  } else {
    if (request.action === 'retry') {
      const queued = (await oneAtATime(keyedEntries)).flatMap((entry) => {
        const user = ownerOf(entry);
        const key = metaOf(entry).key;
        return user && key ? [{ key, user }] : [];
      });
      await replay('due', keysToRetry(queued, keys));
    }
    const entries = (await oneAtATime(keyedEntries)).filter((entry) => ownerOf(entry) === request.user);
    requests = await Promise.all(entries.map((entry) => requestOf(entry)));
  }
  const answer: OutboxRequestsAnswer = { requests };
  port?.postMessage(answer);
}

/** What a discarded request's messages became: not sent, and why. */
const DISCARDED: CommandOutcome = { status: 'failed', error: DISCARDED_ERROR };

/** Removes `user`'s entries among `keys`, unsent; answers them. */
async function discard(user: string, keys: ReadonlySet<string>): Promise<QueueEntry[]> {
  const kept: QueueEntry[] = [];
  const removed: QueueEntry[] = [];
  for (let entry = await queue.shiftRequest(); entry; entry = await queue.shiftRequest()) {
    const key = metaOf(entry).key;
    if (key !== undefined && keys.has(key) && ownerOf(entry) === user) removed.push(entry);
    else kept.push(entry);
  }
  for (const entry of kept.reverse()) await queue.unshiftRequest(entry);
  return removed;
}

/** The queue's entries, in order, each with a key (an older version's entries get theirs here, once). */
async function keyedEntries(): Promise<QueueEntry[]> {
  const entries = await queue.getAll();
  if (entries.every((entry) => metaOf(entry).key !== undefined)) return entries;
  const all: QueueEntry[] = [];
  for (let entry = await queue.shiftRequest(); entry; entry = await queue.shiftRequest()) {
    const meta = metaOf(entry);
    all.push(meta.key === undefined ? { ...entry, metadata: { ...meta, key: crypto.randomUUID() } } : entry);
  }
  for (const entry of [...all].reverse()) await queue.unshiftRequest(entry);
  return all;
}

/** An entry as the sync panel lists it. */
async function requestOf(entry: QueueEntry): Promise<QueuedRequest> {
  const meta = metaOf(entry);
  const body = await bodyOf(entry.request);
  const { campaign } = queuedCommandsOf(body);
  const ids = commandIds(body);
  return {
    key: meta.key ?? '',
    createdAt: entry.timestamp ?? 0,
    attempts: meta.attempts,
    nextTry: meta.notBefore,
    waitsForNetwork: meta.offline,
    parked: meta.parked === true,
    ...(meta.lastAnswer ? { lastAnswer: meta.lastAnswer } : {}),
    // A launch's chunk: its messages are counted, not listed (up to 500 of them).
    messageIds: campaign === undefined ? ids : [],
    messages: ids.length,
    ...(campaign === undefined ? {} : { campaign }),
  };
}
