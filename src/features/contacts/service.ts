/**
 * Contacts of the current workspace. Writes go to RxDB (so they work offline), each stamping
 * `updated_at`; the replication carries them up.
 */

import type { SupabaseClient } from '@supabase/supabase-js';
import type { RxDocument } from 'rxdb';
import { combineLatest, map, type Observable, of, shareReplay, switchMap } from 'rxjs';
import { createMemo } from 'solid-js';
import { type ContactDoc, domainOf } from '../../db/documents.ts';
import { compareContacts } from '../../domain/contact-index.ts';
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
import type { KeyValueStorage } from '../../sync/session.ts';
import { draftKey } from '../shared/drafts.ts';
import { editDocument, insertDocument, removeDocument } from '../shared/edit.ts';
import { liveDocument } from '../shared/queries.ts';
import { fromAccessor, toAccessor } from '../shared/reactive.ts';
import { awaitScope, NO_SCOPE, type Scope, type ScopeSource } from '../shared/scope.ts';
import type { ContactInput, ContactPatch, ContactsApi } from './api.ts';
import { askContactsCsv } from './csv-export.ts';
import { historyHides } from './history-hides.ts';
import { type ContactWindowQuery, liveWindow } from './live-window.ts';
import { askContactWindow } from './window.ts';

/** Rows `list` gives when the caller names no limit: pickers show far fewer. */
const LIST_LIMIT = 100;

type EditableFields = Pick<Contact, 'name' | 'email' | 'tags' | 'group_ids' | 'custom_fields' | 'notes'>;
/** What clearing an opt-out needs beyond the local database: the server decides it. */
export interface ContactsDeps {
  client: SupabaseClient;
  online(): boolean;
  /** Where conversations' drafts are kept (drafts.ts): a deleted contact's go with it. */
  storage: KeyValueStorage;
}

export function createContactsApi(
  source: ScopeSource,
  deps: ContactsDeps,
): ContactsApi & {
  /** Back online, or a user's workspace opened: deletes the server has not heard of are told now. */
  reconnected(): void;
} {
  const hides = historyHides(deps.client, deps.storage);
  /** Clears an opt-out on the server (owners and admins, with a reason), before the local edit. */
  async function optIn(id: string, reason: string | undefined): Promise<Result> {
    if (!reason?.trim()) return { ok: false, error: 'Reason: say why this person may be messaged again' };
    if (!deps.online())
      return { ok: false, error: "You're offline: clearing an opt-out needs a connection." };
    const { error } = await deps.client.rpc('set_contact_opt_out', {
      p_contact_id: id,
      p_opted_out: false,
      p_reason: reason.trim(),
    });
    return error ? { ok: false, error: error.message } : { ok: true, value: undefined };
  }

  // The list, its counts and the tags come from one live window each (window.ts); nothing
  // here reads the whole workspace.
  const window$ = (query$: Observable<ContactWindowQuery>) => liveWindow(source, query$);
  const firstRow$ = window$(of({ search: '', filter: {}, offset: 0, limit: 1 })).pipe(
    shareReplay({ bufferSize: 1, refCount: true }),
  );

  return {
    browse(query) {
      return toAccessor(window$(fromAccessor(query)), undefined);
    },

    list(search, filter = () => ({}), limit = LIST_LIMIT) {
      const query = createMemo(() => ({ search: search(), filter: filter(), offset: 0, limit }));
      const answer = toAccessor(window$(fromAccessor(query)), undefined);
      return createMemo(() => answer()?.rows ?? []);
    },

    byIds(ids) {
      const found$ = combineLatest([source.scope$, fromAccessor(ids)]).pipe(
        switchMap(([scope, list]) =>
          scope && list.length > 0
            ? scope.db.contacts
                .findByIds([...list])
                .$.pipe(
                  map((docs) =>
                    [...docs.values()].map((doc) => domainOf<Contact>(doc)).sort(compareContacts),
                  ),
                )
            : of([]),
        ),
      );
      return toAccessor(found$, []);
    },

    async best(search) {
      const scope = await awaitScope(source);
      if (!scope) return undefined;
      const answer = await askContactWindow(scope, { search, filter: {}, offset: 0, limit: 1 }, true);
      return answer.rows[0];
    },

    tags() {
      return toAccessor(firstRow$.pipe(map((answer) => answer?.tags ?? [])), []);
    },

    count() {
      // The first rows come before the workspace is counted (window.ts): no total until then.
      return toAccessor(
        firstRow$.pipe(map((answer) => (answer?.complete ? answer.total : undefined))),
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
      const found = await contacts.findOne(id).exec();
      if (found) return { ok: true, value: domainOf<Contact>(found), existing: true };
      // Re-adding the phone of a deleted contact brings the row back, as a new contact.
      const doc = await insertDocument(contacts, {
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
      if (patch.opted_out === false) {
        const current = await scope.db.contacts.findOne(id).exec();
        if (current?.opted_out) {
          const cleared = await optIn(id, patch.opt_in_reason);
          if (!cleared.ok) return cleared;
        }
      }
      return saved(
        await editDocument(scope, scope.db.contacts, id, (current) => ({
          ...current,
          ...fields.value,
          ...optOut(current, patch),
        })),
      );
    },

    async remove(id) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const contact = await scope.db.contacts.findOne(id).exec();
      const removed = await removeDocument(scope, scope.db.contacts, id);
      if (removed.ok && contact) {
        await hideHistory(scope, contact, deps.storage);
        void hides.deleted(scope.db.name, id, new Date().toISOString());
      }
      return removed;
    },

    async exportCsv(selection) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      try {
        return { ok: true, value: await askContactsCsv(scope, selection) };
      } catch (err) {
        return { ok: false, error: `The CSV could not be made: ${(err as Error).message}` };
      }
    },

    reconnected() {
      const scope = source.current();
      if (scope) void hides.flush(scope.db.name);
    },
  };
}

/**
 * A deleted contact's conversation leaves this device at once: the server hides it too
 * (20261203100000_inbox.sql, hide_contact_chats) and keeps it for the record, and the pull
 * would remove it only after the delete's round trip, or never while offline; re-adding the
 * number then starts clean, with no draft left from before. Messages still waiting to be sent
 * stay: they are new.
 */
async function hideHistory(
  scope: Scope,
  { id, phone }: { id: string; phone: string },
  storage: KeyValueStorage,
): Promise<void> {
  const selector = { workspace_id: scope.workspace.id, phone };
  // Text typed before the delete belongs to the old conversation too (its chats: as the
  // server's hide_contact_chats finds them).
  const chats = await scope.db.chats
    .find({ selector: { workspace_id: scope.workspace.id, contact_id: id } })
    .exec();
  for (const conversation of [phone, ...chats.map((chat) => chat.id)]) {
    storage.removeItem(draftKey(scope.workspace.id, conversation));
  }
  await scope.db.messages.find({ selector }).remove();
  await scope.db.outgoing_messages.find({ selector: { ...selector, status: { $ne: 'queued' } } }).remove();
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
