import { For, type JSX, Show } from 'solid-js';
import type { ContactFilter } from '../../features/contacts/api.ts';
import { useSortedGroups } from '../hooks.ts';
import { useServices } from '../services-context.ts';
import styles from './ContactFilters.module.css';

/** Narrow the list to one group and to contacts carrying every chosen tag. */
export function ContactFilters(props: {
  filter: ContactFilter;
  onChange: (next: ContactFilter) => void;
}): JSX.Element {
  const { contacts } = useServices();
  const groups = useSortedGroups();
  const tags = contacts.tags();
  const chosen = () => props.filter.tags ?? [];
  const toggle = (tag: string, on: boolean) =>
    props.onChange({
      ...props.filter,
      tags: on ? [...chosen(), tag] : chosen().filter((t) => t !== tag),
    });

  return (
    <div class={styles.filters}>
      <select
        aria-label="Filter by group"
        class={styles.group}
        value={props.filter.group ?? ''}
        onChange={(event) =>
          props.onChange({ ...props.filter, group: event.currentTarget.value || undefined })
        }
      >
        <option value="">All groups</option>
        <For each={groups()}>{(group) => <option value={group.id}>{group.name}</option>}</For>
      </select>
      <Show when={tags().length > 0}>
        <details class={styles.tags}>
          <summary>{chosen().length > 0 ? `Tags: ${chosen().join(', ')}` : 'Filter by tags'}</summary>
          <fieldset class={styles.tagList}>
            <legend class="visually-hidden">Contacts with every one of these tags</legend>
            <For each={tags()}>
              {(tag) => (
                <label>
                  <input
                    type="checkbox"
                    checked={chosen().includes(tag)}
                    onChange={(event) => toggle(tag, event.currentTarget.checked)}
                  />
                  {tag}
                </label>
              )}
            </For>
          </fieldset>
        </details>
      </Show>
    </div>
  );
}
