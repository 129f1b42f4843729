/**
 * The page's end of the send-command path: POSTs commands to /functions/v1/outbox (the
 * service worker delivers or queues them, sw/outbox/outbox.ts), follows the worker's queue
 * on BroadcastChannel "pigeon" (every tab shows the same number), and reads what became of
 * commands replayed while no tab listened (outbox-outcomes.ts).
 *
 * The worker's queue is per user: a tab counts its own user's requests only (`follow`), a
 * sign-out asks how many of them wait and keeps or drops them (`waitingFor`, `drop`), and the
 * sync panel lists them, retries or discards some (`requests`, `retryRequests`, `discardRequests`).
 *
 * Where no service worker controls the page (a first visit before it took over, `vite`
 * dev mode, Node tests), a command that cannot go through stays queued in the local
 * collection and is posted again on reconnect; replays are harmless (the ids are the
 * idempotency keys).
 */
import { BehaviorSubject, Subject } from 'rxjs';
import { type ReplayVerdict, replayVerdict } from '../domain/command-replay.ts';
import { type CommandOutcome, readOutcomes } from './outbox-outcomes.ts';
import {
  commandIds,
  isOutboxAnnouncement,
  OUTBOX_FUNCTION_PATH,
  type OutboxRequest,
  type OutboxRequestsAnswer,
  type OutboxRequestsRequest,
  type OutboxUserRequest,
  type OutboxWaiting,
  outcomesOfAnswer,
  PIGEON_CHANNEL,
  type QueuedRequest,
  type SendCommand,
} from './outbox-protocol.ts';
import { within } from './within.ts';

const TOKEN_WAIT_MS = 1_000;
/** How long a sign-out waits for the worker's count or drop of the user's requests. */
const WORKER_ANSWER_MS = 10_000;

export interface OutboxClientOptions {
  supabaseUrl: string;
  anonKey: string;
  /** The current access token, if any (the worker replaces it with a fresh one anyway). */
  accessToken(): Promise<string | undefined>;
  fetch?: typeof fetch;
}

/** What the last replay of the worker's queue found, while requests still wait. */
export interface ReplayState {
  running: boolean;
  /** Why requests are still waiting (e.g. "no connection"), after a replay that kept some. */
  problem?: string;
}

export type PostResult =
  /** The worker keeps the command and will replay it. */
  | { kind: 'queued' }
  /** A definite answer: what became of each message. */
  | { kind: 'answered'; outcomes: Array<[string, CommandOutcome]> }
  /** No worker, and the server could not take it now (offline, 5xx, 401): try again later. */
  | { kind: 'unsent'; verdict: ReplayVerdict };

const NOTHING_WAITING: OutboxWaiting = { messages: 0, launches: 0 };

/** The worker's `{size}` answer to an OutboxUserRequest. */
function sizeOf(data: unknown): number | undefined {
  const size: unknown = (data as { size?: unknown } | null)?.size;
  return typeof size === 'number' ? size : undefined;
}

export class OutboxClient {
  /** The followed user's requests waiting in the worker's queue. */
  readonly size$ = new BehaviorSubject(0);
  /** What they carry: messages and campaign launches. */
  readonly waiting$ = new BehaviorSubject<OutboxWaiting>(NOTHING_WAITING);
  readonly replay$ = new BehaviorSubject<ReplayState>({ running: false });
  /** Fires when the worker recorded outcomes for the tabs to apply. */
  readonly outcomes$ = new Subject<void>();
  /** Fires on every change of the worker's queue (a request queued, tried, sent or removed). */
  readonly changed$ = new Subject<void>();
  /** The campaigns whose queued launch requests a user discarded (in any tab). */
  readonly discardedLaunches$ = new Subject<string[]>();
  private readonly channel: BroadcastChannel | undefined;
  private readonly fetch: typeof fetch;
  /** The worker's last count per user, and whose this tab shows. */
  private sizes: Record<string, number> = {};
  private waiting: Record<string, OutboxWaiting> = {};
  private user: string | undefined;

  constructor(private readonly opts: OutboxClientOptions) {
    this.fetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(PIGEON_CHANNEL);
    this.channel?.addEventListener('message', (event: MessageEvent) => {
      const data: unknown = event.data;
      if (!isOutboxAnnouncement(data)) return;
      switch (data.type) {
        case 'outbox-size':
          this.sizes = data.sizes;
          this.waiting = data.waiting;
          this.showFollowed();
          this.changed$.next();
          break;
        case 'outbox-replay-start':
          this.replay$.next({ running: true });
          break;
        case 'outbox-replay-end':
          this.replay$.next({ running: false, ...(data.error ? { problem: data.error } : {}) });
          break;
        case 'outbox-outcomes':
          this.outcomes$.next();
          break;
        case 'outbox-discarded':
          if (data.campaigns.length > 0) this.discardedLaunches$.next(data.campaigns);
          break;
      }
    });
    this.tellWorker({ type: 'outbox-status' });
  }

  /** The user this tab is signed in as (undefined: nobody): another user's requests are not this tab's to show. */
  follow(userId: string | undefined): void {
    this.user = userId;
    this.showFollowed();
  }

  private showFollowed(): void {
    const user = this.user;
    this.size$.next(user ? (this.sizes[user] ?? 0) : 0);
    this.waiting$.next(user ? (this.waiting[user] ?? NOTHING_WAITING) : NOTHING_WAITING);
  }

  /** How many of this user's requests wait in the worker (0 without one; its last count if it does not answer). */
  async waitingFor(userId: string): Promise<number> {
    const answer = await this.askWorker({ type: 'outbox-user', user: userId, action: 'count' }, sizeOf);
    return answer ?? this.sizes[userId] ?? 0;
  }

  /** Removes this user's waiting requests unsent; resolves with how many (undefined: the worker did not answer). */
  drop(userId: string): Promise<number | undefined> {
    return this.askWorker({ type: 'outbox-user', user: userId, action: 'drop' }, sizeOf);
  }

  /** The followed user's requests in the worker's queue, in order (none without a worker or a user). */
  async requests(): Promise<QueuedRequest[]> {
    return (await this.askRequests('list', [])) ?? [];
  }

  /** Sends these requests of the followed user now (with their earlier ones, in order); resolves once tried. */
  async retryRequests(keys: readonly string[]): Promise<void> {
    await this.askRequests('retry', keys);
  }

  /**
   * Removes these requests of the followed user unsent (the worker records their messages as
   * not sent); resolves with those it removed (none: they had gone already; undefined: no answer).
   */
  discardRequests(keys: readonly string[]): Promise<QueuedRequest[] | undefined> {
    return this.askRequests('discard', keys);
  }

  /** Whether a service worker handles this page's requests (and so keeps unsent commands). */
  get workerKeepsCommands(): boolean {
    return typeof navigator !== 'undefined' && Boolean(navigator.serviceWorker?.controller);
  }

  async post(commands: SendCommand[]): Promise<PostResult> {
    // Offline with an expired token, auth-js would keep retrying a refresh; the worker puts
    // a fresh token on the request anyway, so a short wait is enough.
    const token = await within(this.opts.accessToken(), TOKEN_WAIT_MS);
    const body = { commands };
    let response: Response;
    try {
      response = await this.fetch(`${this.opts.supabaseUrl}${OUTBOX_FUNCTION_PATH}`, {
        method: 'POST',
        headers: {
          apikey: this.opts.anonKey,
          authorization: `Bearer ${token ?? this.opts.anonKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    } catch {
      return { kind: 'unsent', verdict: 'retry' };
    }
    const answer: unknown = await response.json().catch(() => null);
    if (response.status === 202 && (answer as { queued?: unknown } | null)?.queued === true) {
      return { kind: 'queued' };
    }
    const verdict = replayVerdict(response.status);
    if (verdict === 'retry' || verdict === 'refresh') return { kind: 'unsent', verdict };
    return { kind: 'answered', outcomes: outcomesOfAnswer(commandIds(body), response.status, answer) };
  }

  /** "Retry now": the worker replays its whole queue, backoff or not. */
  retryNow(): void {
    this.tellWorker({ type: 'outbox-replay', force: true });
  }

  /** The network is back, or a user signed in (their parked requests may go now): the worker replays what waited for it. */
  reconnected(): void {
    this.tellWorker({ type: 'outbox-replay', force: false });
  }

  /** Outcomes the worker recorded; `forget` them once applied. */
  readOutcomes(): ReturnType<typeof readOutcomes> {
    return readOutcomes();
  }

  dispose(): void {
    this.channel?.close();
    this.size$.complete();
    this.waiting$.complete();
    this.replay$.complete();
    this.outcomes$.complete();
    this.changed$.complete();
    this.discardedLaunches$.complete();
  }

  private askRequests(
    action: OutboxRequestsRequest['action'],
    keys: readonly string[],
  ): Promise<QueuedRequest[] | undefined> {
    const user = this.user;
    if (!user) return Promise.resolve(undefined);
    return this.askWorker({ type: 'outbox-requests', user, action, keys: [...keys] }, (data) => {
      const requests = (data as Partial<OutboxRequestsAnswer> | null)?.requests;
      return Array.isArray(requests) ? requests : undefined;
    });
  }

  /** Posts `message` to the worker with a port and reads its answer (undefined: none, or no worker). */
  private askWorker<T>(
    message: OutboxUserRequest | OutboxRequestsRequest,
    read: (data: unknown) => T | undefined,
  ): Promise<T | undefined> {
    const container = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker;
    if (!container?.controller) return Promise.resolve(undefined);
    const answer = container.ready.then(
      (registration) =>
        new Promise<T | undefined>((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = (event: MessageEvent) => {
            resolve(read(event.data));
            channel.port1.close();
          };
          const worker = registration.active;
          if (worker) worker.postMessage(message, [channel.port2]);
          else resolve(undefined);
        }),
    );
    return within(answer, WORKER_ANSWER_MS);
  }

  private tellWorker(message: OutboxRequest): void {
    const container = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker;
    if (!container) return;
    // Before the worker controls the page (first visit), the active one still listens.
    void container.ready.then((registration) => registration.active?.postMessage(message));
  }
}
