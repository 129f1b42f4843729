/**
 * Launches this device queued for the network (an offline Launch: only commands in the
 * service worker's queue), remembered across reloads, so the campaign page says "Launch
 * queued" instead of showing a draft with Launch enabled again. A launch is forgotten once
 * the server's answer arrives: the campaign is no longer a draft.
 */
import { BehaviorSubject, map, type Observable } from 'rxjs';
import type { KeyValueStorage } from '../../sync/session.ts';

const STORAGE_KEY = 'pigeon-queued-launches';

export class QueuedLaunches {
  private readonly since$: BehaviorSubject<ReadonlyMap<string, number>>;

  constructor(private readonly storage: KeyValueStorage) {
    this.since$ = new BehaviorSubject<ReadonlyMap<string, number>>(read(storage));
  }

  /** When the launch of `id` was queued (epoch ms), while it waits for the server. */
  since(id: string): Observable<number | undefined> {
    return this.since$.pipe(map((all) => all.get(id)));
  }

  mark(id: string, at = Date.now()): void {
    this.write(new Map(this.since$.value).set(id, at));
  }

  forget(id: string): void {
    if (!this.since$.value.has(id)) return;
    const next = new Map(this.since$.value);
    next.delete(id);
    this.write(next);
  }

  private write(next: ReadonlyMap<string, number>): void {
    this.storage.setItem(STORAGE_KEY, JSON.stringify([...next]));
    this.since$.next(next);
  }
}

function read(storage: KeyValueStorage): ReadonlyMap<string, number> {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '[]');
    return new Map(
      Array.isArray(parsed)
        ? parsed.filter(
            (e): e is [string, number] =>
              Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number',
          )
        : [],
    );
  } catch {
    return new Map();
  }
}
