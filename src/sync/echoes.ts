/**
 * The versions this device's pushes wrote, until realtime announces them: a change event of a
 * row at a version this device itself pushed is its own echo and wakes no pull (the push's
 * answer already told the replication what the server holds, src/sync/replication.ts).
 */

// Events may never come (the socket was down): the oldest versions are forgotten past this,
// and their echo then wakes a pull, which finds the rows equal and writes nothing.
const REMEMBERED = 20_000;

export class PushedVersions {
  private readonly versions = new Map<string, string>();

  pushed(id: string, version: string): void {
    this.versions.delete(id);
    this.versions.set(id, sameInstant(version));
    if (this.versions.size > REMEMBERED) {
      const oldest = this.versions.keys().next();
      if (!oldest.done) this.versions.delete(oldest.value);
    }
  }

  /** Whether a realtime record is the row as this device pushed it (forgotten once seen). */
  isEcho(record: unknown): boolean {
    if (typeof record !== 'object' || record === null) return false;
    const { id, _modified } = record as { id?: unknown; _modified?: unknown };
    if (typeof id !== 'string' || typeof _modified !== 'string') return false;
    if (this.versions.get(id) !== sameInstant(_modified)) return false;
    this.versions.delete(id);
    return true;
  }
}

/**
 * One spelling per instant of a Postgres timestamptz as JSON may print it
 * ("2026-12-03T06:40:00.1234+00:00", "2026-12-03 06:40:00.1234+00", "...Z").
 */
export function sameInstant(version: string): string {
  const match = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]00(?::?00)?)$/.exec(version);
  if (!match) return version;
  const [, date, time, fraction = ''] = match;
  return `${date}T${time}.${fraction.replace(/0+$/, '')}Z`;
}
