import { Index, type JSX, Show } from 'solid-js';
import { isVariableName } from '../../domain/variables.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import forms from '../components/forms.module.css';
import styles from './CustomFieldsEditor.module.css';

export interface FieldRow {
  key: string;
  value: string;
}

/**
 * Key/value rows. <Index> (not <For>) keeps each row's inputs in place while their text is
 * replaced, so typing never loses focus.
 */
export function CustomFieldsEditor(props: {
  rows: FieldRow[];
  onChange: (rows: FieldRow[]) => void;
}): JSX.Element {
  let fieldset!: HTMLFieldSetElement;
  const add = () => {
    props.onChange([...props.rows, { key: '', value: '' }]);
    // The new row's key is what the user types next.
    const inputs = fieldset.querySelectorAll<HTMLInputElement>('input');
    inputs[inputs.length - 2]?.focus();
  };
  const set = (index: number, patch: Partial<FieldRow>) =>
    props.onChange(props.rows.map((row, at) => (at === index ? { ...row, ...patch } : row)));
  const remove = (index: number) => props.onChange(props.rows.filter((_, at) => at !== index));
  const isDuplicate = (index: number) => {
    const key = props.rows[index]?.key.trim();
    return Boolean(key) && props.rows.some((row, at) => at > index && row.key.trim() === key);
  };

  return (
    <fieldset class={classes(forms.field, styles.fields)} ref={fieldset}>
      <legend class={forms.label}>Custom fields</legend>
      <Show when={props.rows.length === 0}>
        <p class={forms.hint}>
          Extra details such as company or city, usable in templates as {'{{company}}'}.
        </p>
      </Show>
      <Index each={props.rows}>
        {(row, index) => (
          <div class={styles.row}>
            <input
              type="text"
              aria-label={`Field ${index + 1} key`}
              placeholder="key, e.g. company"
              value={row().key}
              onInput={(event) => set(index, { key: event.currentTarget.value })}
            />
            <input
              type="text"
              aria-label={`Field ${index + 1} value`}
              placeholder="value"
              value={row().value}
              onInput={(event) => set(index, { value: event.currentTarget.value })}
            />
            <button
              type="button"
              class={classes(controls.button, controls.ghost, controls.small)}
              aria-label={`Remove field ${index + 1}`}
              onClick={() => remove(index)}
            >
              Remove
            </button>
            <Show when={row().key.trim() !== '' && !isVariableName(row().key.trim())}>
              <span class={classes(forms.hint, styles.rowHint)}>
                Not usable in templates: use letters, digits, _ and . in the key.
              </span>
            </Show>
            <Show when={isDuplicate(index)}>
              <span class={classes(forms.hint, styles.rowHint)}>
                Same key as a field below: that one wins.
              </span>
            </Show>
          </div>
        )}
      </Index>
      <button type="button" class={classes(controls.button, controls.small, styles.add)} onClick={add}>
        Add field
      </button>
    </fieldset>
  );
}

export function toRows(fields: Record<string, string>): FieldRow[] {
  return Object.entries(fields).map(([key, value]) => ({ key, value }));
}

/** Rows back to a record: blank keys are dropped, and the last of two equal keys wins. */
export function toRecord(rows: readonly FieldRow[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (key !== '') record[key] = row.value;
  }
  return record;
}
