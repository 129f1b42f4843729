/** What the UI gets for contacts (PigeonServices.contacts). */
import type { Accessor } from 'solid-js';
import type { ContactWindowQuery } from '../../domain/contact-index.ts';
import type { ContactFilter } from '../../domain/contact-search.ts';
import type { Result } from '../../domain/result.ts';
import type { Contact } from '../../domain/types.ts';
import type { ContactSelection, ContactsCsv } from './csv-export.ts';
import type { ContactWindowAnswer } from './window.ts';

export type { ContactWindowAnswer } from './window.ts';
export type { ContactFilter, ContactSelection, ContactsCsv, ContactWindowQuery };

/** Input of the contact form: the phone as typed; the id derives from workspace + E.164. */
export interface ContactInput {
  phone: string;
  name: string;
  email?: string;
  tags?: string[];
  group_ids?: string[];
  custom_fields?: Record<string, string>;
  notes?: string;
}

export type ContactPatch = Partial<Omit<ContactInput, 'phone'>> & {
  opted_out?: boolean;
  opt_in_reason?: string;
};

/** An added contact; `existing` when the phone was already a contact, which is then left as it was. */
export type AddResult = { ok: true; value: Contact; existing: boolean } | { ok: false; error: string };

export interface ContactsApi {
  /**
   * Live: the rows `offset`..`offset + limit` of the list sorted by name then phone, with how
   * many contacts match and how many the workspace has; undefined until first answered. Search
   * matches name, phone digits, email or tag, its words in any order; the filter keeps one
   * group's contacts having every chosen tag. Sorting, search and counts run next to the
   * storage: the page holds only the window.
   */
  browse(query: Accessor<ContactWindowQuery>): Accessor<ContactWindowAnswer | undefined>;
  /** Live: the first `limit` (default 100) contacts of `browse` for this search and filter. */
  list(search: Accessor<string>, filter?: Accessor<ContactFilter>, limit?: number): Accessor<Contact[]>;
  /** Live: the contacts of these ids that exist, in list order (for short lists of ids). */
  byIds(ids: Accessor<readonly string[]>): Accessor<Contact[]>;
  /** The first contact of the list for this search, asked now (not a live list's last answer). */
  best(search: string): Promise<Contact | undefined>;
  /** Every tag the workspace's contacts carry, sorted. */
  tags(): Accessor<string[]>;
  /** How many contacts the workspace has; undefined until first counted. */
  count(): Accessor<number | undefined>;
  get(id: Accessor<string | undefined>): Accessor<Contact | undefined>;
  /**
   * Refuses an invalid phone with the reason. An existing phone changes nothing: the answer is
   * that contact, marked `existing`, for the page to open it (a silent merge once renamed people).
   */
  add(input: ContactInput): Promise<AddResult>;
  /**
   * A patch of editable fields; a phone change is refused (the id derives from it). Clearing
   * an opt-out takes an owner or admin, a connection and `opt_in_reason` (the server checks
   * and records it; supabase/migrations/20261203140100_opt_out_rules.sql).
   */
  update(id: string, patch: ContactPatch): Promise<Result<Contact>>;
  remove(id: string): Promise<Result>;
  /** The contacts `selection` keeps (the list's search and filters) as a CSV file's text. */
  exportCsv(selection: ContactSelection): Promise<Result<ContactsCsv>>;
}
