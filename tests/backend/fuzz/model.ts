/**
 * A model of DESIGN.md's merge rules, written apart from the code under test (src/domain/merge.ts,
 * src/db/conflicts.ts): it predicts, from the accepted edits alone, what each field may end as.
 *
 * Every edit writes a value no other edit writes (a token), so the value a device had before
 * its edit names the edit it overwrote: that edit, and all it overwrote, are then superseded.
 * So is every edit that device wrote or saw earlier: its document only moves forward (a merge
 * folds its earlier state into what it shows), so an earlier value that lost a merge it never
 * saw the end of (another device's concurrent insert won) cannot come back.
 * - A scalar field ends as the value of an edit nothing superseded; when such edits were
 *   concurrent (none saw the others), the merge picked one by the documents' times, with a
 *   non-empty value beating an empty one. One left: exactly its value.
 * - A contact's tag (each added once, under a name of its own) is there at the end iff it was
 *   added and no one removed it: a removal beats a concurrent keep.
 * - Deleted or not is the side with the later `updated_at`: the record's final state is that
 *   of its newest edit (a delete is an edit), and its `updated_at` is that edit's.
 */

interface FieldEdit {
  id: number;
  key: string;
  empty: boolean;
  superseded: Set<number>;
}

interface DocEvent {
  deleted: boolean;
  at: number;
}

interface RecordModel {
  table: string;
  fields: Map<string, FieldEdit[]>;
  tags: Map<string, { removed: boolean }>;
  events: DocEvent[];
  /** Set when a step's record could not be read cleanly (another write landed in between):
   * 'deleted', 'tags' or the field the step edited. */
  unsure: Set<string>;
}

/** A value's identity: strings as they are, lists and objects by JSON. */
export function keyOf(value: unknown): string {
  return typeof value === 'string' ? `s:${value}` : `j:${JSON.stringify(value ?? null)}`;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export class MergeModel {
  private nextId = 0;
  private readonly records = new Map<string, RecordModel>();
  /** Values the system showed that no edit wrote (a merge must never invent one). */
  readonly problems: string[] = [];
  /** Per writer (a device or the server), record and field: the edits its state already holds. */
  private readonly seen = new Map<string, Set<number>>();

  private record(id: string, table: string): RecordModel {
    let record = this.records.get(id);
    if (!record) {
      record = { table, fields: new Map(), tags: new Map(), events: [], unsure: new Set() };
      this.records.set(id, record);
    }
    return record;
  }

  ids(table: string): string[] {
    return [...this.records].filter(([, r]) => r.table === table).map(([id]) => id);
  }

  /**
   * An accepted edit of `field` to `value` by `writer`, made where the field held `before`
   * (undefined: the record was not there, so nothing is superseded).
   */
  edit(writer: string, table: string, id: string, field: string, value: unknown, before: unknown): void {
    const record = this.record(id, table);
    const edits = record.fields.get(field) ?? [];
    record.fields.set(field, edits);
    const seenKey = `${writer}|${id}|${field}`;
    const superseded = new Set<number>();
    if (before !== undefined) {
      for (const earlier of this.seen.get(seenKey) ?? []) superseded.add(earlier);
      const prior = isEmpty(before)
        ? edits.filter((e) => e.empty)
        : edits.filter((e) => e.key === keyOf(before));
      if (prior.length === 0 && !isEmpty(before)) {
        this.problems.push(`${table} ${id}.${field}: ${JSON.stringify(before)} was never written`);
      }
      for (const p of prior) {
        superseded.add(p.id);
        for (const s of p.superseded) superseded.add(s);
      }
    }
    this.seen.set(seenKey, new Set(superseded));
    if (keyOf(value) === keyOf(before)) return;
    const edit = { id: this.nextId++, key: keyOf(value), empty: isEmpty(value), superseded };
    edits.push(edit);
    this.seen.get(seenKey)?.add(edit.id);
  }

  /** A document-level write at `at` (ms): an edit or creation (deleted false) or a delete. */
  event(table: string, id: string, deleted: boolean, at: number): void {
    this.record(id, table).events.push({ deleted, at });
  }

  tagAdded(id: string, tag: string): void {
    this.record(id, 'contacts').tags.set(tag, { removed: false });
  }

  tagRemoved(id: string, tag: string): void {
    const tag_ = this.record(id, 'contacts').tags.get(tag);
    if (tag_) tag_.removed = true;
    else this.problems.push(`contacts ${id}: tag ${tag} removed but never added`);
  }

  unsure(table: string, id: string, what: string): void {
    this.record(id, table).unsure.add(what);
  }

  /** What in `row` (the server's final row, or undefined if absent) the rules do not allow. */
  check(id: string, row: Record<string, unknown> | undefined): string[] {
    const record = this.records.get(id);
    if (!record) return [];
    const out: string[] = [];
    const where = `${record.table} ${id}`;
    if (!row) return record.events.length > 0 ? [`${where}: accepted edits but no server row`] : [];
    for (const [field, edits] of record.fields) {
      const superseded = new Set(edits.flatMap((e) => [...e.superseded]));
      const open = edits.filter((e) => !superseded.has(e.id));
      // A field an edit wrote on top of a state not read cleanly may hold any written value.
      const candidates = record.unsure.has(field)
        ? edits
        : open.some((e) => !e.empty)
          ? open.filter((e) => !e.empty)
          : open;
      const actual = keyOf(row[field] === null && field === 'body' ? '' : row[field]);
      const allowed = new Set(candidates.map((e) => e.key));
      // Empty values are one class ('' and null alike).
      const fits = allowed.has(actual) || (isEmpty(row[field]) && candidates.some((e) => e.empty));
      if (!fits) out.push(`${where}.${field} = ${actual}, the rules allow only ${[...allowed].join(' | ')}`);
    }
    if (record.table === 'contacts' && !record.unsure.has('tags')) {
      const expected = [...record.tags].filter(([, t]) => !t.removed).map(([tag]) => tag);
      const actual = Array.isArray(row.tags) ? (row.tags as string[]) : [];
      const sorted = (l: string[]) => [...l].sort().join(',');
      if (sorted(expected) !== sorted(actual)) {
        out.push(`${where}.tags = [${sorted(actual)}], the rules say [${sorted(expected)}]`);
      }
    }
    if (record.events.length > 0 && !record.unsure.has('deleted')) {
      const newest = Math.max(...record.events.map((e) => e.at));
      const states = new Set(record.events.filter((e) => e.at === newest).map((e) => e.deleted));
      if (!states.has(row._deleted === true)) {
        out.push(
          `${where}: _deleted = ${row._deleted}, the newest edit (${new Date(newest).toISOString()}) says ${[...states]}`,
        );
      }
      const updated = Date.parse(String(row.updated_at));
      if (updated !== newest) {
        out.push(
          `${where}: updated_at ${row.updated_at} is not the newest edit's ${new Date(newest).toISOString()}`,
        );
      }
    }
    return out;
  }
}
