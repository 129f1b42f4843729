/**
 * Whether the server can be reached: the platform's own belief (navigator.onLine and its
 * events) and what the last request to the server found. navigator.onLine only knows about
 * the network interface, so a dead Wi-Fi or a stopped server shows up as failed fetches.
 */
import { BehaviorSubject, combineLatest, distinctUntilChanged, map, type Observable } from 'rxjs';

/** The platform's view of the network; injectable so tests can go offline without a browser. */
export interface NetworkEnvironment {
  isOnline(): boolean;
  /** Calls back on every online/offline event; returns the unsubscribe. */
  onChange(listener: (online: boolean) => void): () => void;
}

/** navigator.onLine and window's online/offline events; always online where there is no window. */
export function browserNetwork(): NetworkEnvironment {
  if (typeof window === 'undefined' || typeof navigator === 'undefined') {
    return { isOnline: () => true, onChange: () => () => {} };
  }
  return {
    isOnline: () => navigator.onLine,
    onChange(listener) {
      const online = () => listener(true);
      const offline = () => listener(false);
      window.addEventListener('online', online);
      window.addEventListener('offline', offline);
      return () => {
        window.removeEventListener('online', online);
        window.removeEventListener('offline', offline);
      };
    },
  };
}

export class OnlineState {
  readonly online$: Observable<boolean>;
  private readonly platform: BehaviorSubject<boolean>;
  // Whether the last request reached the server (any HTTP answer counts, even an error).
  private readonly reachable = new BehaviorSubject(true);
  private readonly stop: () => void;

  constructor(env: NetworkEnvironment) {
    this.platform = new BehaviorSubject(env.isOnline());
    this.stop = env.onChange((online) => {
      // Back on the network: assume the server is reachable until a request says otherwise.
      if (online) this.reachable.next(true);
      this.platform.next(online);
    });
    this.online$ = combineLatest([this.platform, this.reachable]).pipe(
      map(([platform, reachable]) => platform && reachable),
      distinctUntilChanged(),
    );
  }

  get online(): boolean {
    return this.platform.value && this.reachable.value;
  }

  /** Wraps the client's fetch so every request's outcome updates reachability. */
  trackFetch(fetchImpl: typeof fetch): typeof fetch {
    return async (input, init) => {
      try {
        const response = await fetchImpl(input, init);
        if (!this.reachable.value) this.reachable.next(true);
        return response;
      } catch (err) {
        // An abort is the caller's choice, not the network's.
        if (!isAbort(err) && this.reachable.value) this.reachable.next(false);
        throw err;
      }
    };
  }

  dispose(): void {
    this.stop();
    this.platform.complete();
    this.reachable.complete();
  }
}

function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'name' in err && err.name === 'AbortError';
}
