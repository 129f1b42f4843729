import { createSignal, type JSX, Show } from 'solid-js';
import type { Channel } from '../../domain/types.ts';
import type { ConnectionCheck } from '../../features/channels/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { useServices } from '../services-context.ts';
import { CheckResult } from './CheckResult.tsx';

/**
 * A new token for a channel whose token expired or was revoked: once the provider accepts it,
 * the channel is connected again and its held messages go out.
 */
export function ReconnectForm(props: { channel: Channel; onDone: () => void }): JSX.Element {
  const { channels } = useServices();
  const meta = () => props.channel.provider === 'meta';
  const [token, setToken] = createSignal('');
  const [appSecret, setAppSecret] = createSignal('');
  const [error, setError] = createSignal<{ error: string; field?: string }>();
  const [check, setCheck] = createSignal<ConnectionCheck>();
  const [pending, setPending] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    setCheck(undefined);
    const credentials = meta()
      ? { access_token: token(), ...(appSecret().trim() ? { app_secret: appSecret() } : {}) }
      : { api_token: token() };
    const result = await channels.reconnect(props.channel.id, credentials);
    setPending(false);
    if (!result.ok) return setError(result);
    setToken('');
    setAppSecret('');
    setCheck(result.value);
    if (result.value.ok) props.onDone();
  };

  const tokenField = () => (meta() ? 'access_token' : 'api_token');
  return (
    <form class={forms.form} aria-label={`Reconnect ${props.channel.name}`} onSubmit={submit}>
      <TextField
        label={meta() ? 'New permanent access token' : 'New API token'}
        name={tokenField()}
        type="password"
        autocomplete="off"
        required
        value={token()}
        onValue={setToken}
        problem={error()?.field === tokenField() ? error()?.error : undefined}
      />
      <Show when={meta()}>
        <TextField
          label="App secret (only if it changed)"
          name="app_secret"
          type="password"
          autocomplete="off"
          value={appSecret()}
          onValue={setAppSecret}
          problem={error()?.field === 'app_secret' ? error()?.error : undefined}
        />
      </Show>
      <Show when={!error()?.field}>
        <FormError error={error()?.error} />
      </Show>
      <CheckResult check={check()} />
      <div class={forms.actions}>
        <button type="button" class={classes(controls.button, controls.ghost)} onClick={props.onDone}>
          Cancel
        </button>
        <button type="submit" class={classes(controls.button, controls.primary)} disabled={pending()}>
          Reconnect
        </button>
      </div>
    </form>
  );
}
