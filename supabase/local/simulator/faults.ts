// Failure injection: the next sends the simulator receives are answered with these faults,
// one each, in order; after them it accepts again.
import type { GraphError } from '../../functions/_shared/cloud-api.ts';

export type Fault =
  /** An HTTP error: 5xx, 408, 400…, or 429 with Retry-After (seconds or an HTTP date). */
  | { kind: 'http'; status: number; message?: string; retryAfter?: string }
  /** No answer for `ms` (longer than the adapter's timeout), then a 504 nobody waits for. */
  | { kind: 'hang'; ms: number }
  /** Accepted, then reported `failed` by webhook, as when the recipient is not on WhatsApp. */
  | { kind: 'undeliverable' };

export function isFault(value: unknown): value is Fault {
  const f = value as Partial<Record<string, unknown>> | null;
  if (typeof f !== 'object' || f === null) return false;
  switch (f.kind) {
    case 'http':
      return (
        Number.isInteger(f.status) &&
        (f.status as number) >= 400 &&
        (f.status as number) <= 599 &&
        (f.message === undefined || typeof f.message === 'string') &&
        (f.retryAfter === undefined || typeof f.retryAfter === 'string')
      );
    case 'hang':
      return Number.isInteger(f.ms) && (f.ms as number) >= 0 && (f.ms as number) <= 600_000;
    case 'undeliverable':
      return true;
    default:
      return false;
  }
}

/** The Graph API error body the simulator answers an HTTP fault with. */
export function faultBody(status: number, message: string | undefined): GraphError {
  const code = status === 429 ? 130429 : status >= 500 ? 1 : 100;
  return {
    error: {
      message:
        message ??
        (status === 429
          ? 'Rate limit hit'
          : status >= 500
            ? 'An unknown error occurred'
            : 'Invalid parameter'),
      type: 'OAuthException',
      code,
      fbtrace_id: `sim${Math.random().toString(36).slice(2, 12)}`,
    },
  };
}
