/**
 * A database's local document, live. RxDB's own `getLocal$` runs two async steps for every
 * change event of every collection (one per stored document): during a first sync of 100,000
 * messages its rxjs bookkeeping (each finished step removed from an array of all pending ones)
 * took 10–16 s of the page's main thread in the inbox bench. This one looks at write bulks of
 * local documents only, as RxDB's RxLocalDocument.$ does, and reads the document again when
 * one of them holds it.
 */
import type { RxChangeEventBulk, RxLocalDocument } from 'rxdb';
import { filter, from, type Observable, startWith, switchMap } from 'rxjs';
import type { PigeonDatabase } from './database.ts';

export function localDocument$<T>(
  db: PigeonDatabase,
  id: string,
): Observable<RxLocalDocument<PigeonDatabase, T> | null> {
  return db.eventBulks$.pipe(
    filter(
      (bulk: RxChangeEventBulk<unknown>) =>
        !!bulk.isLocal && !bulk.collectionName && bulk.events.some((event) => event.documentId === id),
    ),
    startWith(undefined),
    switchMap(() => from(db.getLocal<T>(id))),
  );
}
