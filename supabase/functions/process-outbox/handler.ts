// The outbox processor: POST with the service_role key (pg_cron on hosted Supabase, a timer
// in the local stack). One invocation claims due rows (claim_outbox reserves each its paced
// send slot), sends each at its slot through the channel's provider, reports the outcomes
// (complete_outbox_sends, fail_outbox_sends, hold_outbox_sends, each batched: what comes
// while one report of its kind is on its way goes in the next; report_channel_problem; what
// each provider outcome means is the adapter's, supabase/functions/_shared/provider.ts), and
// claims more as sends finish, until nothing is due or OUTBOX_RUN_MS has passed. Any number
// may run at once: the database hands each row to one of them and spaces the slots of a
// channel across all of them; the runs of one process share one pacer (pacer.ts).
import { type ChannelAccess, channelAccess, loadChannel } from '../_shared/channel-provider.ts';
import { sameSecret } from '../_shared/hmac.ts';
import type { ProviderSender, SendOutcome, TemplateMessage } from '../_shared/provider.ts';
import { ServiceApiError, serviceApi } from '../_shared/service-api.ts';
import { callLimit } from './call-limit.ts';
import { type ProcessorConfig, processorConfig } from './config.ts';
import { groupReport } from './group-report.ts';
import { channelPacer } from './pacer.ts';

interface Claimed {
  outbox_id: string;
  message_id: string;
  channel_id: string;
  provider: string;
  phone: string;
  body: string;
  send_delay_ms: number;
  template: TemplateMessage | null;
}

export interface RunSummary {
  worker: string;
  claimed: number;
  sent: number;
  /** Back in the queue after a retryable failure (backoff). */
  retrying: number;
  failed: number;
  /** Refused with 429: the channel is paused until Retry-After. */
  throttled: number;
  /** Claimed but given back unsent because the channel was paused or disconnected meanwhile. */
  released: number;
  /** Held back for their recipient only (the provider asked to wait), attempt given back. */
  deferred: number;
  /** Held because the channel's credentials stopped working: the channel is now disconnected. */
  disconnected: number;
  /** Held because the number is restricted: the channel is now degraded and paused. */
  degraded: number;
  /** Reports the database did not take (the lease will hand those rows out again). */
  errors: string[];
  ms: number;
}

/** A send that did not go through, as fail_outbox_sends takes it. */
interface OutboxFailure {
  id: string;
  error: string;
  retryable: boolean;
  /** A 429's Retry-After: the channel pauses, the attempt is refunded. */
  retry_after_seconds?: number;
}

/** A claim given back unsent, as hold_outbox_sends takes it. */
interface OutboxHold {
  id: string;
  error: string;
  delay_seconds: number;
}

/** The most outcomes one report records (the *_outbox_sends functions take up to 1000). */
const REPORT_GROUP_MAX = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createHandler(env: Record<string, string>) {
  const config = processorConfig(env);
  const api = serviceApi(env);
  const serviceKey = env.SUPABASE_SERVICE_ROLE_KEY;
  // One per process: runs at once space their sends of a channel against each other.
  const pacer = channelPacer();

  return async (req: Request): Promise<Response> => {
    if (req.method !== 'POST') {
      return Response.json({ error: 'use POST' }, { status: 405, headers: { allow: 'POST' } });
    }
    // verify_jwt lets any signed-in user through; only the service role may drive sends.
    if (!serviceKey || !(await sameSecret(req.headers.get('authorization') ?? '', `Bearer ${serviceKey}`))) {
      return Response.json({ error: 'process-outbox needs the service_role key' }, { status: 401 });
    }
    const { summary, claimFailed } = await run(config);
    return Response.json(summary, { status: claimFailed ? 502 : 200 });
  };

  async function run(cfg: ProcessorConfig): Promise<{ summary: RunSummary; claimFailed: boolean }> {
    const started = Date.now();
    const summary: RunSummary = {
      worker: `process-outbox:${crypto.randomUUID()}`,
      claimed: 0,
      sent: 0,
      retrying: 0,
      failed: 0,
      throttled: 0,
      released: 0,
      deferred: 0,
      disconnected: 0,
      degraded: 0,
      errors: [],
      ms: 0,
    };
    // Channels paused or disconnected during this run: their remaining claims go back unsent.
    const blocked = new Map<string, { until: number; reason: string }>();
    // Each channel's provider, opened once per run.
    const access = new Map<string, Promise<ChannelAccess | { unavailable: string }>>();
    const senders = new Map<string, ProviderSender>();
    const inFlight = new Set<Promise<void>>();
    const calls = callLimit(cfg.providerCalls);

    // Reports are retried a little: a lost complete_outbox would mean a second send.
    async function report<T>(fn: string, args: Record<string, unknown>): Promise<T | undefined> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await api.rpc<T>(fn, { p_worker: summary.worker, ...args });
        } catch (err) {
          const final = attempt === 3 || (err instanceof ServiceApiError && err.status < 500);
          if (final) {
            summary.errors.push((err as Error).message);
            return undefined;
          }
          await sleep(250 * attempt);
        }
      }
    }

    async function channelProblem(
      channelId: string,
      problem: 'disconnected' | 'degraded',
      reason: string,
      pauseSeconds?: number,
    ) {
      try {
        await api.rpc('report_channel_problem', {
          p_channel_id: channelId,
          p_problem: problem,
          p_reason: reason,
          p_pause_seconds: pauseSeconds ?? null,
        });
      } catch (err) {
        summary.errors.push((err as Error).message);
      }
    }

    // Outcomes recorded together: one database call per group, not per message.
    const completions = groupReport<{ row: Claimed; waMessageId: string }>(async (items) => {
      await report('complete_outbox_sends', {
        p_sends: items.map((i) => ({ id: i.row.outbox_id, wa_message_id: i.waMessageId })),
      });
      return undefined;
    }, REPORT_GROUP_MAX);
    const failures = groupReport<OutboxFailure, string | null>(
      (items) =>
        statuses('fail_outbox_sends', items, {
          p_failures: items,
          p_backoff_base_seconds: cfg.backoffBaseSeconds,
        }),
      REPORT_GROUP_MAX,
    );
    const holds = groupReport<OutboxHold, string | null>(
      (items) => statuses('hold_outbox_sends', items, { p_holds: items }),
      REPORT_GROUP_MAX,
    );

    /** A fail/hold report's new status per item, in their order (null: not this worker's claim). */
    async function statuses(
      fn: string,
      items: readonly { id: string }[],
      args: Record<string, unknown>,
    ): Promise<(string | null)[] | undefined> {
      const rows = await report<{ outbox_id: string; status: string | null }[]>(fn, args);
      if (!rows) return undefined;
      const status = new Map(rows.map((r) => [r.outbox_id, r.status]));
      return items.map((i) => status.get(i.id) ?? null);
    }

    function providerOf(channelId: string): Promise<ChannelAccess | { unavailable: string }> {
      let found = access.get(channelId);
      if (!found) {
        found = loadChannel(api, channelId).then((stored) =>
          stored ? channelAccess(stored, env) : { unavailable: `channel ${channelId} does not exist` },
        );
        access.set(channelId, found);
      }
      return found;
    }

    async function send(
      row: Claimed,
      provider: ChannelAccess | { unavailable: string },
    ): Promise<SendOutcome> {
      if ('unavailable' in provider) {
        // Credentials that do not open are the owner's to fix (reconnect): hold, fail nothing.
        return row.provider === 'simulator'
          ? { ok: false, action: 'fail', error: provider.unavailable }
          : { ok: false, action: 'disconnect', error: provider.unavailable };
      }
      let sender = senders.get(row.channel_id);
      if (!sender) {
        sender = provider.sender(cfg.timeoutMs);
        senders.set(row.channel_id, sender);
      }
      return sender.send({
        to: row.phone,
        body: row.body,
        messageId: row.message_id,
        template: row.template,
      });
    }

    /** Gives the claim back unsent, its attempt refunded, to be claimed after `delaySeconds`. */
    function hold(row: Claimed, error: string, delaySeconds: number) {
      return holds.add({ id: row.outbox_id, error, delay_seconds: delaySeconds });
    }

    async function deliver(row: Claimed, claimedAt: number, spacingMs: number | undefined): Promise<void> {
      // Opened before the turn: a first send that waited for it would go late and shorten
      // the gap to the next one.
      const provider = await providerOf(row.channel_id).catch((err: Error) => ({
        unavailable: `the channel's provider could not be loaded: ${err.message}`,
      }));
      // The call's place is taken before the turn is stamped (see pacer.ts).
      const release = await pacer.turn(
        row.channel_id,
        claimedAt + row.send_delay_ms,
        spacingMs,
        calls.acquire,
      );
      const block = blocked.get(row.channel_id);
      if (block && block.until > Date.now()) {
        release();
        // A disconnected channel is not claimed again before a reconnect: no delay needed.
        const wait = Number.isFinite(block.until) ? Math.ceil((block.until - Date.now()) / 1000) : 0;
        await hold(row, block.reason, wait);
        summary.released++;
        return;
      }
      const outcome = await send(row, provider).finally(release);
      if (outcome.ok) {
        await completions.add({ row, waMessageId: outcome.providerMessageId });
        summary.sent++;
        return;
      }
      switch (outcome.action) {
        case 'throttle': {
          blocked.set(row.channel_id, {
            until: Date.now() + outcome.retryAfterSeconds * 1000,
            reason: outcome.error,
          });
          summary.throttled++;
          await failures.add({
            id: row.outbox_id,
            error: outcome.error,
            retryable: true,
            retry_after_seconds: outcome.retryAfterSeconds,
          });
          return;
        }
        case 'defer':
          await hold(row, outcome.error, outcome.retryAfterSeconds);
          summary.deferred++;
          return;
        case 'degrade':
          blocked.set(row.channel_id, {
            until: Date.now() + outcome.retryAfterSeconds * 1000,
            reason: outcome.error,
          });
          await channelProblem(row.channel_id, 'degraded', outcome.error, outcome.retryAfterSeconds);
          await hold(row, outcome.error, outcome.retryAfterSeconds);
          summary.degraded++;
          return;
        case 'disconnect':
          // Until the end of the run: a reconnect is the only way back.
          blocked.set(row.channel_id, { until: Number.POSITIVE_INFINITY, reason: outcome.error });
          await channelProblem(row.channel_id, 'disconnected', outcome.error);
          await hold(row, outcome.error, 0);
          summary.disconnected++;
          return;
        default: {
          const status = await failures.add({
            id: row.outbox_id,
            error: outcome.error,
            retryable: outcome.action === 'retry',
          });
          if (status === 'failed') summary.failed++;
          else if (status === 'queued') summary.retrying++;
        }
      }
    }

    /**
     * Each row's spacing from the slot before it, as this claim reserved them (exact: one
     * answer, one clock), for the pacer to hold to after a late wake; a channel's first row
     * in the claim gets the smallest spacing of its others (none when it came alone).
     */
    function spacingsOf(rows: readonly Claimed[]): Map<string, number> {
      const previous = new Map<string, Claimed>();
      const smallest = new Map<string, number>();
      const firsts: Claimed[] = [];
      const spacings = new Map<string, number>();
      for (const row of rows) {
        const before = previous.get(row.channel_id);
        previous.set(row.channel_id, row);
        if (!before) {
          firsts.push(row);
          continue;
        }
        // Delays are whole ms rounded up: a spacing may read up to 1 ms short.
        const spacing = Math.abs(row.send_delay_ms - before.send_delay_ms) + 1;
        spacings.set(row.outbox_id, spacing);
        smallest.set(row.channel_id, Math.min(smallest.get(row.channel_id) ?? spacing, spacing));
      }
      for (const row of firsts) {
        const spacing = smallest.get(row.channel_id);
        if (spacing !== undefined) spacings.set(row.outbox_id, spacing);
      }
      return spacings;
    }

    let claimFailed = false;
    for (;;) {
      const room = cfg.batchSize - inFlight.size;
      let rows: Claimed[] = [];
      // Claims are fetched half a batch at a time at least: one round trip per send would
      // make the database, not the pacing, the limit.
      if (!claimFailed && room >= Math.ceil(cfg.batchSize / 2) && Date.now() - started < cfg.runMs) {
        try {
          rows = await api.rpc<Claimed[]>('claim_outbox_sends', {
            p_worker: summary.worker,
            p_limit: room,
            p_lease_seconds: cfg.leaseSeconds,
            p_horizon_seconds: cfg.horizonSeconds,
          });
        } catch (err) {
          // Finish what is held, then say so: the caller retries at its next tick.
          summary.errors.push((err as Error).message);
          claimFailed = true;
        }
      }
      if (rows.length === 0) {
        if (inFlight.size === 0) break;
        // Claim again once a send finished: a slot may have come within the horizon.
        await Promise.race(inFlight);
        continue;
      }
      summary.claimed += rows.length;
      const claimedAt = Date.now();
      const spacings = spacingsOf(rows);
      for (const row of rows) {
        const sending: Promise<void> = deliver(row, claimedAt, spacings.get(row.outbox_id)).finally(() =>
          inFlight.delete(sending),
        );
        inFlight.add(sending);
      }
    }
    summary.ms = Date.now() - started;
    return { summary, claimFailed };
  }
}
