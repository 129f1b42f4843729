import { expect, test } from 'vitest';
import { checkPacing } from '../../src/domain/channel-pacing.ts';

test('pacing within the server columns passes unchanged', () => {
  const pacing = { rate_per_minute: 80, min_delay_ms: 500, max_delay_ms: 2000 };
  expect(checkPacing(pacing)).toEqual({ ok: true, value: pacing });
  expect(checkPacing({ rate_per_minute: 6000, min_delay_ms: 0, max_delay_ms: 0 }).ok).toBe(true);
});

test('each bad value is named', () => {
  expect(checkPacing({ rate_per_minute: 0, min_delay_ms: 0, max_delay_ms: 0 })).toEqual({
    ok: false,
    error: 'Messages per minute: a whole number from 1 to 6000',
  });
  expect(checkPacing({ rate_per_minute: 1.5, min_delay_ms: 0, max_delay_ms: 0 }).ok).toBe(false);
  expect(checkPacing({ rate_per_minute: 60, min_delay_ms: -1, max_delay_ms: 0 })).toMatchObject({
    error: 'Minimum delay (ms): a whole number from 0 to 3600000',
  });
  expect(checkPacing({ rate_per_minute: 60, min_delay_ms: 0, max_delay_ms: 3_600_001 })).toMatchObject({
    error: 'Maximum delay (ms): a whole number from 0 to 3600000',
  });
  expect(checkPacing({ rate_per_minute: 60, min_delay_ms: 3000, max_delay_ms: 1000 })).toEqual({
    ok: false,
    error: 'Minimum delay (ms): must not exceed the maximum delay',
  });
});
