/**
 * What the contacts, groups and templates APIs work in: the signed-in user's database and
 * the current workspace. Undefined while nobody is signed in or no workspace is known yet
 * (first sign-in, before the workspaces are pulled).
 */
import type { Observable } from 'rxjs';
import type { PigeonDatabase } from '../db/database.ts';
import type { Workspace } from '../domain/types.ts';
import type { PendingChanges } from './status.ts';

export interface Scope {
  db: PigeonDatabase;
  pending: PendingChanges;
  workspace: Workspace;
}

export interface ScopeSource {
  /** Emits when the database or the workspace changes, not on every edit of the workspace. */
  scope$: Observable<Scope | undefined>;
  current(): Scope | undefined;
}

export const NO_SCOPE = { ok: false, error: 'Not signed in to a workspace yet.' } as const;
