/**
 * Conflict merges for RxDB's conflict handlers (DESIGN.md: field-level merge; contacts keep the
 * union of groups and tags and the newer non-empty value per field).
 *
 * Each is a three-way merge: `base` is the master state the local edit started from, `local` the
 * local fork, `remote` the real master state. A field changed on one side only takes that side's
 * value; changed on both, the side with the later `updated_at` wins, unless its value is empty
 * and the other's is not. Ties go to `remote`, so every device resolves the same way.
 */
import { CAMPAIGN_DRAFT_KEYS } from './campaign-commands.ts';
import type { Campaign, Contact, ContactGroup, EditableDocument, Template } from './types.ts';

export interface MergeInput<T> {
  /** Undefined when nothing is known to have been there, e.g. two offline inserts of one phone. */
  base: T | undefined;
  local: T;
  remote: T;
}

export type Side = 'local' | 'remote';

/** The side with the later `updated_at`; an unreadable timestamp counts as oldest. */
export function newerSide(local: EditableDocument, remote: EditableDocument): Side {
  return instant(local.updated_at) > instant(remote.updated_at) ? 'local' : 'remote';
}

/**
 * Three-way merge of one value; `undefined` means absent (a key missing from a record). Values
 * compare by content: a list (a campaign draft's tags) is a new object in every state.
 */
export function mergeScalar<V>({ base, local, remote }: MergeInput<V>, newer: Side): V {
  if (sameValue(local, remote)) return remote;
  if (base !== undefined && sameValue(local, base)) return remote;
  if (base !== undefined && sameValue(remote, base)) return local;
  const [winner, other] = newer === 'local' ? [local, remote] : [remote, local];
  return isEmpty(winner) && !isEmpty(other) ? other : winner;
}

/**
 * Three-way merge of a set: keeps what both kept, adds what either added, drops what either
 * removed (a removal beats a mere keep). With no base, the union. Order: local's, then remote's.
 */
export function mergeSet<V>({ base, local, remote }: MergeInput<readonly V[]>): V[] {
  const inLocal = new Set(local);
  const inRemote = new Set(remote);
  const inBase = new Set(base);
  return [...new Set([...local, ...remote])].filter(
    (value) => !inBase.has(value) || (inLocal.has(value) && inRemote.has(value)),
  );
}

/** Three-way merge of a record, key by key with `mergeScalar` (a removed key is `undefined`). */
export function mergeRecord<V>(
  { base, local, remote }: MergeInput<Readonly<Record<string, V>>>,
  newer: Side,
): Record<string, V> {
  const keys = new Set([...Object.keys(local), ...Object.keys(remote)]);
  const entries: [string, V][] = [];
  for (const key of keys) {
    const value = mergeScalar(
      { base: own(base, key), local: own(local, key), remote: own(remote, key) },
      newer,
    );
    if (value !== undefined) entries.push([key, value]);
  }
  // fromEntries defines own properties, so a key like "__proto__" stays data.
  return Object.fromEntries(entries);
}

/**
 * Merges the listed fields with `mergeScalar`; every other field comes from `remote` (identity,
 * `_modified`). `updated_at` is the later one. `_deleted` is the newer side's: a delete wins over
 * a concurrent edit only if it was made after it, and an edit made after a delete brings the row
 * back, since someone still wanted it. Deleting stamps `updated_at` like any edit.
 */
export function mergeFields<T extends EditableDocument, K extends keyof T>(
  input: MergeInput<T>,
  keys: readonly K[],
): T {
  const newer = newerSide(input.local, input.remote);
  const winner = input[newer];
  const merged: T = { ...input.remote, updated_at: winner.updated_at, _deleted: winner._deleted };
  for (const key of keys) merged[key] = mergeScalar(field(input, key), newer);
  return merged;
}

/** The fields each merge decides value by value (what record-sync.ts reports as contested). */
export const GROUP_FIELDS = ['name', 'description', 'color'] as const;
export const TEMPLATE_FIELDS = ['name', 'body', 'language', 'category'] as const;
export const CONTACT_FIELDS = ['name', 'email', 'notes'] as const;

export const mergeGroup = (input: MergeInput<ContactGroup>): ContactGroup => mergeFields(input, GROUP_FIELDS);

export const mergeTemplate = (input: MergeInput<Template>): Template => mergeFields(input, TEMPLATE_FIELDS);

/**
 * While the server still holds a draft (or a blocked one, editable again), its draft fields
 * merge like any edit; once launched they are the server's, as are status and counters
 * (`mergeFields` starts from remote). The name stays editable.
 */
export function mergeCampaign(input: MergeInput<Campaign>): Campaign {
  return mergeFields(input, campaignFields(input.remote));
}

/** The campaign fields a merge decides, given the server's state. */
export function campaignFields(remote: Campaign): readonly (keyof Campaign)[] {
  const editable = remote.status === 'draft' || remote.status === 'blocked';
  return editable ? CAMPAIGN_DRAFT_KEYS : ['name'];
}

/** `phone` is identity (the id derives from it), so like `id` it is remote's. */
export function mergeContact(input: MergeInput<Contact>): Contact {
  const newer = newerSide(input.local, input.remote);
  return {
    ...mergeFields(input, CONTACT_FIELDS),
    tags: mergeSet(field(input, 'tags')),
    group_ids: mergeSet(field(input, 'group_ids')),
    custom_fields: mergeRecord(field(input, 'custom_fields'), newer),
    ...mergeOptOut(input, newer),
  };
}

type OptOut = Pick<Contact, 'opted_out' | 'opted_out_at'>;

/**
 * The flag and its time move together. Changed on both sides to different answers, opted out
 * wins: a merge must never make Pigeon message someone who said STOP.
 */
function mergeOptOut({ base, local, remote }: MergeInput<Contact>, newer: Side): OptOut {
  const same = (a: OptOut, b: OptOut) => a.opted_out === b.opted_out && a.opted_out_at === b.opted_out_at;
  const pick = (c: OptOut): OptOut => ({ opted_out: c.opted_out, opted_out_at: c.opted_out_at });
  if (same(local, remote)) return pick(remote);
  if (base && same(local, base)) return pick(remote);
  if (base && same(remote, base)) return pick(local);
  if (local.opted_out !== remote.opted_out) return pick(local.opted_out ? local : remote);
  return pick(newer === 'local' ? local : remote);
}

// Meta a store adds that is no part of the document's content: the server's write stamp and
// RxDB's local bookkeeping.
const META_KEYS = new Set(['_modified', '_meta', '_rev', '_attachments']);

/**
 * Deep equality of two states of a document, ignoring meta (for a conflict handler's `isEqual`).
 * A missing key equals an `undefined` one; array order matters.
 */
export function isSameDocument(a: object, b: object): boolean {
  return sameValue(a, b, META_KEYS);
}

/** isSameDocument, also ignoring the top-level `fields` (e.g. a stored copy of a server stamp). */
export function isSameDocumentExcept(a: object, b: object, fields: readonly string[]): boolean {
  return sameValue(a, b, new Set([...META_KEYS, ...fields]));
}

/** Deep equality of two field values (lists by content). */
export function isSameValue(a: unknown, b: unknown): boolean {
  return sameValue(a, b);
}

function sameValue(a: unknown, b: unknown, ignored?: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((value, index) => sameValue(value, b[index]))
    );
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    if (ignored?.has(key)) continue;
    if (!sameValue(left[key], right[key])) return false;
  }
  return true;
}

function field<T, K extends keyof T>(input: MergeInput<T>, key: K): MergeInput<T[K]> {
  return { base: input.base?.[key], local: input.local[key], remote: input.remote[key] };
}

function own<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function instant(timestamp: string): number {
  const time = Date.parse(timestamp);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}
