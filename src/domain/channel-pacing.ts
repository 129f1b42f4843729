/**
 * A channel's pacing as owners set it, checked as the server's columns check it
 * (supabase/migrations/20261202000300_channels.sql), so a bad value is named before the
 * request and nothing is half-saved.
 */
import type { Result } from './result.ts';

export interface ChannelPacing {
  rate_per_minute: number;
  min_delay_ms: number;
  max_delay_ms: number;
}

const MAX_RATE = 6000;
const MAX_DELAY_MS = 3_600_000;

function wholeIn(label: string, value: number, min: number, max: number): string | undefined {
  if (!Number.isInteger(value) || value < min || value > max) {
    return `${label}: a whole number from ${min} to ${max}`;
  }
  return undefined;
}

export function checkPacing(pacing: ChannelPacing): Result<ChannelPacing> {
  const problem =
    wholeIn('Messages per minute', pacing.rate_per_minute, 1, MAX_RATE) ??
    wholeIn('Minimum delay (ms)', pacing.min_delay_ms, 0, MAX_DELAY_MS) ??
    wholeIn('Maximum delay (ms)', pacing.max_delay_ms, 0, MAX_DELAY_MS) ??
    (pacing.min_delay_ms > pacing.max_delay_ms
      ? 'Minimum delay (ms): must not exceed the maximum delay'
      : undefined);
  return problem ? { ok: false, error: problem } : { ok: true, value: pacing };
}
