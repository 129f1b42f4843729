/**
 * What restoring a backup would do to the records this device holds: each backup record is
 * added (missing, or deleted since the backup), changed (some restored field differs) or left
 * (equal, so restoring twice writes nothing). Two rules keep a restore from undoing what only
 * the server may undo: an opt-out is never cleared (that takes an owner and a reason), and a
 * campaign launched since the backup is left as it is.
 */
import {
  BACKUP_COLLECTIONS,
  type BackupCollection,
  type BackupData,
  type BackupRecord,
  RESTORED_FIELDS,
} from './backup.ts';

/** A record this device holds, deleted ones included. */
export type HeldRecord = Readonly<Record<string, unknown>> & { id: string; _deleted: boolean };
export type HeldRecords = { [C in BackupCollection]: readonly HeldRecord[] };

export interface RestoreStep<C extends BackupCollection = BackupCollection> {
  collection: C;
  id: string;
  /** add: not held, or deleted since the backup (`revives`); change: `fields` differ. */
  kind: 'add' | 'change';
  revives: boolean;
  /** How people know the record: a name, or a contact's phone. */
  label: string;
  /** The fields the step writes (every restored field for an add). */
  fields: string[];
  record: BackupRecord<C>;
}

export interface RestoreCounts {
  add: number;
  change: number;
  /** Equal to the backup: nothing to write. */
  same: number;
  /** Campaigns launched since the backup: left as they are. */
  kept: number;
}

export interface RestorePlan {
  steps: RestoreStep[];
  counts: Record<BackupCollection, RestoreCounts>;
}

/** Campaign statuses a user edits; a campaign in any other has been launched. */
const DRAFT_STATUSES = new Set(['draft', 'blocked']);

export function planRestore(data: BackupData, held: HeldRecords): RestorePlan {
  const steps: RestoreStep[] = [];
  const counts = {} as Record<BackupCollection, RestoreCounts>;
  for (const collection of BACKUP_COLLECTIONS) {
    const tally: RestoreCounts = { add: 0, change: 0, same: 0, kept: 0 };
    counts[collection] = tally;
    const byId = new Map(held[collection].map((doc) => [doc.id, doc]));
    for (const record of data[collection] as BackupRecord[]) {
      const current = byId.get(record.id);
      const base = { collection, id: record.id, label: labelOf(collection, record), record };
      if (!current || current._deleted) {
        tally.add++;
        steps.push({
          ...base,
          kind: 'add',
          revives: Boolean(current),
          fields: [...RESTORED_FIELDS[collection]],
        });
        continue;
      }
      if (collection === 'campaigns' && !DRAFT_STATUSES.has(current.status as string)) {
        tally.kept++;
        continue;
      }
      const fields = changedFields(collection, record, current);
      if (fields.length === 0) {
        tally.same++;
        continue;
      }
      tally.change++;
      steps.push({ ...base, kind: 'change', revives: false, fields });
    }
  }
  return { steps, counts };
}

/** The restored fields whose backup value differs from the held one. */
function changedFields(collection: BackupCollection, record: BackupRecord, current: HeldRecord): string[] {
  const values = record as unknown as Record<string, unknown>;
  return RESTORED_FIELDS[collection].filter((field) => {
    // An opt-out held now stays: only the server clears one.
    if (collection === 'contacts' && field === 'opted_out' && current.opted_out === true) return false;
    return !sameValue(values[field], current[field]);
  });
}

function labelOf(collection: BackupCollection, record: BackupRecord): string {
  const { name } = record as { name: string };
  if (collection === 'contacts')
    return name
      ? `${name} (${(record as BackupRecord<'contacts'>).phone})`
      : (record as BackupRecord<'contacts'>).phone;
  return name;
}

/** Deep equality of JSON values (object keys in any order); null and undefined are the same. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]))
    );
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((key) => key in y && sameValue(x[key], y[key]));
}
