import { type JSX, Show } from 'solid-js';
import type { ConnectionCheck } from '../../features/channels/api.ts';
import forms from '../components/forms.module.css';

/** A test connection's verdict, read out when it changes. */
export function CheckResult(props: { check: ConnectionCheck | undefined }): JSX.Element {
  return (
    <Show when={props.check}>
      {(check) => (
        <Show
          when={check().ok}
          fallback={
            <p class={forms.error} role="alert">
              Test connection failed: {check().error ?? 'the provider did not answer as expected'}.
            </p>
          }
        >
          <p class={forms.success} role="status">
            Test connection passed: the number is connected.
          </p>
        </Show>
      )}
    </Show>
  );
}
