import { createEffect, createMemo, createSignal, createUniqueId, For, type JSX } from 'solid-js';
import type { Contact } from '../../domain/types.ts';
import forms from '../components/forms.module.css';
import { createDebounced } from '../hooks.ts';
import { useServices } from '../services-context.ts';
import styles from './PreviewContactPicker.module.css';

const SHOWN = 50;

/**
 * A searchable select: the search box narrows the options to the first matches, so the select
 * stays short with 100,000 contacts. The first match is chosen until the user picks one.
 */
export function PreviewContactPicker(props: {
  selectedId: string | undefined;
  onSelect: (id: string | undefined) => void;
}): JSX.Element {
  const { contacts } = useServices();
  const [search, setSearch] = createSignal('');
  const query = createDebounced(search, 200, (value) => value.trim() === '');
  const matches = contacts.list(query, undefined, SHOWN);
  const selected = contacts.get(() => props.selectedId);
  const selectId = createUniqueId();

  const options = createMemo(() => {
    const shown = matches();
    const current = selected();
    // Keep the chosen contact selectable even when the search no longer finds it.
    return current && !shown.some((contact) => contact.id === current.id) ? [current, ...shown] : shown;
  });

  // Until the user picks one, preview against the first contact.
  createEffect(() => {
    const first = matches()[0];
    if (!props.selectedId && first) props.onSelect(first.id);
  });

  return (
    <div class={styles.picker}>
      <label class={forms.label} for={selectId}>
        Preview contact
      </label>
      <input
        type="text"
        enterkeyhint="search"
        autocomplete="off"
        aria-label="Search contacts for preview"
        placeholder="Find a contact"
        value={search()}
        onInput={(event) => setSearch(event.currentTarget.value)}
        onKeyDown={(event) => {
          // Enter takes the best match of what is typed now (the list may still show the
          // previous search for a moment), so keyboard users need not go on to the select.
          if (event.key === 'Enter') {
            event.preventDefault();
            void contacts.best(event.currentTarget.value).then((first) => {
              if (first) props.onSelect(first.id);
            });
          }
        }}
      />
      <select
        id={selectId}
        value={props.selectedId ?? ''}
        disabled={options().length === 0}
        onChange={(event) => props.onSelect(event.currentTarget.value || undefined)}
      >
        <For each={options()} fallback={<option value="">No contacts found</option>}>
          {(contact) => (
            // Each answer of the list brings new option elements: each says whether it is the
            // chosen one, or the select would fall back to its first option.
            <option value={contact.id} selected={contact.id === props.selectedId}>
              {label(contact)}
            </option>
          )}
        </For>
      </select>
    </div>
  );
}

function label(contact: Contact): string {
  return contact.name ? `${contact.name} · ${contact.phone}` : contact.phone;
}
