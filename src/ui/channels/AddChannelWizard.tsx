import { createSignal, type JSX, Match, Show, Switch } from 'solid-js';
import type { ConnectInput, ConnectionCheck, WebhookSetup } from '../../features/channels/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { useServices } from '../services-context.ts';
import { CheckResult } from './CheckResult.tsx';
import styles from './channels.module.css';
import { WebhookSetupView } from './WebhookSetupView.tsx';

type Provider = 'meta' | 'whapi';
type Credentials = Record<string, string>;

const FIELDS: Record<Provider, Array<{ name: string; label: string; secret?: boolean; hint: string }>> = {
  meta: [
    { name: 'phone_number_id', label: 'Phone number ID', hint: 'WhatsApp → API Setup in your Meta app' },
    { name: 'waba_id', label: 'WhatsApp Business Account ID', hint: 'Shown beside the phone number ID' },
    {
      name: 'access_token',
      label: 'Permanent access token',
      secret: true,
      hint: "A system user's token with whatsapp_business_messaging",
    },
    { name: 'app_secret', label: 'App secret', secret: true, hint: 'App settings → Basic' },
  ],
  whapi: [{ name: 'api_token', label: 'API token', secret: true, hint: "Your Whapi channel's token" }],
};

/**
 * Adding a number in three steps on one page: the provider, its credentials (sent once to the
 * server, then forgotten here), and the webhook setup with the test connection's verdict.
 */
export function AddChannelWizard(props: { onClose: () => void }): JSX.Element {
  const { channels } = useServices();
  const [provider, setProvider] = createSignal<Provider>();
  const [name, setName] = createSignal('');
  const [credentials, setCredentials] = createSignal<Credentials>({});
  const [error, setError] = createSignal<{ error: string; field?: string }>();
  const [pending, setPending] = createSignal(false);
  const [connected, setConnected] = createSignal<{ id: string; webhook: WebhookSetup | null }>();
  const [check, setCheck] = createSignal<ConnectionCheck>();

  const choose = (p: Provider) => {
    setProvider(p);
    setName(p === 'meta' ? 'Meta number' : 'Whapi number');
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const p = provider();
    if (!p || pending()) return;
    setPending(true);
    setError(undefined);
    try {
      const input = { provider: p, name: name(), ...credentials() } as ConnectInput;
      const result = await channels.connect(input);
      if (!result.ok) {
        setError(result);
        return;
      }
      // The server holds the credentials now: none stays in this page.
      setCredentials({});
      setConnected({ id: result.value.channelId, webhook: result.value.webhook });
      setCheck(result.value.check);
    } finally {
      setPending(false);
    }
  };

  const retest = async () => {
    const id = connected()?.id;
    if (!id) return;
    setPending(true);
    setCheck(undefined);
    const result = await channels.test(id);
    setPending(false);
    if (result.ok) setCheck(result.value);
    else setError(result);
  };

  return (
    <section class={styles.wizard} aria-labelledby="add-channel-heading">
      <h3 id="add-channel-heading">Add a WhatsApp number</h3>
      <Switch>
        <Match when={!provider()}>
          <p>Which service connects the number?</p>
          <div class={styles.providerChoice}>
            <button type="button" class={styles.providerOption} onClick={() => choose('meta')}>
              <strong>Meta Cloud API</strong>
              <span>Official WhatsApp Business Platform: templates, 24-hour window</span>
            </button>
            <button type="button" class={styles.providerOption} onClick={() => choose('whapi')}>
              <strong>Whapi.cloud</strong>
              <span>A WhatsApp number linked through Whapi: one API token</span>
            </button>
          </div>
          <div class={forms.actions}>
            <button type="button" class={classes(controls.button, controls.ghost)} onClick={props.onClose}>
              Cancel
            </button>
          </div>
        </Match>
        <Match when={!connected() && provider()}>
          {(p) => (
            <form
              class={forms.form}
              aria-label={`Connect a ${p() === 'meta' ? 'Meta' : 'Whapi'} number`}
              onSubmit={submit}
            >
              <TextField
                label="Name"
                name="channel-name"
                required
                maxLength={100}
                value={name()}
                onValue={setName}
                problem={error()?.field === 'name' ? error()?.error : undefined}
              />
              {FIELDS[p()].map((f) => (
                <TextField
                  label={f.label}
                  name={f.name}
                  type={f.secret ? 'password' : 'text'}
                  autocomplete="off"
                  required
                  hint={f.hint}
                  value={credentials()[f.name] ?? ''}
                  onValue={(v) => setCredentials({ ...credentials(), [f.name]: v })}
                  problem={error()?.field === f.name ? error()?.error : undefined}
                />
              ))}
              <Show when={!error()?.field || error()?.field === 'body'}>
                <FormError error={error()?.error} />
              </Show>
              <div class={forms.actions}>
                <button
                  type="button"
                  class={classes(controls.button, controls.ghost)}
                  onClick={() => setProvider()}
                >
                  Back
                </button>
                <button type="submit" class={classes(controls.button, controls.primary)} disabled={pending()}>
                  {pending() ? 'Connecting…' : 'Connect and test'}
                </button>
              </div>
            </form>
          )}
        </Match>
        <Match when={connected()}>
          {(done) => (
            <div class={forms.form}>
              <Show when={done().webhook}>
                {(webhook) => <WebhookSetupView provider={provider() ?? 'meta'} webhook={webhook()} />}
              </Show>
              <CheckResult check={check()} />
              <FormError error={error()?.error} />
              <div class={forms.actions}>
                <button type="button" class={controls.button} disabled={pending()} onClick={retest}>
                  Test connection
                </button>
                <button
                  type="button"
                  class={classes(controls.button, controls.primary)}
                  onClick={props.onClose}
                >
                  Done
                </button>
              </div>
            </div>
          )}
        </Match>
      </Switch>
    </section>
  );
}
