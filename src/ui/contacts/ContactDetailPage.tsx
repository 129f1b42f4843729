import { A, useNavigate, useParams, useSearchParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, type JSX, on, Show } from 'solid-js';
import type { Contact } from '../../domain/types.ts';
import type { ContactPatch } from '../../features/contacts/api.ts';
import { classes } from '../class-names.ts';
import chips from '../components/Chips.module.css';
import controls from '../components/controls.module.css';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { TextAreaField, TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { GroupPicker } from '../components/GroupPicker.tsx';
import { LeaveGuard } from '../components/LeaveGuard.tsx';
import page from '../components/page.module.css';
import { RecordSyncPanel } from '../components/RecordSyncPanel.tsx';
import { SyncMark } from '../components/SyncMark.tsx';
import { useSettled } from '../hooks.ts';
import { Conversation } from '../messages/Conversation.tsx';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { joinList, splitList } from '../text.ts';
import styles from './ContactDetailPage.module.css';
import { CustomFieldsEditor, type FieldRow, toRecord, toRows } from './CustomFieldsEditor.tsx';

const CONTACT_LABELS = { name: 'Name', email: 'Email', notes: 'Notes' };

export function ContactDetailPage(): JSX.Element {
  const { contacts } = useServices();
  const params = useParams<{ id: string }>();
  // ?existing=1: the New contact form sent us here because the phone was already a contact.
  const [search] = useSearchParams<{ existing?: string }>();
  const contact = contacts.get(() => params.id);

  const waited = useSettled(() => params.id);

  usePageTitle(() => contact()?.name || contact()?.phone || 'Contact');

  return (
    <div class={page.narrow}>
      <A href="/contacts" class={page.backLink}>
        ← All contacts
      </A>
      <Show
        when={contact()}
        fallback={
          <Show when={waited()}>
            <section class={page.card}>
              <h1>Contact not found</h1>
              <p>This contact doesn't exist in this workspace, or it was deleted.</p>
            </section>
          </Show>
        }
      >
        {(current) => (
          <>
            <Show when={search.existing}>
              <p class={forms.notice} role="status">
                {current().phone} is already a contact, so nothing was added or changed. Edit{' '}
                {current().name || 'them'} here if something should change.
              </p>
            </Show>
            <ContactEditor contact={current()} />
            <Conversation phone={current().phone} contactId={current().id} optedOut={current().opted_out} />
          </>
        )}
      </Show>
    </div>
  );
}

/** The form for one contact. Saving sends only the fields the user changed, so edits made
 * elsewhere to other fields are merged, not overwritten. */
function ContactEditor(props: { contact: Contact }): JSX.Element {
  const { contacts, role, recordSync } = useServices();
  const syncMark = recordSync.mark('contacts', () => props.contact.id);
  // The server lets only owners and admins clear an opt-out; the control is theirs.
  const managesOptOut = () => role() === 'owner' || role() === 'admin';
  const navigate = useNavigate();

  // What the form started from; compared with the form to find what the user changed.
  const [base, setBase] = createSignal(props.contact);
  const [name, setName] = createSignal('');
  const [email, setEmail] = createSignal('');
  const [tags, setTags] = createSignal('');
  const [groupIds, setGroupIds] = createSignal<string[]>([]);
  const [fields, setFields] = createSignal<FieldRow[]>([]);
  const [notes, setNotes] = createSignal('');
  const [optedOut, setOptedOut] = createSignal(false);
  const [optInReason, setOptInReason] = createSignal('');

  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [saved, setSaved] = createSignal(false);
  const [confirmDelete, setConfirmDelete] = createSignal(false);

  const load = (contact: Contact) => {
    setBase(contact);
    setName(contact.name);
    setEmail(contact.email);
    setTags(joinList(contact.tags));
    setGroupIds([...contact.group_ids]);
    setFields(toRows(contact.custom_fields));
    setNotes(contact.notes);
    setOptedOut(contact.opted_out);
    setOptInReason('');
  };
  load(props.contact);

  const patch = createMemo<ContactPatch>(() => {
    const from = base();
    const changes: ContactPatch = {};
    if (name().trim() !== from.name) changes.name = name().trim();
    if (email().trim() !== from.email) changes.email = email().trim();
    const nextTags = splitList(tags());
    if (!sameList(nextTags, from.tags)) changes.tags = nextTags;
    if (!sameSet(groupIds(), from.group_ids)) changes.group_ids = groupIds();
    const nextFields = toRecord(fields());
    if (!sameRecord(nextFields, from.custom_fields)) changes.custom_fields = nextFields;
    if (notes() !== from.notes) changes.notes = notes();
    if (optedOut() !== from.opted_out) changes.opted_out = optedOut();
    if (from.opted_out && !optedOut()) changes.opt_in_reason = optInReason();
    return changes;
  });
  const dirty = () => Object.keys(patch()).length > 0;

  // A change from another tab or device shows at once, unless the user is mid-edit: then their
  // draft stays, and saving sends only what they changed. Another contact (the route's id
  // changed) always starts a fresh form.
  createEffect(
    on(
      () => props.contact,
      (contact) => {
        if (contact.id !== base().id) {
          setError(undefined);
          setSaved(false);
          load(contact);
        } else if (!dirty()) {
          load(contact);
        }
      },
      { defer: true },
    ),
  );

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!dirty()) return;
    setPending(true);
    setError(undefined);
    try {
      const result = await contacts.update(props.contact.id, patch());
      if (result.ok) {
        load(result.value);
        setSaved(true);
      } else {
        setError(result.error);
      }
    } finally {
      setPending(false);
    }
  };

  const remove = async () => {
    setPending(true);
    try {
      const result = await contacts.remove(props.contact.id);
      setConfirmDelete(false);
      if (result.ok) navigate('/contacts', { replace: true });
      else setError(result.error);
    } finally {
      setPending(false);
    }
  };

  return (
    <section class={page.card} aria-labelledby="contact-heading">
      <header class={styles.header}>
        <div>
          <h1 id="contact-heading">{props.contact.name || 'No name'}</h1>
          <p class={styles.phone}>
            <span class="visually-hidden">Phone: </span>
            {props.contact.phone}
          </p>
        </div>
        <Show when={props.contact.opted_out}>
          <span class={classes(chips.badge, chips.badgeMuted)}>Opted out</span>
        </Show>
        <SyncMark state={syncMark().state} />
      </header>
      <RecordSyncPanel collection="contacts" id={props.contact.id} labels={CONTACT_LABELS} />
      <form class={forms.form} onSubmit={save} aria-label="Edit contact">
        <div class={forms.grid}>
          <TextField label="Name" name="name" autocomplete="off" value={name()} onValue={setName} />
          <TextField
            label="Email"
            type="email"
            name="email"
            autocomplete="off"
            value={email()}
            onValue={setEmail}
          />
        </div>
        <TextField
          label="Tags"
          name="tags"
          value={tags()}
          onValue={setTags}
          hint="Separate tags with commas."
        />
        <GroupPicker selected={groupIds()} onChange={setGroupIds} />
        <CustomFieldsEditor rows={fields()} onChange={setFields} />
        <TextAreaField label="Notes" name="notes" rows={4} value={notes()} onValue={setNotes} />
        <Show
          when={managesOptOut()}
          fallback={<p class={forms.hint}>Only owners and admins change whether a contact is opted out.</p>}
        >
          <label class={classes(controls.checkbox, controls.checkboxCard)}>
            <input
              type="checkbox"
              checked={optedOut()}
              onChange={(event) => setOptedOut(event.currentTarget.checked)}
            />
            <span>
              <span class={controls.checkboxTitle}>Opted out</span>
              <span class={forms.hint}>
                This person asked not to be messaged; campaigns skip them.
                <Show when={props.contact.opted_out && props.contact.opted_out_at}>
                  {(since) => <> Since {new Date(since()).toLocaleDateString()}.</>}
                </Show>
              </span>
            </span>
          </label>
          <Show when={base().opted_out && !optedOut()}>
            <TextField
              label="Why may this person be messaged again?"
              name="opt_in_reason"
              autocomplete="off"
              required
              value={optInReason()}
              onValue={setOptInReason}
              hint="Required, and kept in the contact's opt-out history: for example, how they agreed again."
            />
          </Show>
        </Show>
        <p class={forms.hint}>The phone number identifies the contact and can't be changed here.</p>
        <FormError error={error()} />
        <div class={forms.actions}>
          <button
            type="submit"
            class={classes(controls.button, controls.primary)}
            disabled={pending() || !dirty()}
          >
            Save changes
          </button>
          <span class={page.muted} aria-live="polite">
            {dirty() ? 'Unsaved changes' : saved() ? 'Saved' : ''}
          </span>
          <span class={styles.spacer} />
          <button
            type="button"
            class={classes(controls.button, controls.dangerOutline)}
            onClick={() => setConfirmDelete(true)}
          >
            Delete contact
          </button>
        </div>
      </form>
      <LeaveGuard when={dirty() && !pending()} />
      <ConfirmDialog
        open={confirmDelete()}
        title="Delete contact?"
        message={
          <p>
            Delete {props.contact.name || 'this contact'} ({props.contact.phone})? This can't be undone.
          </p>
        }
        confirmLabel="Delete"
        danger
        busy={pending()}
        onConfirm={() => void remove()}
        onCancel={() => setConfirmDelete(false)}
      />
    </section>
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key])
  );
}
