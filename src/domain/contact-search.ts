/**
 * The contacts search: a query matches a contact whose name, email or one of whose tags
 * contains it (ignoring case), or, when the query looks like a phone number, whose phone
 * contains its digits. Leading zeros of the digits are dropped, so the national "07400 123"
 * and the international "0044 7400" both find +447400123456.
 */
import type { Contact } from './types.ts';

export type ContactSearch = (contact: Contact) => boolean;

// What a typed phone number may hold; a query like "room 101" is not one.
const PHONE_LIKE = /^[\d\s+().\-/]+$/;

export function contactSearch(query: string): ContactSearch | undefined {
  const text = query.trim().toLocaleLowerCase();
  if (text === '') return undefined;
  const digits = PHONE_LIKE.test(text) ? text.replace(/\D/g, '').replace(/^0+/, '') : '';
  return (contact) =>
    contact.name.toLocaleLowerCase().includes(text) ||
    contact.email.toLocaleLowerCase().includes(text) ||
    contact.tags.some((tag) => tag.toLocaleLowerCase().includes(text)) ||
    (digits !== '' && contact.phone.includes(digits));
}

export function searchContacts(contacts: readonly Contact[], query: string): readonly Contact[] {
  const matches = contactSearch(query);
  return matches ? contacts.filter(matches) : contacts;
}
