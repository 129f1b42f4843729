import { For, type JSX, Show } from 'solid-js';
import type { TemplateContact } from '../../domain/variables.ts';
import { availableVariables, variableValue } from '../../domain/variables.ts';
import { classes } from '../class-names.ts';
import forms from '../components/forms.module.css';
import styles from './VariablesHelper.module.css';

/** Buttons for every variable this contact can fill; a click inserts it at the cursor. */
export function VariablesHelper(props: {
  contact: TemplateContact;
  onInsert: (placeholder: string) => void;
}): JSX.Element {
  const names = () => availableVariables(props.contact);
  return (
    <fieldset class={classes(forms.field, styles.variables)}>
      <legend class={forms.label}>Insert a variable</legend>
      <div class={styles.list}>
        <For each={names()}>
          {(name) => (
            <button
              type="button"
              class={styles.variable}
              title="Insert at the cursor"
              // Keep the textarea's selection: a mousedown on a button would otherwise blur it first.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => props.onInsert(`{{${name}}}`)}
            >
              <code>{`{{${name}}}`}</code>
              <Show when={variableValue(props.contact, name)}>
                {(value) => <span class={styles.value}>{value()}</span>}
              </Show>
            </button>
          )}
        </For>
      </div>
      <p class={forms.hint}>
        Add a fallback for contacts with no value: <code>{'{{first_name|there}}'}</code>.
      </p>
    </fieldset>
  );
}
