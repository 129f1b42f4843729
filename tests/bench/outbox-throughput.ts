// Outbox throughput to the simulator under a per-channel rate limit: messages queued through
// the intake and drained by two concurrent process-outbox loops (the real function, over
// HTTP), against the simulator's raw accept rate measured in the same run (the adapter
// sending as fast as it can, no database). The paced rate must stay at or under the
// channel's limit and reach at least 95% of it.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { cloudApiSender } from '../../supabase/functions/_shared/cloud-api.ts';
import { runOutbox } from '../../supabase/local/outbox-run.ts';
import { type Backend, startBackend, type TestDb } from '../backend/harness.ts';
import { BATCH, CHANNELS, LOOPS, manyChannels, PER_CHANNEL, rateOf } from './outbox-channels.ts';
import type { BenchResult } from './result.ts';

const RATE_PER_MINUTE = 1800;
const SECONDS = 20;
const MESSAGES = (RATE_PER_MINUTE / 60) * SECONDS;
const RAW_SENDS = 2000;
const RAW_CONCURRENCY = 16;

async function rawAcceptRate(backend: Backend): Promise<number> {
  const sender = cloudApiSender(
    {
      baseUrl: backend.simulator!.url,
      version: 'v21.0',
      accessToken: backend.simulator!.accessToken,
      timeoutMs: 10_000,
    },
    'raw',
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: RAW_CONCURRENCY }, async () => {
      while (next < RAW_SENDS) {
        next++;
        const outcome = await sender.send({ to: '+4915112345678', body: 'raw', messageId: randomUUID() });
        if (!outcome.ok) throw new Error(`raw send failed: ${outcome.error}`);
      }
    }),
  );
  return RAW_SENDS / ((performance.now() - started) / 1000);
}

async function pacedRate(backend: Backend) {
  const user = await backend.mintUser();
  const [channel] = await backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider, rate_per_minute)
     select workspace_id, 'Bench', 'simulator', $2 from public.workspace_members where user_id = $1
     returning id`,
    [user.id, RATE_PER_MINUTE],
  );
  for (let start = 0; start < MESSAGES; start += 500) {
    const commands = Array.from({ length: Math.min(500, MESSAGES - start) }, (_, i) => ({
      message_id: randomUUID(),
      channel_id: channel!.id,
      to: `+4915112${String(start + i).padStart(6, '0')}`,
      body: `bench ${start + i}`,
    }));
    const { error } = await user.client.functions.invoke('outbox', { body: { commands } });
    if (error) throw new Error(`enqueue failed: ${error.message}`);
  }
  const remaining = async () => {
    const [row] = await backend.db.query<{ n: number }>(
      `select count(*)::int as n from public.outbox_messages where status in ('queued', 'sending')`,
    );
    return row!.n;
  };
  const loop = async () => {
    while ((await remaining()) > 0) {
      const { status, summary } = await runOutbox(backend.url, backend.config.serviceRoleKey);
      if (status !== 200) throw new Error(`process-outbox answered ${status}: ${summary?.errors.join('; ')}`);
    }
  };
  await Promise.all([loop(), loop()]);

  const sends = backend.simulator!.sends().filter((s) => s.phoneNumberId === channel!.id);
  if (sends.length !== MESSAGES || new Set(sends.map((s) => s.body)).size !== MESSAGES) {
    throw new Error(`the simulator received ${sends.length} sends; expected ${MESSAGES}, each once`);
  }
  const times = sends.map((s) => s.at).sort((a, b) => a - b);
  const spanS = (times.at(-1)! - times[0]!) / 1000;
  // The most sends in any window of `ms`: bursts as the provider sees them.
  const most = (ms: number) => {
    let best = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= ms) i++;
      best = Math.max(best, j - i + 1);
    }
    return best;
  };
  return { perSecond: (times.length - 1) / spanS, spanS, in1s: most(1000), in5s: most(5000) };
}

async function measure(db: TestDb): Promise<Record<string, number>> {
  const backend = await startBackend({
    db,
    simulator: { delays: { sent: null, delivered: null, read: null } },
  });
  try {
    const raw = await rawAcceptRate(backend);
    backend.simulator!.reset();
    const paced = await pacedRate(backend);
    const limit = RATE_PER_MINUTE / 60;
    return {
      [`${db}_simulator_raw_accept_per_s`]: Math.round(raw),
      [`${db}_paced_per_s`]: Number(paced.perSecond.toFixed(2)),
      [`${db}_paced_ratio_of_limit`]: Number((paced.perSecond / limit).toFixed(4)),
      [`${db}_paced_most_sends_in_any_1s`]: paced.in1s,
      [`${db}_paced_most_sends_in_any_5s`]: paced.in5s,
      [`${db}_paced_span_s`]: Number(paced.spanS.toFixed(2)),
    };
  } finally {
    await backend.close();
  }
}

export async function outboxThroughput(): Promise<BenchResult> {
  const dbs: TestDb[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  let figures: Record<string, number | string> = {
    rate_limit_per_minute: RATE_PER_MINUTE,
    rate_limit_per_s: RATE_PER_MINUTE / 60,
    messages: MESSAGES,
    processors: 2,
  };
  for (const db of dbs) figures = { ...figures, ...(await measure(db)) };
  // The many-channel run needs PostgreSQL (PGlite serialises every connection).
  if (process.env.TEST_DATABASE_URL) {
    const many = await manyChannels('postgres');
    figures = { ...figures, ...Object.fromEntries(Object.entries(many).map(([k, v]) => [`many_${k}`, v])) };
  }
  return {
    name: 'outbox-throughput',
    description: `${MESSAGES} messages on one channel limited to ${RATE_PER_MINUTE}/min, sent to the simulator by two concurrent process-outbox loops, vs the simulator's raw accept rate (${RAW_SENDS} sends, ${RAW_CONCURRENCY} at a time, no database); the paced rate must be at or under the limit and at least 95% of it. With TEST_DATABASE_URL, also many_*: ${CHANNELS} channels × ${PER_CHANNEL} messages on PostgreSQL, each capped at its own rate (${rateOf(0)}–${rateOf(CHANNELS - 1)}/min), drained by ${LOOPS} process-outbox loops of ${BATCH} sends in flight; goal ≥ 1,000 msg/s in total with no channel over its limit`,
    figures,
  };
}
