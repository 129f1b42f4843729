import { describe, expect, it } from 'vitest';
import { type Pacing, pacingProblems, planSendTimes, seededRandom } from '../../src/domain/send-plan.ts';
import { nextWindow } from '../../src/domain/send-window.ts';
import { zoneClock } from '../../src/domain/send-zone.ts';
import type { IsoWeekday } from '../../src/domain/types.ts';

const ALL_DAYS: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];
const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

function pacing(overrides: Partial<Pacing> = {}): Pacing {
  return {
    startAt: at('2026-11-23T10:00:00Z'),
    timeZone: 'UTC',
    window: null,
    minDelayMs: 0,
    maxDelayMs: 0,
    ratePerMinute: 6000,
    ...overrides,
  };
}

const gaps = (times: Float64Array) => Array.from(times.slice(1), (t, i) => t - times[i]!);

describe('send window edges', () => {
  it('a send due exactly at the end of the window waits for the next window', () => {
    const times = planSendTimes(
      3,
      pacing({
        startAt: at('2026-11-23T17:59:00Z'),
        minDelayMs: 60_000,
        maxDelayMs: 60_000,
        window: { startMinute: 9 * 60, endMinute: 18 * 60, days: ALL_DAYS },
      }),
    );
    expect(Array.from(times, iso)).toEqual([
      '2026-11-23T17:59:00.000Z',
      '2026-11-24T09:00:00.000Z',
      '2026-11-24T09:01:00.000Z',
    ]);
  });

  it('a start before the window opens waits for the opening; the start of a window is inside it', () => {
    const window = { startMinute: 9 * 60, endMinute: 18 * 60, days: ALL_DAYS };
    expect(iso(planSendTimes(1, pacing({ startAt: at('2026-11-23T06:00:00Z'), window }))[0]!)).toBe(
      '2026-11-23T09:00:00.000Z',
    );
    expect(iso(planSendTimes(1, pacing({ startAt: at('2026-11-23T09:00:00Z'), window }))[0]!)).toBe(
      '2026-11-23T09:00:00.000Z',
    );
  });

  it('skips days that are not chosen (Mon–Fri: Friday evening continues on Monday)', () => {
    // 2026-11-27 is a Friday.
    const times = planSendTimes(
      2,
      pacing({
        startAt: at('2026-11-27T17:30:00Z'),
        minDelayMs: 3_600_000,
        maxDelayMs: 3_600_000,
        window: { startMinute: 9 * 60, endMinute: 18 * 60, days: [1, 2, 3, 4, 5] },
      }),
    );
    expect(Array.from(times, iso)).toEqual(['2026-11-27T17:30:00.000Z', '2026-11-30T09:00:00.000Z']);
  });

  it('a window crossing midnight belongs to the day it opens and closes the next morning', () => {
    // Fridays 22:00–02:00 only; 2026-11-26 is a Thursday.
    const window = { startMinute: 22 * 60, endMinute: 2 * 60, days: [5] as IsoWeekday[] };
    const hourly = { minDelayMs: 3_600_000, maxDelayMs: 3_600_000, window };
    expect(
      Array.from(planSendTimes(6, pacing({ startAt: at('2026-11-26T23:00:00Z'), ...hourly })), iso),
    ).toEqual([
      '2026-11-27T22:00:00.000Z',
      '2026-11-27T23:00:00.000Z',
      '2026-11-28T00:00:00.000Z',
      '2026-11-28T01:00:00.000Z',
      // 02:00 Saturday is the end: the next Friday.
      '2026-12-04T22:00:00.000Z',
      '2026-12-04T23:00:00.000Z',
    ]);
    // Early on Saturday, Friday's window is still open.
    expect(iso(planSendTimes(1, pacing({ startAt: at('2026-11-28T01:30:00Z'), window }))[0]!)).toBe(
      '2026-11-28T01:30:00.000Z',
    );
  });
});

describe('daylight-saving changes', () => {
  const nineToSix = { startMinute: 9 * 60, endMinute: 18 * 60, days: ALL_DAYS };

  it('Europe/Berlin, last Sunday of March: 09:00 local is 08:00Z on Saturday and 07:00Z on Sunday', () => {
    const times = planSendTimes(
      3,
      pacing({
        timeZone: 'Europe/Berlin',
        startAt: at('2026-03-28T16:59:00Z'), // 17:59 CET
        minDelayMs: 60_000,
        maxDelayMs: 60_000,
        window: nineToSix,
      }),
    );
    expect(Array.from(times, iso)).toEqual([
      '2026-03-28T16:59:00.000Z',
      '2026-03-29T07:00:00.000Z', // 09:00 CEST
      '2026-03-29T07:01:00.000Z',
    ]);
  });

  it('Europe/Berlin, last Sunday of October: the window closes at 18:00 CET (17:00Z)', () => {
    const clock = zoneClock('Europe/Berlin');
    expect(nextWindow(clock, nineToSix, at('2026-10-24T12:00:00Z'))).toEqual({
      open: at('2026-10-24T07:00:00Z'),
      close: at('2026-10-24T16:00:00Z'),
    });
    expect(nextWindow(clock, nineToSix, at('2026-10-24T16:00:00Z'))).toEqual({
      open: at('2026-10-25T08:00:00Z'),
      close: at('2026-10-25T17:00:00Z'),
    });
  });

  it('a window edge in the skipped hour moves forward by the gap; a repeated hour reads as its first time', () => {
    const clock = zoneClock('Europe/Berlin');
    // 29 March: 02:00–03:00 does not exist. 01:30–02:30 opens 01:30 CET, closes at "02:30" = 03:30 CEST.
    expect(
      nextWindow(clock, { startMinute: 90, endMinute: 150, days: ALL_DAYS }, at('2026-03-29T00:00:00Z')),
    ).toEqual({ open: at('2026-03-29T00:30:00Z'), close: at('2026-03-29T01:30:00Z') });
    // 25 October: 02:00–03:00 happens twice; 02:30 is the first one (CEST, 00:30Z).
    expect(clock.toInstant(Date.UTC(2026, 9, 25, 2, 30))).toBe(at('2026-10-25T00:30:00Z'));
    expect(clock.toInstant(Date.UTC(2026, 9, 25, 3, 30))).toBe(at('2026-10-25T02:30:00Z'));
  });

  it('America/New_York, second Sunday of March and first Sunday of November', () => {
    const clock = zoneClock('America/New_York');
    expect(iso(nextWindow(clock, nineToSix, at('2026-03-07T12:00:00Z')).open)).toBe(
      '2026-03-07T14:00:00.000Z',
    );
    expect(iso(nextWindow(clock, nineToSix, at('2026-03-08T12:00:00Z')).open)).toBe(
      '2026-03-08T13:00:00.000Z',
    );
    expect(iso(nextWindow(clock, nineToSix, at('2026-10-31T12:00:00Z')).open)).toBe(
      '2026-10-31T13:00:00.000Z',
    );
    expect(iso(nextWindow(clock, nineToSix, at('2026-11-01T12:00:00Z')).open)).toBe(
      '2026-11-01T14:00:00.000Z',
    );
  });

  it('a window crossing midnight across the change keeps its local hours (22:00–02:00, Berlin, March)', () => {
    const clock = zoneClock('Europe/Berlin');
    // Saturday 28 March 22:00 CET = 21:00Z; Sunday 02:00 does not exist and reads 03:00 CEST = 01:00Z.
    expect(
      nextWindow(clock, { startMinute: 22 * 60, endMinute: 120, days: [6] }, at('2026-03-28T12:00:00Z')),
    ).toEqual({ open: at('2026-03-28T21:00:00Z'), close: at('2026-03-29T01:00:00Z') });
  });
});

describe('delays and rate', () => {
  it('jittered delays stay within min..max and use the whole range', () => {
    const times = planSendTimes(20_000, pacing({ minDelayMs: 1000, maxDelayMs: 3000 }), seededRandom(42));
    const g = gaps(times);
    expect(Math.min(...g)).toBe(1000);
    expect(Math.max(...g)).toBe(3000);
    expect(new Set(g).size).toBeGreaterThan(1500);
  });

  it('the same seed gives the same plan', () => {
    const p = pacing({ minDelayMs: 0, maxDelayMs: 10_000 });
    expect(planSendTimes(100, p, seededRandom(7))).toEqual(planSendTimes(100, p, seededRandom(7)));
  });

  it('a random source at its extremes gives exactly min and max (and 1, out of contract, stays at max)', () => {
    const p = pacing({ minDelayMs: 500, maxDelayMs: 700 });
    for (const [value, gap] of [
      [0, 500],
      [0.999999999, 700],
      [1, 700],
    ] as const) {
      expect(gaps(planSendTimes(2, p, () => value))).toEqual([gap]);
    }
  });

  it('never more than rate_per_minute sends in any 60 seconds; the larger of delay and spacing wins', () => {
    const times = planSendTimes(
      1000,
      pacing({ ratePerMinute: 7, minDelayMs: 0, maxDelayMs: 12_000 }),
      seededRandom(1),
    );
    let first = 0;
    for (let i = 0; i < times.length; i++) {
      while (times[i]! - times[first]! >= 60_000) first++;
      expect(i - first + 1).toBeLessThanOrEqual(7);
    }
    const g = gaps(times);
    expect(Math.min(...g)).toBe(Math.ceil(60_000 / 7));
    expect(Math.max(...g)).toBeLessThanOrEqual(12_000);
    expect(Math.max(...g)).toBeGreaterThan(11_000);
  });

  it('names every problem with unusable pacing', () => {
    expect(
      pacingProblems(
        pacing({
          timeZone: 'Mars/Olympus',
          minDelayMs: 5000,
          maxDelayMs: 1000,
          ratePerMinute: 0,
          window: { startMinute: 600, endMinute: 600, days: [] },
        }),
      ),
    ).toEqual([
      'unknown time zone "Mars/Olympus": use an IANA name such as Europe/Paris',
      'the minimum delay is longer than the maximum delay',
      'the rate must be 1 to 6000 messages per minute',
      'the window starts and ends at the same time; leave the window out to send at any time',
      'choose at least one day for the send window',
    ]);
    expect(() => planSendTimes(1, pacing({ ratePerMinute: 0 }))).toThrow(/rate must be 1 to 6000/);
  });
});
