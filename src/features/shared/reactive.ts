/**
 * The data layer works with RxJS observables (RxDB's own currency); the UI gets SolidJS
 * accessors. These two bridge them. Both tie the subscription to the current Solid owner (the
 * component or root calling them) and end it when that owner is disposed.
 */
import { type Observable, from as rxFrom } from 'rxjs';
import { type Accessor, from, observable } from 'solid-js';

export function toAccessor<T>(source: Observable<T>, initial: T): Accessor<T> {
  return from(source, initial);
}

export function fromAccessor<T>(accessor: Accessor<T>): Observable<T> {
  return rxFrom(observable(accessor));
}
