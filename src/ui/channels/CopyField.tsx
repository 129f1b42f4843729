import { createSignal, createUniqueId, type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import forms from '../components/forms.module.css';
import styles from './channels.module.css';

/** A value to paste into a provider's dashboard, shown in full with a Copy button. */
export function CopyField(props: { label: string; value: string }): JSX.Element {
  const [copied, setCopied] = createSignal(false);
  const id = createUniqueId();
  let input!: HTMLInputElement;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied(true);
    } catch {
      // No clipboard (permission, old browser): selected, for Ctrl+C.
      input.select();
    }
  };
  return (
    <div class={forms.field}>
      <label class={forms.label} for={id}>
        {props.label}
      </label>
      <div class={styles.copyRow}>
        <input id={id} ref={input} class={styles.copyValue} readOnly value={props.value} />
        <button
          type="button"
          class={classes(controls.button, controls.small)}
          aria-label={`Copy ${props.label}`}
          onClick={copy}
        >
          Copy
        </button>
      </div>
      <Show when={copied()}>
        <span class={forms.success} role="status">
          Copied
        </span>
      </Show>
    </div>
  );
}
