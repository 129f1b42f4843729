import { createSignal, For, type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { createDebounced } from '../hooks.ts';
import { useServices } from '../services-context.ts';
import styles from './AudienceContacts.module.css';

/** Matches listed while searching: enough to pick from, few enough to read. */
const MATCHES = 8;
/** Chosen contacts listed by name; the rest are counted. */
const LISTED = 20;

/** Contacts chosen by hand: a search to find them, checkboxes to pick, the picked ones listed. */
export function AudienceContacts(props: {
  chosen: readonly string[];
  onChange: (ids: string[]) => void;
}): JSX.Element {
  const { contacts } = useServices();
  const [search, setSearch] = createSignal('');
  const query = createDebounced(search, 200, (value) => value.trim() === '');
  const found = contacts.list(query, undefined, MATCHES);
  const matches = () => (query().trim() === '' ? [] : found());
  const toggle = (id: string, on: boolean) => {
    const rest = props.chosen.filter((c) => c !== id);
    props.onChange(on ? [...rest, id] : rest);
  };

  return (
    <fieldset class={forms.field}>
      <legend class={forms.label}>Chosen contacts</legend>
      <TextField
        label="Find contacts"
        type="search"
        value={search()}
        onValue={setSearch}
        hint="By name, phone, email or tag; tick the ones to add."
      />
      <Show when={matches().length > 0}>
        <fieldset class={controls.checkboxList}>
          <legend class="visually-hidden">Matching contacts</legend>
          <For each={matches()}>
            {(contact) => (
              <label class={controls.checkbox}>
                <input
                  type="checkbox"
                  checked={props.chosen.includes(contact.id)}
                  onChange={(event) => toggle(contact.id, event.currentTarget.checked)}
                />
                {contact.name || contact.phone} <span class={page.muted}>{contact.phone}</span>
                <Show when={contact.opted_out}>
                  <span class={page.muted}> (opted out)</span>
                </Show>
              </label>
            )}
          </For>
        </fieldset>
      </Show>
      <Show when={props.chosen.length > 0}>
        <ul class={styles.chosen} aria-label="Chosen">
          <For each={props.chosen.slice(0, LISTED)}>
            {(id) => <ChosenContact id={id} onRemove={() => toggle(id, false)} />}
          </For>
        </ul>
        <Show when={props.chosen.length > LISTED}>
          <p class={forms.hint}>and {props.chosen.length - LISTED} more</p>
        </Show>
      </Show>
    </fieldset>
  );
}

function ChosenContact(props: { id: string; onRemove: () => void }): JSX.Element {
  const { contacts } = useServices();
  const contact = contacts.get(() => props.id);
  // A contact deleted since it was chosen: the preview reports it as left out.
  const label = () => contact()?.name || contact()?.phone || 'A deleted contact';
  return (
    <li>
      {label()}{' '}
      <button
        type="button"
        class={classes(controls.button, controls.small)}
        aria-label={`Remove ${label()}`}
        onClick={() => props.onRemove()}
      >
        Remove
      </button>
    </li>
  );
}
