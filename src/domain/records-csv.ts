/**
 * Contacts and templates as CSV files people open in a spreadsheet; the contacts' columns are
 * those the import maps by name (phone, name, email, tags, groups, notes, then one column per
 * custom field), so an exported file imports back.
 */
import { toCsv } from './csv-write.ts';
import type { Contact, Template } from './types.ts';

type ContactRow = Pick<
  Contact,
  'phone' | 'name' | 'email' | 'tags' | 'group_ids' | 'custom_fields' | 'notes' | 'opted_out'
>;

/** `groupNames`: group id → name (a group unknown here is left out). */
export function contactsCsv(
  contacts: readonly ContactRow[],
  groupNames: ReadonlyMap<string, string>,
): string {
  const custom = [...new Set(contacts.flatMap((c) => Object.keys(c.custom_fields)))].sort();
  const header = ['phone', 'name', 'email', 'tags', 'groups', 'notes', 'opted_out', ...custom];
  return toCsv([
    header,
    ...contacts.map((c) => [
      c.phone,
      c.name,
      c.email,
      c.tags.join('; '),
      c.group_ids.flatMap((id) => groupNames.get(id) ?? []).join('; '),
      c.notes,
      c.opted_out ? 'yes' : 'no',
      ...custom.map((key) => c.custom_fields[key] ?? ''),
    ]),
  ]);
}

export function templatesCsv(
  templates: readonly Pick<Template, 'name' | 'language' | 'category' | 'body'>[],
): string {
  return toCsv([
    ['name', 'language', 'category', 'body'],
    ...templates.map((t) => [t.name, t.language, t.category, t.body]),
  ]);
}
