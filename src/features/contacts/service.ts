/**
 * Contacts of the current workspace. Writes go to RxDB (so they work offline), each stamping
 * `updated_at` and leaving a pending marker; the replication carries them up.
 */

import type { MangoQuery, RxDocument } from 'rxdb';
import { from, map, merge, of, share, switchMap, takeUntil } from 'rxjs';
import { createMemo } from 'solid-js';
import { type ContactDoc, domainOf } from '../../db/documents.ts';
import { searchContacts, tagsInUse } from '../../domain/contact-search.ts';
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

type EditableFields = Pick<Contact, 'name' | 'email' | 'tags' | 'group_ids' | 'custom_fields' | 'notes'>;
type ContactPatch = Parameters<ContactsApi['update']>[1];

export function createContactsApi(source: ScopeSource): ContactsApi {
  const sorted$ = source.scope$.pipe(
    switchMap((scope) => {
      if (!scope) return of([]);
      const query: MangoQuery<ContactDoc> = {
        selector: { workspace_id: scope.workspace.id },
        sort: [{ name: 'asc' }, { phone: 'asc' }],
      };
      const all$ = scope.db.contacts.find(query).$.pipe(share());
      // The first screenful at once: the whole sorted list of a 100k-contact workspace takes
      // seconds to read, and the page should not stay empty meanwhile.
      const firstPage$ = from(scope.db.contacts.find({ ...query, limit: FIRST_PAGE }).exec()).pipe(
        takeUntil(all$),
      );
      return merge(firstPage$, all$).pipe(map((docs) => docs.map((doc) => domainOf<Contact>(doc))));
    }),
  );

  return {
    list(search, filter = () => ({})) {
      const all = toAccessor<readonly Contact[]>(sorted$, []);
      return createMemo(() => searchContacts(all(), search(), filter()) as Contact[]);
    },

    tags() {
      const all = toAccessor<readonly Contact[]>(sorted$, []);
      return createMemo(() => tagsInUse(all()));
    },

    count() {
      const count$ = source.scope$.pipe(
        switchMap((scope) =>
          scope ? scope.db.contacts.count({ selector: { workspace_id: scope.workspace.id } }).$ : of(0),
        ),
      );
      return toAccessor(count$, 0);
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
      const found = await contacts.findOne(id).exec();
      if (found) return { ok: true, value: domainOf<Contact>(found), existing: true };
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
      return { ok: true, value: domainOf<Contact>(doc), existing: false };
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

/** The opt-out flag and its time move together (the table's trigger keeps them so too). */
function optOut(current: Pick<Contact, 'opted_out' | 'opted_out_at'>, patch: ContactPatch) {
  if (patch.opted_out === undefined || patch.opted_out === current.opted_out) return {};
  return { opted_out: patch.opted_out, opted_out_at: patch.opted_out ? new Date().toISOString() : null };
}
