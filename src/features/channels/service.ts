/**
 * The workspace's WhatsApp numbers. The list is the replicated `channels` collection (the
 * last known state offline). Changes go to the server, never to the local collection (the
 * client pulls channels and pushes nothing): credentials through the channels function, which
 * seals them (supabase/functions/channels), renames, pacing, disconnect and delete through
 * REST, where RLS lets only owners and admins write. Replication brings each change back.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { FunctionsHttpError } from '@supabase/supabase-js';
import { map, type Observable, of, switchMap } from 'rxjs';
import { domainOf } from '../../db/documents.ts';
import { checkPacing } from '../../domain/channel-pacing.ts';
import { checkText } from '../../domain/field-checks.ts';
import type { Channel, WorkspaceRole } from '../../domain/types.ts';
import { toAccessor } from '../shared/reactive.ts';
import type { ScopeSource } from '../shared/scope.ts';
import type {
  ChannelChanges,
  ChannelResult,
  ChannelsApi,
  ConnectionCheck,
  ConnectOutcome,
  WebhookSetup,
} from './api.ts';

const OFFLINE = {
  ok: false,
  error: "You're offline: connecting and changing channels needs the network.",
} as const;

// The names people read for the fields the channels function names.
const FIELD_LABELS: Record<string, string> = {
  phone_number_id: 'Phone number ID',
  waba_id: 'WhatsApp Business Account ID',
  access_token: 'Permanent access token',
  app_secret: 'App secret',
  api_token: 'API token',
  name: 'Name',
};

export interface ChannelsDeps {
  client: SupabaseClient;
  online: () => boolean;
  role$: Observable<WorkspaceRole | undefined>;
  /** Pulls now, so a change shows before realtime's nudge. */
  refresh: () => void;
}

function named(error: string, field: string | undefined): ChannelResult<never> {
  const label = field ? FIELD_LABELS[field] : undefined;
  return field
    ? { ok: false, error: label && !error.startsWith(label) ? `${label}: ${error}` : error, field }
    : { ok: false, error };
}

export function createChannelsApi(source: ScopeSource, deps: ChannelsDeps): ChannelsApi {
  const { client } = deps;
  const list$ = source.scope$.pipe(
    switchMap((scope) =>
      scope
        ? scope.db.channels
            .find({ selector: { workspace_id: scope.workspace.id }, sort: [{ name: 'asc' }, { id: 'asc' }] })
            .$.pipe(map((docs) => docs.map((doc) => domainOf<Channel>(doc))))
        : of([]),
    ),
  );

  /** A call of the channels function; its refusals come back as the server worded them. */
  async function call<T>(
    path: string,
    init: { method?: 'GET' | 'POST'; body?: Record<string, unknown> } = {},
  ) {
    if (!deps.online()) return OFFLINE;
    const { data, error } = await client.functions.invoke(`channels/${path}`, {
      method: init.method ?? 'POST',
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    if (!error) return { ok: true as const, value: data as T };
    if (error instanceof FunctionsHttpError) {
      const answer = (await (error.context as Response).json().catch(() => ({}))) as {
        error?: string;
        field?: string;
        check?: ConnectionCheck;
      };
      // A refused check (422, 502) is an answer too: it says which field the provider refused.
      if (answer.check) return { ok: true as const, value: answer as T };
      return named(answer.error ?? `the server answered ${(error.context as Response).status}`, answer.field);
    }
    return { ok: false as const, error: deps.online() ? error.message : OFFLINE.error };
  }

  /** A REST write of one channel; RLS answers an agent with no row, which is said plainly. */
  async function write(id: string, values: Record<string, unknown>): Promise<ChannelResult> {
    if (!deps.online()) return OFFLINE;
    const { data, error } = await client.from('channels').update(values).eq('id', id).select('id');
    if (error) return { ok: false, error: error.message };
    if (!data || data.length === 0) {
      return { ok: false, error: 'Only owners and admins of this workspace change its channels.' };
    }
    deps.refresh();
    return { ok: true, value: undefined };
  }

  /** The verdict, its error naming the refused field as people know it. */
  function checkOf(answer: { check?: ConnectionCheck }): ConnectionCheck {
    const check = answer.check ?? { ok: false };
    if (check.ok || !check.field) return check;
    const problem = named(check.error ?? 'refused by the provider', check.field);
    return { ...check, error: problem.ok ? check.error : problem.error };
  }

  return {
    list: toAccessor<Channel[]>(list$, []),
    preferred: toAccessor<Channel | undefined>(
      list$.pipe(map((all) => all.find((c) => c.status === 'connected'))),
      undefined,
    ),
    canManage: toAccessor(deps.role$.pipe(map((role) => role === 'owner' || role === 'admin')), false),

    async connect(input) {
      const scope = source.current();
      if (!scope) return { ok: false, error: 'Not signed in to a workspace yet.' };
      const name = checkText('Name', input.name, { min: 1, max: 100 });
      if (!name.ok) return { ...name, field: 'name' };
      const result = await call<{
        channel: { id: string };
        webhook: WebhookSetup | null;
        check: ConnectionCheck;
      }>('connect', {
        body: { ...input, name: name.value, workspace_id: scope.workspace.id, id: crypto.randomUUID() },
      });
      if (!result.ok) return result;
      deps.refresh();
      const outcome: ConnectOutcome = {
        channelId: result.value.channel.id,
        webhook: result.value.webhook,
        check: checkOf(result.value),
      };
      return { ok: true, value: outcome };
    },

    async test(id) {
      const result = await call<{ check: ConnectionCheck }>(`${id}/test`);
      if (result.ok) deps.refresh();
      return result.ok ? { ok: true, value: checkOf(result.value) } : result;
    },

    async reconnect(id, credentials) {
      const result = await call<{ check: ConnectionCheck }>(`${id}/reconnect`, { body: credentials });
      if (result.ok) deps.refresh();
      return result.ok ? { ok: true, value: checkOf(result.value) } : result;
    },

    async webhook(id) {
      const result = await call<{ webhook: WebhookSetup }>(`${id}/webhook`, { method: 'GET' });
      return result.ok ? { ok: true, value: result.value.webhook } : result;
    },

    async syncTemplates(id) {
      const result = await call<{ templates: Record<string, number> }>(`${id}/sync-templates`);
      return result.ok ? { ok: true, value: result.value.templates } : result;
    },

    async update(id, changes: ChannelChanges) {
      const values: Record<string, unknown> = {};
      if (changes.name !== undefined) {
        const name = checkText('Name', changes.name, { min: 1, max: 100 });
        if (!name.ok) return { ...name, field: 'name' };
        values.name = name.value;
      }
      if (
        changes.rate_per_minute !== undefined ||
        changes.min_delay_ms !== undefined ||
        changes.max_delay_ms !== undefined
      ) {
        const current = this.list().find((c) => c.id === id);
        const pacing = checkPacing({
          rate_per_minute: changes.rate_per_minute ?? current?.rate_per_minute ?? 60,
          min_delay_ms: changes.min_delay_ms ?? current?.min_delay_ms ?? 0,
          max_delay_ms: changes.max_delay_ms ?? current?.max_delay_ms ?? 0,
        });
        if (!pacing.ok) return pacing;
        Object.assign(values, pacing.value);
      }
      return write(id, values);
    },

    disconnect: (id) => write(id, { status: 'disconnected' }),
    remove: (id) => write(id, { _deleted: true }),
  };
}
