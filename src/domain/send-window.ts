/**
 * Send windows: the local hours, on chosen weekdays, when a campaign may send (e.g. 09:00–18:00
 * Monday to Friday). Windows are half-open, [start, end): a send due exactly at the end waits
 * for the next window. An end at or before the start crosses midnight (22:00–02:00), and such
 * a window belongs to the day it opens on: Friday's 22:00–02:00 runs into Saturday even if
 * Saturday is not chosen. Times are wall-clock times in the campaign's zone, so a window keeps
 * its local hours across a daylight-saving change (send-zone.ts says how skipped and repeated
 * times read).
 */

import { DAY_MS, MINUTE_MS, wallDayStart, wallWeekday, type ZoneClock } from './send-zone.ts';
import type { IsoWeekday } from './types.ts';

export interface SendWindow {
  /** Minutes after local midnight, 0–1439. */
  startMinute: number;
  endMinute: number;
  days: readonly IsoWeekday[];
}

/** An open window in UTC milliseconds, [open, close). */
export interface WindowInterval {
  open: number;
  close: number;
}

const MINUTES_PER_DAY = 1440;

/** What is wrong with a window, in words for the user; empty when it is usable. */
export function windowProblems(window: SendWindow): string[] {
  const problems: string[] = [];
  for (const [label, minute] of [
    ['start', window.startMinute],
    ['end', window.endMinute],
  ] as const) {
    if (!Number.isInteger(minute) || minute < 0 || minute >= MINUTES_PER_DAY) {
      problems.push(`the window ${label} must be a time of day from 00:00 to 23:59`);
    }
  }
  if (window.startMinute === window.endMinute) {
    problems.push('the window starts and ends at the same time; leave the window out to send at any time');
  }
  if (window.days.length === 0) problems.push('choose at least one day for the send window');
  if (window.days.some((day) => !Number.isInteger(day) || day < 1 || day > 7)) {
    problems.push('window days must be weekdays 1 (Monday) to 7 (Sunday)');
  }
  return problems;
}

/**
 * The first window still open at or after `at` (its close is later than `at`). The send time
 * is then max(at, open). Call it again only once `at` reaches the close: in between, no zone
 * lookups are needed.
 */
export function nextWindow(clock: ZoneClock, window: SendWindow, at: number): WindowInterval {
  const chosen = new Array<boolean>(8).fill(false);
  for (const day of window.days) chosen[day] = true;
  const crossesMidnight = window.endMinute <= window.startMinute;
  // Start a day early: yesterday's window may still be open after midnight. Two weeks covers
  // any choice of days even when a clock change squeezes one window to nothing.
  const firstDay = wallDayStart(clock.toWall(at)) - DAY_MS;
  for (let k = 0; k < 16; k++) {
    const day = firstDay + k * DAY_MS;
    if (!chosen[wallWeekday(day)]) continue;
    const open = clock.toInstant(day + window.startMinute * MINUTE_MS);
    const close = clock.toInstant(day + (crossesMidnight ? DAY_MS : 0) + window.endMinute * MINUTE_MS);
    if (close > open && close > at) return { open, close };
  }
  throw new RangeError(`no send window opens after ${new Date(at).toISOString()}: ${windowProblems(window)}`);
}
