/**
 * Wall-clock arithmetic in one IANA time zone, for planning sends ("09:00 in Berlin").
 *
 * Built on Intl.DateTimeFormat, which every browser and worker ships with the zone database:
 * no dependency to keep current, and the zones match the user's system. One formatter per
 * zone, made once; the planner asks for offsets only when it moves to another window (a few
 * times per day planned), never per recipient.
 *
 * A "wall time" here is local date and time written as milliseconds since the epoch read as
 * if UTC: 2026-03-29 09:00 in Berlin is Date.UTC(2026, 2, 29, 9).
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface ZoneClock {
  readonly timeZone: string;
  /** Local time minus UTC at an instant, in ms (Berlin in summer: +7,200,000). */
  offsetAt(instant: number): number;
  /** The wall time at an instant. */
  toWall(instant: number): number;
  /**
   * The instant of a wall time. A time skipped by a clock change (02:30 when clocks jump from
   * 02:00 to 03:00) moves forward by the gap (03:30); a time that happens twice (02:30 when
   * clocks go back from 03:00 to 02:00) is the earlier one. These are Temporal's
   * "compatible" rules, the ones calendars use.
   */
  toInstant(wall: number): number;
}

export class TimeZoneError extends RangeError {}

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function zoneClock(timeZone: string): ZoneClock {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new TimeZoneError(
      `unknown time zone ${JSON.stringify(timeZone)}: use an IANA name such as Europe/Paris`,
    );
  }

  const offsetAt = (instant: number): number => {
    // Offsets are whole seconds; the formatter drops milliseconds, so compare whole seconds.
    const second = Math.floor(instant / 1000) * 1000;
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(second)) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const wall = Date.UTC(
      parts.year ?? 0,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      // Some engines print midnight as 24 even in the h23 cycle.
      (parts.hour ?? 0) % 24,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
    return wall - second;
  };

  return {
    timeZone,
    offsetAt,
    toWall: (instant) => instant + offsetAt(instant),
    toInstant(wall) {
      // A day either side of the wall time, at most one clock change lies between (zones
      // change at most a few times a year).
      const before = offsetAt(wall - DAY_MS);
      const after = offsetAt(wall + DAY_MS);
      const early = wall - before;
      const late = wall - after;
      const earlyValid = offsetAt(early) === before;
      const lateValid = offsetAt(late) === after;
      if (earlyValid && lateValid) return Math.min(early, late);
      if (earlyValid) return early;
      if (lateValid) return late;
      // In a gap: read with the offset before the change, i.e. moved forward by the gap.
      return early;
    },
  };
}

/** The wall time of local midnight starting the day that contains `wall`. */
export function wallDayStart(wall: number): number {
  return Math.floor(wall / DAY_MS) * DAY_MS;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a wall time. */
export function wallWeekday(wall: number): number {
  return ((new Date(wall).getUTCDay() + 6) % 7) + 1;
}

export { DAY_MS, MINUTE_MS };
