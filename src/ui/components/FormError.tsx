import { type JSX, Show } from 'solid-js';
import forms from './forms.module.css';

/** A service's refusal, read out as soon as it appears. */
export function FormError(props: { error: string | undefined }): JSX.Element {
  return (
    <Show when={props.error}>
      {(error) => (
        <p class={forms.error} role="alert">
          {error()}
        </p>
      )}
    </Show>
  );
}
