// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Providers send either on
// a 429; a missing or unreadable one gets a default, and an absurd one a ceiling, so a bad
// header can neither hammer the provider nor park a channel for a year.
export const DEFAULT_RETRY_AFTER_SECONDS = 60;
export const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

/** Whole seconds to wait, from the header's value at time `now` (ms since the epoch). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number {
  const text = value?.trim() ?? '';
  let seconds: number | undefined;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else if (/[A-Za-z]{3}/.test(text)) {
    // Every HTTP date form names its month; this keeps Date.parse from reading "-5" as a year.
    const at = Date.parse(text);
    if (!Number.isNaN(at)) seconds = Math.max(0, Math.ceil((at - now) / 1000));
  }
  if (seconds === undefined) return DEFAULT_RETRY_AFTER_SECONDS;
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}
