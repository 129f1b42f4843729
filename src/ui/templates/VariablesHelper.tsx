import { For, type JSX, Show } from 'solid-js';
import type { TemplateContact } from '../../domain/variables.ts';
import { availableVariables, variableValue } from '../../domain/variables.ts';

/** Buttons for every variable this contact can fill; a click inserts it at the cursor. */
export function VariablesHelper(props: {
  contact: TemplateContact;
  onInsert: (placeholder: string) => void;
}): JSX.Element {
  const names = () => availableVariables(props.contact);
  return (
    <fieldset class="field variables">
      <legend class="field-label">Insert a variable</legend>
      <div class="variable-list">
        <For each={names()}>
          {(name) => (
            <button
              type="button"
              class="variable"
              title="Insert at the cursor"
              // Keep the textarea's selection: a mousedown on a button would otherwise blur it first.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => props.onInsert(`{{${name}}}`)}
            >
              <code>{`{{${name}}}`}</code>
              <Show when={variableValue(props.contact, name)}>
                {(value) => <span class="variable-value">{value()}</span>}
              </Show>
            </button>
          )}
        </For>
      </div>
      <p class="field-hint">
        Add a fallback for contacts with no value: <code>{'{{first_name|there}}'}</code>.
      </p>
    </fieldset>
  );
}
