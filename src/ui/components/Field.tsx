import { createUniqueId, type JSX, Show, splitProps } from 'solid-js';
import { classes } from '../class-names.ts';
import forms from './forms.module.css';

type InputAttributes = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'value' | 'onInput'>;

interface TextFieldProps extends InputAttributes {
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** Help under the input, linked with aria-describedby. */
  hint?: JSX.Element;
  /** A problem with what was typed, shown under the input and marking it invalid. */
  problem?: string | undefined;
}

/**
 * A labelled input: the visible label alone is its accessible name (aria-labelledby), the
 * hint its description — the hint sits inside the <label> too, and would otherwise be read
 * as part of the name.
 */
export function TextField(props: TextFieldProps): JSX.Element {
  const [own, input] = splitProps(props, ['label', 'value', 'onValue', 'hint', 'problem', 'class']);
  const hintId = createUniqueId();
  const labelId = createUniqueId();
  return (
    <label class={classes(forms.field, own.class)}>
      <span class={forms.label} id={labelId}>
        {own.label}
      </span>
      <input
        type="text"
        aria-labelledby={labelId}
        {...input}
        value={own.value}
        aria-invalid={own.problem ? true : undefined}
        aria-describedby={own.hint || own.problem ? hintId : undefined}
        onInput={(event) => own.onValue(event.currentTarget.value)}
      />
      <Show when={own.hint || own.problem}>
        <span id={hintId} class={classes(forms.hint, Boolean(own.problem) && forms.problem)}>
          {own.problem ?? own.hint}
        </span>
      </Show>
    </label>
  );
}

interface TextAreaFieldProps
  extends Omit<JSX.TextareaHTMLAttributes<HTMLTextAreaElement>, 'value' | 'onInput'> {
  label: string;
  value: string;
  onValue: (value: string) => void;
}

export function TextAreaField(props: TextAreaFieldProps): JSX.Element {
  const [own, textarea] = splitProps(props, ['label', 'value', 'onValue']);
  return (
    <label class={forms.field}>
      <span class={forms.label}>{own.label}</span>
      <textarea {...textarea} value={own.value} onInput={(event) => own.onValue(event.currentTarget.value)} />
    </label>
  );
}
