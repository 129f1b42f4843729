/**
 * The workspace's message quota (quota_status RPC): read when a workspace opens (sign-in,
 * switch) and again whenever a campaign's counters change, since launches reserve and sends
 * use it. Offline it keeps the last figures it read.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { catchError, debounceTime, EMPTY, from, map, merge, of, skip, switchMap } from 'rxjs';
import { toAccessor } from '../shared/reactive.ts';
import type { ScopeSource } from '../shared/scope.ts';
import type { QuotaApi, QuotaStatus } from './api.ts';

// Counter changes come in bursts while a campaign sends: one read per burst.
const SETTLE_MS = 1_000;

export function createQuotaApi(source: ScopeSource, client: SupabaseClient): QuotaApi {
  const status$ = source.scope$.pipe(
    switchMap((scope) => {
      if (!scope) return of(undefined);
      const changes$ = scope.db.campaigns
        .find({ selector: { workspace_id: scope.workspace.id } })
        // The first result is the state at opening, read just above.
        .$.pipe(skip(1), debounceTime(SETTLE_MS));
      return merge(of(null), changes$).pipe(
        switchMap(() =>
          from(client.rpc('quota_status', { p_workspace_id: scope.workspace.id })).pipe(
            switchMap(({ data, error }) => (error ? EMPTY : of(data as QuotaStatus))),
            catchError(() => EMPTY),
          ),
        ),
        map((figures) => ({
          limit: figures.limit,
          used: figures.used,
          reserved: figures.reserved,
          remaining: figures.remaining,
        })),
      );
    }),
  );
  return { status: toAccessor<QuotaStatus | undefined>(status$, undefined) };
}
