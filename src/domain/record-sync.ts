/**
 * Per-record sync state and the conflict history this device keeps of its merges (issue 16):
 * which fields a merge decided between two different edits, what each side had and which one it
 * kept; whether an edit brought back a record deleted elsewhere; why the server refused a
 * record's push. Pure: src/sync/record-issues.ts keeps the map, features read it.
 */
import {
  CONTACT_FIELDS,
  campaignFields,
  GROUP_FIELDS,
  isEmpty,
  isSameValue,
  type MergeInput,
  TEMPLATE_FIELDS,
} from './merge.ts';
import type { Campaign } from './types.ts';

/** The collections whose records show their sync state. */
export const MARKED_COLLECTIONS = ['contacts', 'contact_groups', 'templates', 'campaigns'] as const;
export type MarkedCollection = (typeof MARKED_COLLECTIONS)[number];

/** error: the server refused the last push; conflict: a merge decided something to look at. */
export type RecordSyncState = 'synced' | 'pending' | 'conflict' | 'error';

export type ConflictSide = 'mine' | 'theirs';

/** One field both sides changed to different values, and what the merge kept. */
export interface FieldConflict {
  /** A field name, or `custom_fields.<key>` for one custom field of a contact. */
  field: string;
  /** This device's value (undefined: the field was cleared or absent). */
  mine: unknown;
  /** The value the server held, from another device or member. */
  theirs: unknown;
  kept: ConflictSide;
  /** When the merge ran (ISO). */
  at: string;
}

/** One side deleted the record while the other edited it: the (later) edit brought it back. */
export interface RestoredRecord {
  at: string;
  /** True when this device's delete was undone, false when its edit undid another's delete. */
  deletedHere: boolean;
}

export interface RecordIssue {
  /** Why the server refused the record's last push. */
  error?: { reason: string; at: string };
  /** Decisions not looked at yet, one per field (the latest), oldest first. */
  conflicts?: FieldConflict[];
  restored?: RestoredRecord;
}

/** By `issueKey`: only records with something to show are present. */
export type RecordIssues = Readonly<Record<string, RecordIssue>>;

/** What one merge leaves to tell the user. */
export interface MergeOutcome {
  conflicts: FieldConflict[];
  restored?: RestoredRecord;
}

type Doc = { _deleted?: boolean } & Record<string, unknown>;

// The history is for people: a record edited in a loop on two devices keeps the latest few,
// and the map its newest records (two devices importing one file with other names, or a server
// refusing a whole import, must not grow it without end).
const HISTORY = 20;
export const MAX_RECORDS = 2000;

export function issueKey(collection: MarkedCollection, id: string): string {
  return `${collection}|${id}`;
}

export function isMarkedCollection(name: string): name is MarkedCollection {
  return (MARKED_COLLECTIONS as readonly string[]).includes(name);
}

/**
 * What a merge (`merged`, from the domain merges of merge.ts) decided between `input.local`
 * (this device) and `input.remote` (the server): fields both changed to different values (a
 * field changed on one side only merges silently), and a delete undone by an edit.
 */
export function mergeOutcome(
  collection: MarkedCollection,
  input: MergeInput<Doc>,
  merged: Doc,
  at: string,
): MergeOutcome {
  const { base, local, remote } = input;
  const conflicts: FieldConflict[] = [];
  const decide = (field: string, values: MergeInput<unknown>, kept: unknown) => {
    if (!contested(values, base !== undefined)) return;
    const side: ConflictSide = isSameValue(kept, values.local) ? 'mine' : 'theirs';
    conflicts.push({ field, mine: values.local, theirs: values.remote, kept: side, at });
  };
  for (const field of decidedFields(collection, remote)) {
    decide(field, { base: base?.[field], local: local[field], remote: remote[field] }, merged[field]);
  }
  if (collection === 'contacts') {
    const [b, l, r, m] = [base, local, remote, merged].map((doc) => record(doc?.custom_fields));
    for (const key of new Set([...Object.keys(l!), ...Object.keys(r!)])) {
      const valueIn = (fields: Record<string, unknown>) =>
        Object.hasOwn(fields, key) ? fields[key] : undefined;
      decide(
        `custom_fields.${key}`,
        { base: valueIn(b!), local: valueIn(l!), remote: valueIn(r!) },
        valueIn(m!),
      );
    }
  }
  const restored =
    Boolean(local._deleted) !== Boolean(remote._deleted) && !merged._deleted
      ? { at, deletedHere: Boolean(local._deleted) }
      : undefined;
  return restored ? { conflicts, restored } : { conflicts };
}

/** Changed on both sides to different values; with no base (two inserts) both must hold one. */
function contested({ base, local, remote }: MergeInput<unknown>, hasBase: boolean): boolean {
  if (isSameValue(local, remote)) return false;
  if (hasBase) return !isSameValue(local, base) && !isSameValue(remote, base);
  return !isEmpty(local) && !isEmpty(remote);
}

function decidedFields(collection: MarkedCollection, remote: Doc): readonly string[] {
  switch (collection) {
    case 'contacts':
      return CONTACT_FIELDS;
    case 'contact_groups':
      return GROUP_FIELDS;
    case 'templates':
      return TEMPLATE_FIELDS;
    case 'campaigns':
      return campaignFields(remote as unknown as Campaign);
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Adds merges' outcomes (by key): a newer decision on a field replaces the older one. */
export function withMerges(issues: RecordIssues, merges: readonly [string, MergeOutcome][]): RecordIssues {
  const updates = new Map<string, RecordIssue>();
  for (const [key, outcome] of merges) {
    if (outcome.conflicts.length === 0 && !outcome.restored) continue;
    const issue = updates.get(key) ?? issues[key] ?? {};
    const fields = new Set(outcome.conflicts.map((c) => c.field));
    const conflicts = [...(issue.conflicts ?? []).filter((c) => !fields.has(c.field)), ...outcome.conflicts];
    updates.set(key, {
      ...issue,
      ...(conflicts.length > 0 ? { conflicts: conflicts.slice(-HISTORY) } : {}),
      ...(outcome.restored ? { restored: outcome.restored } : {}),
    });
  }
  return withIssues(issues, updates);
}

/** Records the server's refusals (by key), e.g. the rows of one push. */
export function withRefusals(
  issues: RecordIssues,
  refusals: readonly { key: string; reason: string }[],
  at: string,
): RecordIssues {
  const updates = new Map<string, RecordIssue>();
  for (const { key, reason } of refusals) updates.set(key, { ...issues[key], error: { reason, at } });
  return withIssues(issues, updates);
}

/** `updates` as the newest entries, in one copy; past MAX_RECORDS the oldest entries go. */
function withIssues(issues: RecordIssues, updates: ReadonlyMap<string, RecordIssue>): RecordIssues {
  if (updates.size === 0) return issues;
  const entries = Object.entries(issues).filter(([key]) => !updates.has(key));
  entries.push(...updates);
  return Object.fromEntries(entries.slice(-MAX_RECORDS));
}

/** Without the refusal, the decision on `field`, or the restore notice (the record's entry goes once empty). */
export function without(
  issues: RecordIssues,
  key: string,
  what: { error: true } | { field: string } | { restored: true },
): RecordIssues {
  const issue = issues[key];
  if (!issue) return issues;
  const { error, conflicts, restored } = issue;
  const rest: RecordIssue = {
    ...(error && !('error' in what) ? { error } : {}),
    ...(restored && !('restored' in what) ? { restored } : {}),
  };
  const left = 'field' in what ? conflicts?.filter((c) => c.field !== what.field) : conflicts;
  if (left && left.length > 0) rest.conflicts = left;
  const next = { ...issues };
  if (Object.keys(rest).length > 0) next[key] = rest;
  else delete next[key];
  return next;
}

/** One word for a record: a refusal first (it needs the user), then a merge to look at, then waiting. */
export function recordState(pending: boolean, issue: RecordIssue | undefined): RecordSyncState {
  if (issue?.error) return 'error';
  if (issue?.conflicts?.length || issue?.restored) return 'conflict';
  return pending ? 'pending' : 'synced';
}

/** `doc` with `field` set to `value`, as an edit (`custom_fields.<key>` sets or clears one key). */
export function withFieldValue<D extends Record<string, unknown>>(doc: D, field: string, value: unknown): D {
  const custom = /^custom_fields\.(.+)$/s.exec(field);
  if (!custom) return { ...doc, [field]: value };
  const key = custom[1]!;
  const entries = Object.entries(record(doc.custom_fields)).filter(([name]) => name !== key);
  if (value !== undefined) entries.push([key, value]);
  // fromEntries defines own properties, so a key like "__proto__" stays data.
  return { ...doc, custom_fields: Object.fromEntries(entries) };
}

/** "Not yet synced": waiting to go up, or refused by the server. */
export function isUnsynced(state: RecordSyncState | undefined): boolean {
  return state === 'pending' || state === 'error';
}
