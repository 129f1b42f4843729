/**
 * Contacts of the current workspace. Writes go to RxDB (so they work offline), each stamping
 * `updated_at` and leaving a pending marker; the replication carries them up.
 */

import type { MangoQuery, RxDocument } from 'rxdb';
import { concat, from, map, type Observable, of, shareReplay, switchMap } from 'rxjs';
import { createMemo } from 'solid-js';
import { type ContactDoc, domainOf } from '../../db/documents.ts';
import { searchContacts } from '../../domain/contact-search.ts';
import {
  checkCustomFields,
  checkEmail,
  checkGroupIds,
  checkPhone,
  checkTags,
  checkText,
} from '../../domain/field-checks.ts';
import { contactId } from '../../domain/ids.ts';
import type { Result } from '../../domain/result.ts';
import type { Contact } from '../../domain/types.ts';
import { editDocument, insertDocument, removeDocument } from '../shared/edit.ts';
import { liveDocument } from '../shared/queries.ts';
import { toAccessor } from '../shared/reactive.ts';
import { awaitScope, NO_SCOPE, type ScopeSource } from '../shared/scope.ts';
import type { ContactInput, ContactsApi } from './api.ts';

/** Rows shown before the full list is read: more than any screen holds. */
const FIRST_PAGE = 60;

/** The workspace's contacts, sorted; `complete` once they are all read. */
interface ContactRows {
  rows: readonly Contact[];
  complete: boolean;
}

type EditableFields = Pick<Contact, 'name' | 'email' | 'tags' | 'group_ids' | 'custom_fields' | 'notes'>;
type ContactPatch = Parameters<ContactsApi['update']>[1];

export function createContactsApi(source: ScopeSource): ContactsApi {
  // The first screenful, then the whole sorted list once it is read; shared by the list and
  // its count, so a 100k-contact workspace reads its contacts once and never counts them apart
  // (a count query over 100k rows takes seconds and holds up the storage's other requests).
  const sorted$ = source.scope$.pipe(
    switchMap((scope): Observable<ContactRows> => {
      if (!scope) return of({ rows: [], complete: true });
      const query: MangoQuery<ContactDoc> = {
        selector: { workspace_id: scope.workspace.id },
        sort: [{ name: 'asc' }, { phone: 'asc' }],
      };
      // The first page alone first: reading the whole list meanwhile would delay it by seconds.
      const firstPage$ = from(scope.db.contacts.find({ ...query, limit: FIRST_PAGE }).exec()).pipe(
        map((docs) => ({ docs, complete: docs.length < FIRST_PAGE })),
      );
      const all$ = scope.db.contacts.find(query).$.pipe(map((docs) => ({ docs, complete: true })));
      return concat(firstPage$, all$).pipe(
        map(({ docs, complete }) => ({ rows: docs.map((doc) => domainOf<Contact>(doc)), complete })),
      );
    }),
    shareReplay({ bufferSize: 1, refCount: true }),
  );

  return {
    list(search) {
      const all = toAccessor<readonly Contact[]>(sorted$.pipe(map(({ rows }) => rows)), []);
      return createMemo(() => searchContacts(all(), search()) as Contact[]);
    },

    count() {
      return toAccessor(
        sorted$.pipe(map(({ rows, complete }) => (complete ? rows.length : undefined))),
        undefined,
      );
    },

    get: (id) => liveDocument<Contact>(source, (db) => db.contacts, id),

    async add(input) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const phone = checkPhone(input.phone, scope.workspace.default_country);
      if (!phone.ok) return phone;
      const fields = checkFields(input);
      if (!fields.ok) return fields;
      const { contacts } = scope.db;
      const id = contactId(scope.workspace.id, phone.value);
      if (await contacts.findOne(id).exec()) {
        return saved(
          await editDocument(scope, 'contacts', contacts, id, (current) => addTo(current, fields.value)),
        );
      }
      // Re-adding the phone of a deleted contact brings the row back, as a new contact.
      const doc = await insertDocument(scope, 'contacts', contacts, {
        id,
        workspace_id: scope.workspace.id,
        phone: phone.value,
        name: '',
        email: '',
        tags: [],
        group_ids: [],
        custom_fields: {},
        notes: '',
        ...fields.value,
        opted_out: false,
        opted_out_at: null,
      });
      return { ok: true, value: domainOf<Contact>(doc) };
    },

    async update(id, patch) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      if ('phone' in patch)
        return { ok: false, error: 'Phone: cannot change; add a contact with the new number' };
      const fields = checkFields(patch);
      if (!fields.ok) return fields;
      return saved(
        await editDocument(scope, 'contacts', scope.db.contacts, id, (current) => ({
          ...current,
          ...fields.value,
          ...optOut(current, patch),
        })),
      );
    },

    async remove(id) {
      const scope = await awaitScope(source);
      return scope ? removeDocument(scope, 'contacts', scope.db.contacts, id) : NO_SCOPE;
    },
  };
}

function saved(result: Result<RxDocument<ContactDoc>>): Result<Contact> {
  return result.ok ? { ok: true, value: domainOf<Contact>(result.value) } : result;
}

/** Checks the editable fields present in `input`; absent ones stay absent. */
function checkFields(input: Partial<Omit<ContactInput, 'phone'>>): Result<Partial<EditableFields>> {
  const out: Partial<EditableFields> = {};
  if (input.name !== undefined) {
    const name = checkText('Name', input.name, { max: 200 });
    if (!name.ok) return name;
    out.name = name.value;
  }
  if (input.email !== undefined) {
    const email = checkEmail(input.email);
    if (!email.ok) return email;
    out.email = email.value;
  }
  if (input.tags !== undefined) {
    const tags = checkTags(input.tags);
    if (!tags.ok) return tags;
    out.tags = tags.value;
  }
  if (input.group_ids !== undefined) {
    const groups = checkGroupIds(input.group_ids);
    if (!groups.ok) return groups;
    out.group_ids = groups.value;
  }
  if (input.custom_fields !== undefined) {
    const custom = checkCustomFields(input.custom_fields);
    if (!custom.ok) return custom;
    out.custom_fields = custom.value;
  }
  if (input.notes !== undefined) {
    const notes = checkText('Notes', input.notes, { max: 10000 });
    if (!notes.ok) return notes;
    out.notes = notes.value;
  }
  return { ok: true, value: out };
}

/**
 * Adding a phone that is already a contact adds to it rather than replacing it: tags, groups
 * and custom fields are added, and a name, email or note is taken when one was given.
 */
function addTo<C extends EditableFields>(current: C, added: Partial<EditableFields>): C {
  return {
    ...current,
    ...(added.name ? { name: added.name } : {}),
    ...(added.email ? { email: added.email } : {}),
    ...(added.notes ? { notes: added.notes } : {}),
    tags: [...new Set([...current.tags, ...(added.tags ?? [])])],
    group_ids: [...new Set([...current.group_ids, ...(added.group_ids ?? [])])],
    custom_fields: { ...current.custom_fields, ...added.custom_fields },
  };
}

/** The opt-out flag and its time move together (the table's trigger keeps them so too). */
function optOut(current: Pick<Contact, 'opted_out' | 'opted_out_at'>, patch: ContactPatch) {
  if (patch.opted_out === undefined || patch.opted_out === current.opted_out) return {};
  return { opted_out: patch.opted_out, opted_out_at: patch.opted_out ? new Date().toISOString() : null };
}
