/**
 * Retry delays of the replication when the server cannot be reached: doubling from `minMs`
 * up to `maxMs`, so a long outage costs a request every `maxMs` rather than every second.
 * (In a browser RxDB also retries at once when the `online` event fires.)
 */
export interface RetryPolicy {
  minMs: number;
  maxMs: number;
}

// A short first retry: the `online` event does not always fire (a page reloaded while
// offline in Chromium never got one), and a reconnect should reach other devices within a
// second or two, not after the next multi-second wait.
export const DEFAULT_RETRY: RetryPolicy = { minMs: 300, maxMs: 30_000 };

/** The delay before retry number `failures` (1 = after the first failure). */
export function retryDelay(failures: number, policy: RetryPolicy): number {
  if (failures <= 1) return policy.minMs;
  // 2 ** 30 is far past any cap; clamping the exponent keeps the number finite.
  return Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(failures - 1, 30));
}
