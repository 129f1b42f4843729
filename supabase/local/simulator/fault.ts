// What a test can make the simulator do wrong to the next sends (faults.ts applies them).
export type Fault = (
  | /**
   * An HTTP error: 5xx, 408, 400…, or 429 with Retry-After (seconds or an HTTP date). `code`
   * is the Graph error code of a Cloud API answer (131047, 131048, 131056, 190…).
   */
  { kind: 'http'; status: number; code?: number; message?: string; retryAfter?: string }
  /** No answer for `ms` (longer than the adapter's timeout), then a 504 nobody waits for. */
  | { kind: 'hang'; ms: number }
  /** Accepted, then reported `failed` by webhook, as when the recipient is not on WhatsApp. */
  | { kind: 'undeliverable' }
) & {
  /** Only a send of this number takes the fault. */
  number?: string;
};
