// Campaign preparation and launch: preparing a 100,000-recipient campaign (audience,
// rendering, send plan; the code the worker runs) against a baseline that only substitutes
// the name into the text for each contact, then the launch: every prepared message through
// the outbox intake in the launch's chunks of 500, on PostgreSQL (TEST_DATABASE_URL), until
// the server holds them all (enqueue_100k_ms; issue 12's goal: 10,000 ms).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { campaignCommandChunks } from '../../src/domain/campaign-commands.ts';
import { type PreparableContact, prepareCampaign } from '../../src/domain/campaign-prepare.ts';
import { contactId } from '../../src/domain/ids.ts';
import { startBackend } from '../backend/harness.ts';
import type { BenchResult } from './result.ts';

const RECIPIENTS = 100_000;
const BODY = 'Hello {{first_name|there}}, your code is {{code}}';

/** Contacts of the workspace, with the ids the database derives from workspace and phone. */
function contacts(n: number, workspaceId: string): PreparableContact[] {
  return Array.from({ length: n }, (_, i) => {
    const phone = `+4915${String(i).padStart(9, '0')}`;
    return {
      id: contactId(workspaceId, phone),
      phone,
      name: `Person ${i}`,
      email: '',
      tags: ['bench'],
      group_ids: [],
      custom_fields: { code: String(i) },
      opted_out: i % 100 === 0,
      _deleted: false,
    };
  });
}

async function prepareMs(all: PreparableContact[], campaignId: string) {
  const started = performance.now();
  const prepared = await prepareCampaign(all, {
    campaignId,
    body: BODY,
    audience: { group_ids: [], tags: ['bench'], contact_ids: [] },
    pacing: {
      startAt: Date.now(),
      timeZone: 'Europe/Paris',
      window: { startMinute: 9 * 60, endMinute: 18 * 60, days: [1, 2, 3, 4, 5] },
      minDelayMs: 0,
      maxDelayMs: 500,
      ratePerMinute: 6000,
    },
  });
  return { ms: performance.now() - started, prepared };
}

function baselineMs(all: PreparableContact[]): number {
  const started = performance.now();
  const out: string[] = [];
  for (const c of all)
    out.push(
      BODY.replace('{{first_name|there}}', c.name.split(' ')[0]!).replace('{{code}}', c.custom_fields.code!),
    );
  return performance.now() - started;
}

export async function campaignPrepare(): Promise<BenchResult> {
  const campaignId = randomUUID();
  const backend = await startBackend({ db: 'postgres' });
  try {
    const user = await backend.user();
    const [channel] = await backend.db.query<{ id: string; workspace_id: string }>(
      `insert into public.channels (workspace_id, name, provider, rate_per_minute)
       select workspace_id, 'Bench', 'simulator', 6000 from public.workspace_members where user_id = $1
       returning id, workspace_id`,
      [user.id],
    );
    await backend.db.query('update public.quotas set monthly_limit = 1000000 where workspace_id = $1', [
      channel!.workspace_id,
    ]);
    const { error } = await user.client.from('campaigns').insert({
      id: campaignId,
      workspace_id: channel!.workspace_id,
      name: 'Bench',
      channel_id: channel!.id,
      body: BODY,
    });
    if (error) throw new Error(`campaign insert failed: ${error.message}`);
    // The campaign's message ids derive from its contacts' ids, which the database derives
    // from workspace and phone: the contacts are made for the workspace before preparing.
    const all = contacts(RECIPIENTS, channel!.workspace_id);
    const baseline = baselineMs(all);
    const { ms, prepared } = await prepareMs(all, campaignId);
    const messages = prepared.messages;
    const enqueued = messages.length;
    await backend.db.query(
      `insert into public.contacts (id, workspace_id, phone)
       select id, $1, phone from unnest($2::uuid[], $3::text[]) as c (id, phone)`,
      [channel!.workspace_id, messages.map((m) => m.contact_id), messages.map((m) => m.phone)],
    );
    const started = performance.now();
    // Per chunk: where the time goes (the last one also starts the campaign, releasing every
    // held message on its planned time).
    const chunkMs: number[] = [];
    for (const commands of campaignCommandChunks(messages, { id: campaignId, channel_id: channel!.id })) {
      const chunkStarted = performance.now();
      const { error: failed } = await user.client.functions.invoke('outbox', { body: { commands } });
      if (failed) throw new Error(`enqueue failed: ${failed.message}`);
      chunkMs.push(performance.now() - chunkStarted);
    }
    const enqueueMs = performance.now() - started;
    const sorted = chunkMs.slice(0, -1).sort((a, b) => a - b);
    const [row] = await backend.db.query<{ accepted_count: number }>(
      'select accepted_count from public.campaigns where id = $1',
      [campaignId],
    );
    if (row?.accepted_count !== enqueued)
      throw new Error(`the intake accepted ${row?.accepted_count}, not ${enqueued}`);
    return {
      name: 'campaign-prepare',
      description: `prepare a ${RECIPIENTS}-contact campaign (1% opted out; window, jitter, rate), then launch it: its ${enqueued} messages through the outbox intake in chunks of 500, on PostgreSQL`,
      figures: {
        prepare_ms: Math.round(ms),
        baseline_render_ms: Math.round(baseline),
        prepared_messages: prepared.messages.length,
        enqueue_100k_ms: Math.round(enqueueMs),
        enqueue_messages_per_s: Math.round(enqueued / (enqueueMs / 1000)),
        enqueue_chunks: chunkMs.length,
        enqueue_median_chunk_ms: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
        enqueue_last_chunk_ms: Math.round(chunkMs.at(-1) ?? 0),
      },
    };
  } finally {
    await backend.close();
  }
}
