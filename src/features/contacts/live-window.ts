/**
 * A window of the contacts list kept current: asked again when the query changes or contacts
 * change (at most every CHANGES_MS while they keep changing, e.g. during a first sync), one
 * request at a time, the latest query winning. The page never reads the list itself.
 */
import {
  asyncScheduler,
  combineLatest,
  distinctUntilChanged,
  EMPTY,
  filter,
  from,
  map,
  Observable,
  type OperatorFunction,
  of,
  startWith,
  switchMap,
  throttleTime,
} from 'rxjs';
import type { OpeningScope, Scope, ScopeSource } from '../shared/scope.ts';
import {
  askContactWindow,
  askFirstContacts,
  type ContactWindowAnswer,
  type ContactWindowQuery,
} from './window.ts';

export type { ContactWindowAnswer, ContactWindowQuery };

// Re-asking costs the worker a slice of its index, the page one window: cheap, but a first
// sync stores a page of contacts every few hundred milliseconds.
const CHANGES_MS = 150;

const NO_WORKSPACE: ContactWindowAnswer = {
  offset: 0,
  rows: [],
  matching: 0,
  total: 0,
  tags: [],
  complete: true,
};

export function liveWindow(
  source: ScopeSource,
  query$: Observable<ContactWindowQuery>,
): Observable<ContactWindowAnswer | undefined> {
  // Before the database is open, its first rows straight from the storage (a cold open).
  const target$ = combineLatest([source.scope$, source.opening$ ?? of(undefined)]).pipe(
    map(([scope, opening]) => scope ?? opening),
    distinctUntilChanged(),
  );
  return target$.pipe(
    switchMap((target) => {
      if (!target) return of(NO_WORKSPACE);
      if (!('db' in target)) return firstRowsWhileOpening(target, query$);
      const scope = target;
      // The first change is shown at once, later ones of a burst at most every CHANGES_MS.
      const changed$ = scope.db.contacts.eventBulks$.pipe(
        throttleTime(CHANGES_MS, asyncScheduler, { leading: true, trailing: true }),
        startWith(undefined),
      );
      return combineLatest([query$, changed$]).pipe(
        map(([query]) => query),
        askLatest(scope),
      );
    }),
  );
}

/** The first rows of each query they answer; the others wait for the database. */
function firstRowsWhileOpening(
  opening: OpeningScope,
  query$: Observable<ContactWindowQuery>,
): Observable<ContactWindowAnswer> {
  return query$.pipe(
    switchMap((query) => {
      const answer = askFirstContacts(opening, query);
      return answer ? from(answer.catch(() => undefined)).pipe(filter((a) => a !== undefined)) : EMPTY;
    }),
  );
}

/**
 * Asks for each query, one request at a time: a query arriving meanwhile waits for the
 * answer in flight and only the latest waiting one is asked (so a stream of changes never
 * starves the answers, as cancelling would). An early answer (`complete: false`, before the
 * storage has indexed the workspace) is followed by the same query asked to wait for the index.
 */
function askLatest(scope: Scope): OperatorFunction<ContactWindowQuery, ContactWindowAnswer> {
  return (queries$) =>
    new Observable<ContactWindowAnswer>((subscriber) => {
      let next: ContactWindowQuery | undefined;
      let busy = false;
      let wait = false;
      const run = async () => {
        busy = true;
        while (next && !subscriber.closed) {
          const query = next;
          next = undefined;
          try {
            const answer = await askContactWindow(scope, query, wait);
            if (subscriber.closed) break;
            subscriber.next(answer);
            if (!answer.complete) {
              wait = true;
              next ??= query;
            }
          } catch (err) {
            // A database closing under the request (sign-out): its scope is being replaced.
            if (!subscriber.closed) console.error('contacts: window request failed', err);
          }
        }
        busy = false;
      };
      const subscription = queries$.subscribe({
        next: (query) => {
          next = query;
          if (!busy) void run();
        },
        error: (err) => subscriber.error(err),
      });
      return () => subscription.unsubscribe();
    });
}
