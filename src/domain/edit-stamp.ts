/**
 * The `updated_at` of a local edit: now, or 1 ms after the document's previous edit when the
 * clock says otherwise (two edits in one millisecond, a clock set back). Every edit of a
 * document then has its own stamp: pending markers tell them apart, and merges see the last
 * edit as the newer one.
 */
export function editStamp(previous: string | undefined, now: number = Date.now()): string {
  const after = previous === undefined ? Number.NaN : Date.parse(previous) + 1;
  return new Date(Number.isNaN(after) ? now : Math.max(now, after)).toISOString();
}
