/**
 * What an import does to a phone that is already a contact (issue 15, item 9). The user picks
 * the policy; the default only fills what the contact has empty, so a name typed by hand is never
 * replaced unless the user chose to update existing contacts. Pure, so the batch save can run it
 * wherever it runs (page or storage worker).
 */

/** `fill`: empty fields take the file's values; `update`: the file's non-empty values win; `skip`: leave it. */
export type ExistingPolicy = 'fill' | 'update' | 'skip';

export const EXISTING_POLICIES: readonly ExistingPolicy[] = ['fill', 'update', 'skip'];

/** The fields an import writes. */
export interface ImportedFields {
  name: string;
  email: string;
  notes: string;
  tags: readonly string[];
  group_ids: readonly string[];
  custom_fields: Readonly<Record<string, string>>;
}

/** One field an import changed on an existing contact, as the report shows it. */
export interface FieldChange {
  field: 'name' | 'email' | 'notes' | 'tags' | 'groups' | 'custom fields';
  from: string;
  to: string;
}

const union = (...lists: (readonly string[])[]): string[] => [...new Set(lists.flat())];

const pick = (policy: ExistingPolicy, current: string, incoming: string): string =>
  policy === 'update' ? incoming || current : current || incoming;

function mergeCustom(
  policy: ExistingPolicy,
  current: Readonly<Record<string, string>>,
  incoming: Readonly<Record<string, string>>,
): Record<string, string> {
  // Own keys only: `current.__proto__` would read Object.prototype.
  const empty = (key: string) => !Object.hasOwn(current, key) || current[key] === '';
  const entries = Object.entries(incoming).filter(
    ([key, value]) => value !== '' && (policy === 'update' || empty(key)),
  );
  // fromEntries keeps a key like "__proto__" as data.
  return Object.fromEntries([...Object.entries(current), ...entries]);
}

const showRecord = (record: Readonly<Record<string, string>>): string =>
  Object.entries(record)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');

/**
 * The contact after the import under `policy`, with what changed; undefined when it changes
 * nothing (including every `skip`). Tags and groups are only ever added to; opt-out is kept.
 */
export function mergeImported<C extends ImportedFields>(
  current: C,
  incoming: ImportedFields,
  policy: ExistingPolicy,
): { contact: C; changes: FieldChange[] } | undefined {
  if (policy === 'skip') return undefined;
  const contact: C = {
    ...current,
    name: pick(policy, current.name, incoming.name),
    email: pick(policy, current.email, incoming.email),
    notes: pick(policy, current.notes, incoming.notes),
    tags: union(current.tags, incoming.tags),
    group_ids: union(current.group_ids, incoming.group_ids),
    custom_fields: mergeCustom(policy, current.custom_fields, incoming.custom_fields),
  };
  const changes: FieldChange[] = [];
  for (const field of ['name', 'email', 'notes'] as const) {
    if (contact[field] !== current[field]) changes.push({ field, from: current[field], to: contact[field] });
  }
  if (contact.tags.length !== current.tags.length)
    changes.push({ field: 'tags', from: current.tags.join(', '), to: contact.tags.join(', ') });
  if (contact.group_ids.length !== current.group_ids.length)
    changes.push({
      field: 'groups',
      from: String(current.group_ids.length),
      to: String(contact.group_ids.length),
    });
  const [before, after] = [showRecord(current.custom_fields), showRecord(contact.custom_fields)];
  if (before !== after) changes.push({ field: 'custom fields', from: before, to: after });
  return changes.length > 0 ? { contact, changes } : undefined;
}
