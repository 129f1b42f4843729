import { createUniqueId, For, type JSX } from 'solid-js';
import { fillParameters, headerText, parameterCount } from '../../domain/provider-template.ts';
import type { Template, TemplateParameters } from '../../domain/types.ts';
import { BUILT_IN_VARIABLES } from '../../domain/variables.ts';
import { classes } from '../class-names.ts';
import { TextField } from '../components/Field.tsx';
import forms from '../components/forms.module.css';
import styles from './CampaignEditor.module.css';

/** The values a Meta template takes: one per {{n}} of its text header, then of its body. */
export function templateSlots(template: Template, given: TemplateParameters): TemplateParameters {
  const sized = (count: number, values: readonly string[]) =>
    Array.from({ length: count }, (_, i) => values[i] ?? '');
  return {
    header: sized(parameterCount(headerText(template)), given.header),
    body: sized(parameterCount(template.body), given.body),
  };
}

/**
 * A Meta template campaign maps Pigeon variables to the template's {{n}}: each value is a
 * Pigeon text (a variable with an optional fallback, or fixed text) rendered per recipient,
 * sent as the template's header and body parameters.
 */
export function TemplateValues(props: {
  template: Template;
  values: TemplateParameters;
  onChange: (values: TemplateParameters) => void;
  /** The refusal naming this value, if any (its label starts the message). */
  problem: (label: string) => string | undefined;
}): JSX.Element {
  const listId = createUniqueId();
  const slots = () => templateSlots(props.template, props.values);
  const set = (part: keyof TemplateParameters, i: number, value: string) => {
    const next = slots();
    next[part][i] = value;
    props.onChange(next);
  };
  const field = (part: keyof TemplateParameters, title: string) => (
    <For each={slots()[part]}>
      {(value, i) => {
        const label = () => `Template ${part} {{${i() + 1}}}`;
        return (
          <TextField
            label={`${title} {{${i() + 1}}}`}
            value={value}
            onValue={(v) => set(part, i(), v)}
            list={listId}
            required
            problem={props.problem(label())}
          />
        );
      }}
    </For>
  );
  return (
    <fieldset class={classes(forms.field, styles.fieldset)}>
      <legend class={forms.label}>Template values</legend>
      <p class={forms.hint}>
        Meta sends this template with a value for each {'{{n}}'}: pick a variable, add a fallback for contacts
        without one (<code>{'{{first_name|there}}'}</code>), or type fixed text.
      </p>
      <datalist id={listId}>
        <For each={BUILT_IN_VARIABLES}>{(name) => <option value={`{{${name}}}`} />}</For>
      </datalist>
      {field('header', 'Header')}
      {field('body', 'Body')}
      <p class={forms.templatePreview}>
        {fillParameters(
          props.template.body,
          slots().body.map((v) => v.trim() || '…'),
        )}
      </p>
    </fieldset>
  );
}
