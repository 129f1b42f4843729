/**
 * The versions this device's pushes wrote, until realtime announces them: a change event of a
 * row at a version this device itself pushed is its own echo and wakes no pull (the push's
 * answer already told the replication what the server holds, src/sync/replication.ts).
 *
 * That holds only if no pull stores an older version of the row after the push: a pull the
 * server answered before the push committed can be stored after it, and RxDB then takes that
 * older row for the server's state (and writes it over the pushed one). So the newest version
 * each push wrote is also kept until a pull brings that version or a later one: a row stored
 * older than it (`isBehind`) is pulled again, since its echo woke no pull.
 */

// Events may never come (the socket was down): the oldest versions are forgotten past this,
// and their echo then wakes a pull, which finds the rows equal and writes nothing.
const REMEMBERED = 20_000;

export class PushedVersions {
  /** Versions whose realtime event has not come yet. */
  private readonly versions = new Map<string, string>();
  /** Versions no pull has brought yet (or a later one). */
  private readonly unpulled = new Map<string, string>();

  pushed(id: string, version: string): void {
    remember(this.versions, id, sameInstant(version));
    remember(this.unpulled, id, sameInstant(version));
  }

  /**
   * Whether a row a pull stored (`version`: its `server_modified`) is older than a version a
   * push of this device wrote: the pull was answered before that push committed.
   */
  isBehind(id: string, version: string | undefined): boolean {
    const pushed = this.unpulled.get(id);
    if (pushed === undefined) return false;
    if (version !== undefined && sameInstant(version) >= pushed) {
      this.unpulled.delete(id);
      return false;
    }
    return true;
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

/** Sets `id` to `version` as the newest entry, forgetting the oldest past REMEMBERED. */
function remember(map: Map<string, string>, id: string, version: string): void {
  map.delete(id);
  map.set(id, version);
  if (map.size > REMEMBERED) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

/**
 * One spelling per instant of a Postgres timestamptz as JSON may print it
 * ("2026-12-03T06:40:00.1234+00:00", "2026-12-03 06:40:00.1234+00", "...Z"), with the
 * microseconds in full, so that spellings also sort as their instants do.
 */
export function sameInstant(version: string): string {
  const match = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]00(?::?00)?)$/.exec(version);
  if (!match) return version;
  const [, date, time, fraction = ''] = match;
  return `${date}T${time}.${fraction.padEnd(6, '0')}Z`;
}
