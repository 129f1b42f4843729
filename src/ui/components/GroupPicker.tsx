import { For, type JSX, Show } from 'solid-js';
import { useSortedGroups } from '../hooks.ts';

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
    <fieldset class="field group-picker">
      <legend class="field-label">Groups</legend>
      <Show
        when={groups().length > 0}
        fallback={<p class="field-hint">No groups yet: create them under Groups on the Contacts page.</p>}
      >
        <div class="checkbox-list">
          <For each={groups()}>
            {(group) => (
              <label class="checkbox">
                <input
                  type="checkbox"
                  checked={props.selected.includes(group.id)}
                  onChange={(event) => toggle(group.id, event.currentTarget.checked)}
                />
                <span
                  class="chip-dot"
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
