import { For, type JSX, Show } from 'solid-js';
import { useSortedGroups } from '../hooks.ts';
import chips from './Chips.module.css';
import controls from './controls.module.css';
import forms from './forms.module.css';

/** Groups as a set of checkboxes: each one labelled by its group's name. */
export function GroupPicker(props: {
  selected: readonly string[];
  onChange: (ids: string[]) => void;
}): JSX.Element {
  const groups = useSortedGroups();
  const toggle = (id: string, on: boolean) => {
    const rest = props.selected.filter((selected) => selected !== id);
    props.onChange(on ? [...rest, id] : rest);
  };
  return (
    <fieldset class={forms.field}>
      <legend class={forms.label}>Groups</legend>
      <Show
        when={groups().length > 0}
        fallback={<p class={forms.hint}>No groups yet: create them under Groups on the Contacts page.</p>}
      >
        <div class={controls.checkboxList}>
          <For each={groups()}>
            {(group) => (
              <label class={controls.checkbox}>
                <input
                  type="checkbox"
                  checked={props.selected.includes(group.id)}
                  onChange={(event) => toggle(group.id, event.currentTarget.checked)}
                />
                <span
                  class={chips.dot}
                  style={{ background: group.color ?? 'var(--muted)' }}
                  aria-hidden="true"
                />
                {group.name}
              </label>
            )}
          </For>
        </div>
      </Show>
    </fieldset>
  );
}
