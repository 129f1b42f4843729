// How the campaign editor's inputs read and write a draft's fields: times of day as minutes,
// a start as local date and time in the campaign's zone, delays in seconds. No rules about
// what is valid here (src/domain/campaign-draft.ts decides); a value that cannot be read is passed on
// as NaN, so the check names the field.
import { zoneClock } from '../../domain/send-zone.ts';

/** "09:30" → 570; "" → null (no window). */
export function minutesOfDay(value: string): number | null {
  if (value.trim() === '') return null;
  const match = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
}

/** 570 → "09:30"; null → "". */
export function timeOfDay(minutes: number | null): string {
  if (minutes === null) return '';
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** A datetime-local value ("2026-12-01T09:00"), read in `timeZone`, as an ISO instant. */
export function instantOf(local: string, timeZone: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return local;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  return new Date(zoneClock(timeZone).toInstant(wall)).toISOString();
}

/** An ISO instant as a datetime-local value in `timeZone`. */
export function localOf(iso: string | null, timeZone: string): string {
  if (iso === null) return '';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  return new Date(zoneClock(timeZone).toWall(at)).toISOString().slice(0, 16);
}

/** "1.5" seconds → 1500 ms; "" → 0. */
export function msOfSeconds(value: string): number {
  if (value.trim() === '') return 0;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : Number.NaN;
}

export function secondsOf(ms: number): string {
  return String(ms / 1000);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
