// The processor's settings, from the function's environment (all optional).
export interface ProcessorConfig {
  /** First retry delay; later ones double up to 16 times it (OUTBOX_BACKOFF_BASE_SECONDS, 60). */
  backoffBaseSeconds: number;
  /** A send with no answer after this long is lost and retried (PROVIDER_TIMEOUT_MS, 15000). */
  timeoutMs: number;
  /** Sends in flight at once, waiting for their slot or their answer (OUTBOX_BATCH_SIZE, 50). */
  batchSize: number;
  /** Provider calls in flight at once; the other sends due wait for one (OUTBOX_PROVIDER_CALLS, 32). */
  providerCalls: number;
  /** How far ahead send slots are reserved (OUTBOX_HORIZON_SECONDS, 10). */
  horizonSeconds: number;
  /** How long one invocation keeps claiming before it finishes what it holds (OUTBOX_RUN_MS, 50000). */
  runMs: number;
  /** A claim's lease: the longest wait for a slot plus the longest send, plus a margin. */
  leaseSeconds: number;
}

function setting(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(
      `process-outbox: ${name} must be a whole number from 0 to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

export function processorConfig(env: Record<string, string | undefined>): ProcessorConfig {
  const timeoutMs = Math.max(1, setting(env, 'PROVIDER_TIMEOUT_MS', 15_000, 300_000));
  const horizonSeconds = setting(env, 'OUTBOX_HORIZON_SECONDS', 10, 600);
  return {
    backoffBaseSeconds: setting(env, 'OUTBOX_BACKOFF_BASE_SECONDS', 60, 86_400),
    timeoutMs,
    batchSize: Math.max(1, setting(env, 'OUTBOX_BATCH_SIZE', 50, 1000)),
    providerCalls: Math.max(1, setting(env, 'OUTBOX_PROVIDER_CALLS', 32, 1000)),
    horizonSeconds,
    runMs: setting(env, 'OUTBOX_RUN_MS', 50_000, 3_600_000),
    leaseSeconds: horizonSeconds + Math.ceil(timeoutMs / 1000) + 30,
  };
}
