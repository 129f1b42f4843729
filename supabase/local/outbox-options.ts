// Sending in `npm start` and `npm run backend`: the simulator (the embedded provider) and
// the processor's timer, both on unless turned off, from the environment:
//   PIGEON_SIMULATOR=false   no simulator (simulator channels then fail with the reason); it
//                            starts only on a loopback HOST unless PIGEON_SIMULATOR=true, for it
//                            signs webhooks for whoever holds its secrets
//   SIMULATOR_PORT           its port (any free one by default)
//   SIMULATOR_REPLY          a text every simulated recipient answers with, 6 s after a send
//                            (none by default)
//   OUTBOX_INTERVAL_MS       how often process-outbox runs (2000; 0 = never)
// process-outbox itself reads OUTBOX_BACKOFF_BASE_SECONDS, PROVIDER_TIMEOUT_MS and the rest
// (supabase/functions/process-outbox/config.ts) from the same environment.

import { isLoopbackHost } from './loopback.ts';
import type { StackOptions } from './stack.ts';

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return value;
}

export function deliveryOptions(
  env: NodeJS.ProcessEnv = process.env,
): Pick<StackOptions, 'simulator' | 'outboxTimer'> {
  const intervalMs = whole(env, 'OUTBOX_INTERVAL_MS', 2000);
  const simulator =
    env.PIGEON_SIMULATOR === 'true' ||
    (env.PIGEON_SIMULATOR !== 'false' && isLoopbackHost(env.HOST ?? '127.0.0.1'));
  return {
    ...(!simulator
      ? {}
      : {
          simulator: {
            port: whole(env, 'SIMULATOR_PORT', 0),
            // The reply comes a few seconds after the read receipt, as a person's would.
            ...(env.SIMULATOR_REPLY ? { replyText: env.SIMULATOR_REPLY, delays: { reply: 6000 } } : {}),
          },
        }),
    ...(intervalMs > 0 ? { outboxTimer: { intervalMs } } : {}),
  };
}

/** The lines `npm start` and `npm run backend` print about sending. */
export function deliveryBanner(
  stack: { simulator?: { url: string; whapiUrl: string } },
  opts: ReturnType<typeof deliveryOptions>,
): string {
  const sim = stack.simulator
    ? `Cloud API ${stack.simulator.url}, Whapi ${stack.simulator.whapiUrl} (sent → delivered → read by webhook)`
    : 'off';
  const timer = opts.outboxTimer ? `every ${opts.outboxTimer.intervalMs} ms` : 'off';
  return `  WhatsApp simulator: ${sim}\n  Outbox processor:   ${timer}`;
}
