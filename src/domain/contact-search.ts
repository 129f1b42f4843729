/**
 * The contacts search: a query matches a contact when each of its words is in the name, the
 * email or a tag (ignoring case, in any order: "lovelace ada" finds Ada Lovelace), or, when the
 * query looks like a phone number, whose phone contains its digits. A dialling prefix of the
 * digits is dropped, so the national "07400 123" and the international "0044 7400" both find
 * +447400123456, while "0001" finds numbers containing 0001. A filter narrows it further: one group, and every one of several tags.
 */
import type { Contact } from './types.ts';

export type ContactSearch = (contact: Contact) => boolean;

// What a typed phone number may hold; a query like "room 101" is not one.
const PHONE_LIKE = /^[\d\s+().\-/]+$/;
// A trunk ("0") or international ("00") prefix: followed by the number's first digit, which is
// never a zero. Any other run of zeros is part of what is searched ("0001" is not "1").
const DIALLING_PREFIX = /^0{1,2}(?=[1-9])/;

/** Narrows the list: contacts of `group` (when set) having every one of `tags`. */
export interface ContactFilter {
  group?: string | undefined;
  tags?: readonly string[];
}

export function contactSearch(query: string): ContactSearch | undefined {
  const text = query.trim().toLocaleLowerCase();
  if (text === '') return undefined;
  const digits = PHONE_LIKE.test(text) ? text.replace(/\D/g, '').replace(DIALLING_PREFIX, '') : '';
  const words = text.split(/\s+/);
  const hasWord = (contact: Contact, word: string) =>
    contact.name.toLocaleLowerCase().includes(word) ||
    contact.email.toLocaleLowerCase().includes(word) ||
    contact.tags.some((tag) => tag.toLocaleLowerCase().includes(word));
  return (contact) =>
    words.every((word) => hasWord(contact, word)) || (digits !== '' && contact.phone.includes(digits));
}

function contactFilter({ group, tags = [] }: ContactFilter): ContactSearch | undefined {
  if (!group && tags.length === 0) return undefined;
  return (contact) =>
    (!group || contact.group_ids.includes(group)) && tags.every((tag) => contact.tags.includes(tag));
}

export function searchContacts(
  contacts: readonly Contact[],
  query: string,
  filter: ContactFilter = {},
): readonly Contact[] {
  const checks = [contactSearch(query), contactFilter(filter)].filter((c) => c !== undefined);
  if (checks.length === 0) return contacts;
  return contacts.filter((contact) => checks.every((check) => check(contact)));
}

/** Every tag in use, sorted, for the tag filter. */
export function tagsInUse(contacts: readonly Contact[]): string[] {
  const tags = new Set<string>();
  for (const contact of contacts) for (const tag of contact.tags) tags.add(tag);
  return [...tags].sort((a, b) => a.localeCompare(b));
}
