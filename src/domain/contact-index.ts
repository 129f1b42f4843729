/**
 * A workspace's contacts kept sorted in memory, for answering "rows `offset`..`offset+limit` of
 * the list for this search and filter, and how many match" without reading or sorting the
 * whole list again. It lives next to the storage (the storage worker in the browser), so the
 * page holds only the rows it shows.
 *
 * Order: name, then phone, then id (unique, so an order is total and a window never shifts
 * by a tie), comparing code units as RxDB's sort does. Changes are applied as they are stored:
 * a few by binary search, a big batch (a pulled page) by one merge of the sorted batch into
 * the list, never a re-sort of the whole list.
 */
import { type ContactFilter, contactMatcher, tagsInUse } from './contact-search.ts';
import type { Contact } from './types.ts';

/** One window of the list as the page asks for it. */
export interface ContactWindowQuery {
  search: string;
  filter: ContactFilter;
  offset: number;
  limit: number;
}

/** The rows of a window, how many contacts match, and how many the workspace has. */
export interface ContactWindow {
  offset: number;
  rows: Contact[];
  matching: number;
  total: number;
}

/** A stored change: the contact as it now is, or `deleted` for one that is gone. */
export type ContactChange = { id: string; contact: Contact; deleted: boolean };

export function compareContacts(a: Contact, b: Contact): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.phone !== b.phone) return a.phone < b.phone ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// Above this many changes at once, one merge pass beats a splice per change.
const MERGE_ABOVE = 64;

export class ContactIndex {
  private sorted: Contact[];
  private readonly byId = new Map<string, Contact>();
  // The last search's matches, reused while nothing changes (scrolling a filtered list).
  private matches: { key: string; rows: readonly Contact[] } | undefined;
  private tagList: string[] | undefined;

  constructor(contacts: readonly Contact[]) {
    this.sorted = [...contacts].sort(compareContacts);
    for (const contact of this.sorted) this.byId.set(contact.id, contact);
  }

  get total(): number {
    return this.sorted.length;
  }

  apply(changes: readonly ContactChange[]): void {
    if (changes.length === 0) return;
    this.matches = undefined;
    this.tagList = undefined;
    if (changes.length > MERGE_ABOVE) this.merge(changes);
    else for (const change of changes) this.applyOne(change);
  }

  window(query: ContactWindowQuery): ContactWindow {
    const rows = this.matching(query.search, query.filter);
    const offset = Math.max(0, Math.min(query.offset, rows.length));
    return {
      offset,
      rows: rows.slice(offset, offset + Math.max(0, query.limit)),
      matching: rows.length,
      total: this.sorted.length,
    };
  }

  /** Every tag in use, sorted. */
  tags(): string[] {
    this.tagList ??= tagsInUse(this.sorted);
    return this.tagList;
  }

  private matching(search: string, filter: ContactFilter): readonly Contact[] {
    const matches = contactMatcher(search, filter);
    if (!matches) return this.sorted;
    const key = JSON.stringify([search.trim().toLocaleLowerCase(), filter.group ?? '', filter.tags ?? []]);
    if (this.matches?.key !== key) this.matches = { key, rows: this.sorted.filter(matches) };
    return this.matches.rows;
  }

  private applyOne({ id, contact, deleted }: ContactChange): void {
    const old = this.byId.get(id);
    if (old) this.sorted.splice(this.position(old), 1);
    if (deleted) {
      this.byId.delete(id);
      return;
    }
    this.byId.set(id, contact);
    this.sorted.splice(this.position(contact), 0, contact);
  }

  private merge(changes: readonly ContactChange[]): void {
    const latest = new Map<string, ContactChange>();
    for (const change of changes) latest.set(change.id, change);
    const kept = this.sorted.filter((contact) => !latest.has(contact.id));
    const added: Contact[] = [];
    for (const { id, contact, deleted } of latest.values()) {
      if (deleted) this.byId.delete(id);
      else {
        this.byId.set(id, contact);
        added.push(contact);
      }
    }
    added.sort(compareContacts);
    const merged = new Array<Contact>(kept.length + added.length);
    let k = 0;
    let a = 0;
    for (let i = 0; i < merged.length; i++) {
      const next =
        a >= added.length ||
        (k < kept.length && compareContacts(kept[k] as Contact, added[a] as Contact) <= 0)
          ? kept[k++]
          : added[a++];
      merged[i] = next as Contact;
    }
    this.sorted = merged;
  }

  /** Where `contact` is, or would go, in the sorted list. */
  private position(contact: Contact): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareContacts(this.sorted[mid] as Contact, contact) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
