/** Live reads shared by the APIs. */
import type { RxCollection } from 'rxdb';
import { distinctUntilChanged, map, of, switchMap } from 'rxjs';
import type { Accessor } from 'solid-js';
import type { PigeonDatabase } from '../../db/database.ts';
import { domainOf, type Stored } from '../../db/documents.ts';
import type { ReplicatedDocument } from '../../domain/types.ts';
import { fromAccessor, toAccessor } from './reactive.ts';
import type { ScopeSource } from './scope.ts';

/** The document with the id `id()` names, while it exists in the current workspace. */
export function liveDocument<T extends ReplicatedDocument>(
  source: ScopeSource,
  collection: (db: PigeonDatabase) => RxCollection<Stored<T>>,
  id: Accessor<string | undefined>,
): Accessor<T | undefined> {
  const doc$ = fromAccessor(id).pipe(
    distinctUntilChanged(),
    switchMap((key) => source.scope$.pipe(map((scope) => ({ key, scope })))),
    switchMap(({ key, scope }) =>
      scope && key
        ? collection(scope.db)
            .findOne(key)
            .$.pipe(
              map((doc) => (doc && doc.workspace_id === scope.workspace.id ? domainOf<T>(doc) : undefined)),
            )
        : of(undefined),
    ),
  );
  return toAccessor<T | undefined>(doc$, undefined);
}
