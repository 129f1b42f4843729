/** How the inbox writes times and days (the user's locale). */
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const WEEKDAY = new Intl.DateTimeFormat(undefined, { weekday: 'short' });

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** The list's time: today's time, this week's weekday, else the date. */
export function listTime(iso: string | null, now = new Date()): string {
  if (!iso) return '';
  const at = new Date(iso);
  const days = (startOfDay(now) - startOfDay(at)) / 86_400_000;
  if (days < 1) return TIME.format(at);
  if (days < 7) return WEEKDAY.format(at);
  return DAY.format(at);
}

export const clockTime = (iso: string) => TIME.format(new Date(iso));

/** A day separator's label: Today, Yesterday, or the date. */
export function dayLabel(iso: string, now = new Date()): string {
  const days = Math.round((startOfDay(now) - startOfDay(new Date(iso))) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return DAY.format(new Date(iso));
}

/** The local day of a time, to tell where a separator goes. */
export const dayKey = (iso: string) => startOfDay(new Date(iso));
