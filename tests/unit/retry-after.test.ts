// Retry-After in both of its forms (RFC 9110 §10.2.3), as both adapters read it.
import { describe, expect, test } from 'vitest';
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  MAX_RETRY_AFTER_SECONDS,
  parseRetryAfter,
} from '../../supabase/functions/_shared/retry-after.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  test.each([
    ['120', 120],
    [' 7 ', 7],
    ['0', 0],
    ['Mon, 23 Nov 2026 10:00:30 GMT', 30],
    // A fraction of a second still waits a whole one.
    ['Mon, 23 Nov 2026 10:00:00 GMT', 0],
    ['Sun, 22 Nov 2026 09:00:00 GMT', 0],
    [String(10 * MAX_RETRY_AFTER_SECONDS), MAX_RETRY_AFTER_SECONDS],
  ])('%j → %i s', (header, seconds) => {
    expect(parseRetryAfter(header, now)).toBe(seconds);
  });

  test.each([[null], [undefined], [''], ['soon'], ['-5'], ['1.5']])('%j → the default', (header) => {
    expect(parseRetryAfter(header, now)).toBe(DEFAULT_RETRY_AFTER_SECONDS);
  });
});
