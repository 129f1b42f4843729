/**
 * What the contacts, groups and templates APIs work in: the signed-in user's database and
 * the current workspace. Undefined while nobody is signed in or no workspace is known yet
 * (first sign-in, before the workspaces are pulled).
 */
import { filter, firstValueFrom, type Observable, of, timeout } from 'rxjs';
import type { PigeonDatabase } from '../../db/database.ts';
import type { Workspace } from '../../domain/types.ts';
import type { LocalWrites } from '../../sync/local-writes.ts';
import type { RecordIssueStore } from '../../sync/record-issues.ts';
import type { PendingChanges } from '../../sync/status.ts';

export interface Scope {
  db: PigeonDatabase;
  pending: PendingChanges;
  /** Refusals and contested merges of single records. */
  issues: RecordIssueStore;
  /** Bulk writes (import batches) run through it: pushes wait until they are stored. */
  writes: LocalWrites;
  workspace: Workspace;
}

export interface ScopeSource {
  /** Emits when the database or the workspace changes, not on every edit of the workspace. */
  scope$: Observable<Scope | undefined>;
  current(): Scope | undefined;
}

export const NO_SCOPE = { ok: false, error: 'Not signed in to a workspace yet.' } as const;

/**
 * The scope, waiting a little for it when it is not there yet: right after a first sign-in
 * the workspace is still being pulled, and a contact typed in that second must not fail.
 */
export async function awaitScope(source: ScopeSource, ms = 8_000): Promise<Scope | undefined> {
  return (
    source.current() ??
    firstValueFrom(
      source.scope$.pipe(
        filter((scope): scope is Scope => scope !== undefined),
        timeout({ first: ms, with: () => of(undefined) }),
      ),
    )
  );
}
