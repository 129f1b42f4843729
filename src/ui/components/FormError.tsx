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

/** What a form or action achieved, read out politely. */
export function FormSuccess(props: { message: string | undefined }): JSX.Element {
  return (
    <Show when={props.message}>
      {(message) => (
        <p class={forms.success} role="status">
          {message()}
        </p>
      )}
    </Show>
  );
}
