/**
 * Campaigns of the current workspace: drafts are documents (written offline, replicated both
 * ways); a launch prepares the messages (prepare.ts: the worker in a browser) and
 * posts them as outbox commands in chunks, which the service worker queues while offline.
 * Every command carries the recipient count, so the first to reach the server launches the
 * draft and reserves its quota (supabase/migrations/20261202000800_campaign_sending.sql). Pause,
 * resume, cancel and retry are RPCs: they need a connection.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { RxDocument } from 'rxdb';
import {
  distinctUntilChanged,
  filter,
  firstValueFrom,
  map,
  type Observable,
  of,
  race,
  switchMap,
  timer,
} from 'rxjs';
import { v4 as uuidv4 } from 'uuid';
import type { CampaignDoc } from '../../db/documents.ts';
import { domainOf } from '../../db/documents.ts';
import {
  CAMPAIGN_SERVER_DEFAULTS,
  campaignCommandChunks,
  launchDraft,
} from '../../domain/campaign-commands.ts';
import { type CampaignDraftFields, checkCampaignDraft } from '../../domain/campaign-draft.ts';
import {
  campaignPlanInput,
  type PreparableContact,
  type PreparedCampaign,
} from '../../domain/campaign-prepare.ts';
import { type ReportMessage, type ReportRow, reportRows } from '../../domain/campaign-report.ts';
import type { Result } from '../../domain/result.ts';
import type { Campaign } from '../../domain/types.ts';
import type { OutboxClient } from '../../sync/outbox-client.ts';
import type { KeyValueStorage } from '../../sync/session.ts';
import { editDocument, insertDocument, removeDocument } from '../shared/edit.ts';
import { liveDocument } from '../shared/queries.ts';
import { fromAccessor, toAccessor } from '../shared/reactive.ts';
import { awaitScope, NO_SCOPE, type Scope, type ScopeSource } from '../shared/scope.ts';
import type { CampaignRunOptions, CampaignsApi, LaunchOutcome } from './api.ts';
import type { CampaignPreparer } from './prepare.ts';
import { QueuedLaunches } from './queued-launches.ts';

/** Rendered messages a preview shows. */
const SAMPLE_SIZE = 20;
/** How long a launch waits for the draft to reach the server before posting its messages. */
const PUSH_WAIT_MS = 15_000;

export interface CampaignsDeps {
  client: SupabaseClient;
  outbox: OutboxClient;
  online: () => boolean;
  prepare: CampaignPreparer;
  /** Where launches queued offline are remembered across reloads. */
  storage: KeyValueStorage;
}

const EDITABLE = new Set<Campaign['status']>(['draft', 'blocked']);

export function createCampaignsApi(source: ScopeSource, deps: CampaignsDeps): CampaignsApi {
  const campaigns$ = source.scope$.pipe(
    switchMap((scope) =>
      scope
        ? scope.db.campaigns
            .find({ selector: { workspace_id: scope.workspace.id } })
            .$.pipe(
              map((docs) =>
                docs
                  .map((doc) => domainOf<Campaign>(doc))
                  .sort((a, b) => b.updated_at.localeCompare(a.updated_at) || a.id.localeCompare(b.id)),
              ),
            )
        : of([]),
    ),
  );
  const launching = new Map<string, Promise<Result<LaunchOutcome>>>();
  const queuedLaunches = new QueuedLaunches(deps.storage);
  // The server answered a queued launch once its campaign is no longer a draft here.
  campaigns$.subscribe((list) => {
    for (const c of list) if (c.status !== 'draft') queuedLaunches.forget(c.id);
  });
  // A launch discarded from the worker's queue (the sync panel) will not reach the server from
  // here: the campaign is a draft again, Launch enabled, rather than "Launch queued" forever.
  deps.outbox.discardedLaunches$.subscribe((ids) => {
    for (const id of ids) queuedLaunches.forget(id);
  });

  async function current(id: string): Promise<{ scope: Scope; campaign: Campaign } | { error: string }> {
    const scope = await awaitScope(source);
    if (!scope) return { error: NO_SCOPE.error };
    const doc = await scope.db.campaigns.findOne(id).exec();
    if (!doc || doc.workspace_id !== scope.workspace.id) return { error: 'This campaign no longer exists.' };
    return { scope, campaign: domainOf<Campaign>(doc) };
  }

  async function prepared(id: string, opts: CampaignRunOptions): Promise<Result<PreparedCampaign>> {
    const found = await current(id);
    if ('error' in found) return { ok: false, error: found.error };
    const { scope, campaign } = found;
    const docs = await scope.db.contacts.find({ selector: { workspace_id: scope.workspace.id } }).exec();
    // Plain copies: RxDB's document fields cannot be posted to the worker.
    const contacts: PreparableContact[] = docs.map((doc) => {
      const d = doc.toMutableJSON();
      return {
        id: d.id,
        phone: d.phone,
        name: d.name,
        email: d.email,
        tags: d.tags,
        group_ids: d.group_ids,
        custom_fields: d.custom_fields,
        opted_out: d.opted_out,
        _deleted: false,
      };
    });
    return deps.prepare(contacts, campaignPlanInput(campaign, Date.now()), {
      signal: opts.signal ?? new AbortController().signal,
      onProgress: (done, total) => opts.onProgress?.({ phase: 'preparing', done, total }),
    });
  }

  async function launchOnce(
    id: string,
    opts: CampaignRunOptions,
    resend = false,
  ): Promise<Result<LaunchOutcome>> {
    const found = await current(id);
    if ('error' in found) return { ok: false, error: found.error };
    const { scope, campaign } = found;
    // A resend posts a launching campaign's messages again: the server keeps what it has.
    const sendable = resend ? campaign.status === 'launching' : EDITABLE.has(campaign.status);
    if (!sendable) return { ok: true, value: { status: 'already', messages: 0 } };
    if (!campaign.channel_id) return { ok: false, error: 'Channel: choose the channel to send through' };
    const plan = await prepared(id, opts);
    if (!plan.ok) return plan;
    const { messages, excluded } = plan.value;
    if (messages.length === 0) {
      return {
        ok: false,
        error: `Audience: nobody would receive this campaign${excluded.length > 0 ? ` (${excluded.length} left out)` : ''}.`,
      };
    }
    if (deps.online() && !resend) {
      // The intake knows only campaigns on the server: the draft goes up first.
      if (!(await pushed(scope, id))) {
        return { ok: false, error: 'The draft has not reached the server yet; try again in a moment.' };
      }
      const { data, error } = await deps.client.rpc('launch_campaign', {
        p_campaign_id: id,
        p_recipient_count: messages.length,
      });
      if (error) return { ok: false, error: error.message };
      const answer = data as { status: Campaign['status']; blocked_reason: string | null };
      if (answer.status === 'blocked') return { ok: false, error: answer.blocked_reason ?? 'Blocked.' };
    }
    let done = 0;
    let queued = false;
    const refused: string[] = [];
    for (const chunk of campaignCommandChunks(messages, {
      id,
      channel_id: campaign.channel_id,
      draft: launchDraft(campaign),
    })) {
      if (opts.signal?.aborted) {
        return {
          ok: false,
          error: `Stopped after ${done} of ${messages.length} messages; they are held. Launch again to send the rest, or cancel the campaign.`,
        };
      }
      const result = await deps.outbox.post(chunk);
      if (result.kind === 'unsent') {
        return {
          ok: false,
          error:
            done === 0
              ? "You're offline: launching needs a connection here. Nothing was sent."
              : `The connection dropped after ${done} of ${messages.length} messages; launch again to send the rest (none is sent twice).`,
        };
      }
      if (result.kind === 'queued') queued = true;
      else
        for (const [, outcome] of result.outcomes)
          if (outcome.status === 'failed') refused.push(outcome.error ?? '');
      done += chunk.length;
      opts.onProgress?.({ phase: 'sending', done, total: messages.length });
    }
    if (queued) queuedLaunches.mark(id);
    // A resend whose audience changed since the launch may leave the server short of the
    // count it reserved: it starts with what it has.
    if (resend && !queued) await deps.client.rpc('start_campaign', { p_campaign_id: id });
    if (refused.length > 0) {
      // The server starts the campaign with the rest once every recipient is answered.
      return {
        ok: false,
        error: `${refused.length} of ${messages.length} messages were refused: ${refused[0]}`,
      };
    }
    return { ok: true, value: { status: queued ? 'queued' : 'sent', messages: messages.length } };
  }

  /** A double click or a second call while preparing shares the first launch. */
  function once(id: string, task: () => Promise<Result<LaunchOutcome>>): Promise<Result<LaunchOutcome>> {
    const running = launching.get(id);
    if (running) return running;
    const run = task().finally(() => launching.delete(id));
    launching.set(id, run);
    return run;
  }

  async function action(id: string, rpc: string, extra: Record<string, unknown> = {}): Promise<Result> {
    if (!deps.online()) return { ok: false, error: "You're offline: this needs a connection." };
    const { error } = await deps.client.rpc(rpc, { p_campaign_id: id, ...extra });
    return error ? { ok: false, error: error.message } : { ok: true, value: undefined };
  }

  return {
    list: () => toAccessor<Campaign[]>(campaigns$, []),

    get: (id) => liveDocument<Campaign>(source, (db) => db.campaigns, id),

    async createDraft(input) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const draft: CampaignDraftFields = {
        channel_id: null,
        template_id: null,
        template_parameters: null,
        body: '',
        group_ids: [],
        tags: [],
        contact_ids: [],
        start_at: null,
        time_zone: scope.workspace.time_zone,
        window_start_minute: null,
        window_end_minute: null,
        window_days: [1, 2, 3, 4, 5, 6, 7],
        min_delay_ms: 0,
        max_delay_ms: 0,
        rate_per_minute: 20,
        ...input,
      };
      const fields = checkCampaignDraft(draft, draft);
      if (!fields.ok) return fields;
      const doc = await insertDocument(scope.db.campaigns, {
        id: uuidv4(),
        workspace_id: scope.workspace.id,
        ...draft,
        ...fields.value,
        ...CAMPAIGN_SERVER_DEFAULTS,
      });
      return { ok: true, value: domainOf<Campaign>(doc) };
    },

    async updateDraft(id, patch) {
      const found = await current(id);
      if ('error' in found) return { ok: false, error: found.error };
      const { scope, campaign } = found;
      if (!EDITABLE.has(campaign.status) && Object.keys(patch).some((k) => k !== 'name')) {
        return { ok: false, error: `This campaign is ${campaign.status}: only its name can change.` };
      }
      const fields = checkCampaignDraft(patch, { ...campaign, ...patch });
      if (!fields.ok) return fields;
      return saved(
        await editDocument(scope, scope.db.campaigns, id, (doc) => ({
          ...doc,
          ...fields.value,
        })),
      );
    },

    async remove(id) {
      const found = await current(id);
      if ('error' in found) return { ok: false, error: found.error };
      const { scope, campaign } = found;
      if (
        !EDITABLE.has(campaign.status) &&
        campaign.status !== 'completed' &&
        campaign.status !== 'cancelled'
      ) {
        return { ok: false, error: `This campaign is ${campaign.status}: cancel it before deleting it.` };
      }
      return removeDocument(scope, scope.db.campaigns, id);
    },

    async prepare(id, opts = {}) {
      const plan = await prepared(id, opts);
      if (!plan.ok) return plan;
      const { messages, ...rest } = plan.value;
      return { ok: true, value: { ...rest, sample: messages.slice(0, SAMPLE_SIZE) } };
    },

    launch: (id, opts = {}) => once(id, () => launchOnce(id, opts)),
    resend: (id, opts = {}) => once(id, () => launchOnce(id, opts, true)),

    queuedSince: (id) =>
      toAccessor<number | undefined>(
        fromAccessor(id).pipe(
          distinctUntilChanged(),
          switchMap((key) => (key ? queuedLaunches.since(key) : of(undefined))),
        ),
        undefined,
      ),

    pause: (id) => action(id, 'pause_campaign'),
    resume: (id) => action(id, 'resume_campaign'),
    async cancel(id) {
      if (!deps.online()) return { ok: false, error: "You're offline: this needs a connection." };
      const { data, error } = await deps.client.rpc('cancel_campaign', { p_campaign_id: id });
      if (error) return { ok: false, error: error.message };
      // What is left counted as queued after a cancel is what the processor was sending.
      return { ok: true, value: (data as { queued_count: number }).queued_count };
    },
    async retry(id) {
      const found = await current(id);
      if ('error' in found) return { ok: false, error: found.error };
      if (!deps.online()) return { ok: false, error: "You're offline: this needs a connection." };
      const { data, error } = await deps.client.rpc('retry_campaign', {
        p_campaign_id: id,
        p_round: found.campaign.retry_round + 1,
      });
      if (error) return { ok: false, error: error.message };
      const answer = data as { retried?: number; granted?: boolean; reason?: string };
      if (answer.granted === false)
        return { ok: false, error: answer.reason ?? 'Not enough quota to retry.' };
      return { ok: true, value: answer.retried ?? 0 };
    },

    report: (id) =>
      toAccessor<ReportRow[]>(
        fromAccessor(id).pipe(
          distinctUntilChanged(),
          switchMap((key) =>
            source.scope$.pipe(switchMap((scope) => (scope && key ? reportOf(scope, key) : of([])))),
          ),
        ),
        [],
      ),
  };
}

/**
 * A campaign's report, live from its messages. Names are looked up once per contact (a
 * 100,000-recipient campaign's status changes then cost one pass over its messages, no
 * contact reads).
 */
function reportOf(scope: Scope, campaignId: string): Observable<ReportRow[]> {
  const names = new Map<string, string>();
  return scope.db.messages
    .find({ selector: { workspace_id: scope.workspace.id, campaign_id: campaignId } })
    .$.pipe(
      map((docs) => docs.map((doc) => doc.toJSON() as ReportMessage)),
      switchMap(async (messages) => {
        const missing = [
          ...new Set(
            messages.flatMap((m) => (m.contact_id && !names.has(m.contact_id) ? [m.contact_id] : [])),
          ),
        ];
        if (missing.length > 0) {
          const found = await scope.db.contacts.findByIds(missing).exec();
          for (const id of missing) names.set(id, found.get(id)?.name ?? '');
        }
        return reportRows(messages, names);
      }),
    );
}

/** Whether the campaign's local edits are on the server (it no longer waits to sync), bounded. */
async function pushed(scope: Scope, id: string): Promise<boolean> {
  return firstValueFrom(
    race(
      scope.pending.waits$('campaigns', id).pipe(
        filter((waits) => !waits),
        map(() => true),
      ),
      timer(PUSH_WAIT_MS).pipe(map(() => false)),
    ),
  );
}

function saved(result: Result<RxDocument<CampaignDoc>>): Result<Campaign> {
  return result.ok ? { ok: true, value: domainOf<Campaign>(result.value) } : result;
}
