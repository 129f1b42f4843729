import { A, useNavigate } from '@solidjs/router';
import { createSignal, type JSX, Show } from 'solid-js';
import type { Contact } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextAreaField, TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { GroupPicker } from '../components/GroupPicker.tsx';
import { useServices } from '../services-context.ts';
import { splitList } from '../text.ts';
import { PhoneField } from './PhoneField.tsx';

export function AddContactForm(): JSX.Element {
  const { contacts } = useServices();
  const navigate = useNavigate();
  let phoneInput: HTMLInputElement | undefined;

  const [phone, setPhone] = createSignal('');
  const [name, setName] = createSignal('');
  const [email, setEmail] = createSignal('');
  const [tags, setTags] = createSignal('');
  const [groupIds, setGroupIds] = createSignal<string[]>([]);
  const [notes, setNotes] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [saved, setSaved] = createSignal<Contact>();

  const reset = () => {
    setPhone('');
    setName('');
    setEmail('');
    setTags('');
    setGroupIds([]);
    setNotes('');
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    setSaved(undefined);
    try {
      const result = await contacts.add({
        phone: phone(),
        name: name().trim(),
        email: email().trim(),
        tags: splitList(tags()),
        group_ids: groupIds(),
        notes: notes(),
      });
      if (result.ok && result.existing) {
        // The phone is someone already: show them rather than overwrite what they hold.
        navigate(`/contacts/${result.value.id}?existing=1`);
      } else if (result.ok) {
        setSaved(result.value);
        reset();
        // Ready for the next one: adding contacts by hand usually comes in runs.
        phoneInput?.focus();
      } else {
        setError(result.error);
      }
    } finally {
      setPending(false);
    }
  };

  return (
    <form class={forms.form} onSubmit={submit} aria-label="New contact">
      <PhoneField value={phone()} onValue={setPhone} ref={(element) => (phoneInput = element)} />
      <TextField label="Name" name="name" autocomplete="name" value={name()} onValue={setName} />
      <TextField
        label="Email"
        type="email"
        name="email"
        autocomplete="email"
        value={email()}
        onValue={setEmail}
      />
      <TextField
        label="Tags"
        name="tags"
        value={tags()}
        onValue={setTags}
        placeholder="vip, lisbon"
        hint="Separate tags with commas."
      />
      <GroupPicker selected={groupIds()} onChange={setGroupIds} />
      <TextAreaField label="Notes" name="notes" rows={2} value={notes()} onValue={setNotes} />
      <FormError error={error()} />
      <Show when={saved()}>
        {(contact) => (
          <p class={forms.success} role="status">
            Saved <A href={`/contacts/${contact().id}`}>{contact().name || contact().phone}</A>.
          </p>
        )}
      </Show>
      <button type="submit" class={classes(controls.button, controls.primary)} disabled={pending()}>
        Add contact
      </button>
    </form>
  );
}
