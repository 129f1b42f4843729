import { createSignal, type JSX, Match, Show, Switch } from 'solid-js';
import type { Channel } from '../../domain/types.ts';
import type { ConnectionCheck, WebhookSetup } from '../../features/channels/api.ts';
import { classes } from '../class-names.ts';
import chips from '../components/Chips.module.css';
import controls from '../components/controls.module.css';
import { Dialog } from '../components/Dialog.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { useServices } from '../services-context.ts';
import { ChannelSettingsForm } from './ChannelSettingsForm.tsx';
import { CheckResult } from './CheckResult.tsx';
import styles from './channels.module.css';
import { PROVIDER_LABELS, STATUS_LABELS, WHEN } from './labels.ts';
import { ReconnectForm } from './ReconnectForm.tsx';
import { WebhookSetupView } from './WebhookSetupView.tsx';

type Mode = 'view' | 'edit' | 'reconnect' | 'webhook';

const STATUS_CLASS = {
  connected: styles.connected,
  pending: styles.pending,
  degraded: styles.degraded,
  disconnected: styles.disconnected,
} as const;

/** One channel: what is known of it and, for owners and admins, what can be done with it. */
export function ChannelCard(props: { channel: Channel; manage: boolean }): JSX.Element {
  const { channels, online } = useServices();
  const c = () => props.channel;
  const real = () => c().provider !== 'simulator';
  const [mode, setMode] = createSignal<Mode>('view');
  const [webhook, setWebhook] = createSignal<WebhookSetup>();
  const [check, setCheck] = createSignal<ConnectionCheck>();
  const [notice, setNotice] = createSignal<string>();
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const [confirmDelete, setConfirmDelete] = createSignal(false);

  /** Runs one request at a time, showing its refusal. */
  const run = async (action: () => Promise<{ ok: true } | { ok: false; error: string }>) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    const result = await action();
    setBusy(false);
    if (!result.ok) setError(result.error);
  };

  const test = () =>
    run(async () => {
      setCheck(undefined);
      const result = await channels.test(c().id);
      if (result.ok) setCheck(result.value);
      return result;
    });
  const showWebhook = () =>
    run(async () => {
      const result = await channels.webhook(c().id);
      if (result.ok) {
        setWebhook(result.value);
        setMode('webhook');
      }
      return result;
    });
  const syncTemplates = () =>
    run(async () => {
      const result = await channels.syncTemplates(c().id);
      if (result.ok) {
        const { templates = 0, ...rest } = result.value;
        const parts = Object.entries(rest)
          .filter(([, n]) => n > 0)
          .map(([what, n]) => `${n} ${what}`);
        setNotice(`Templates synced: ${templates} from Meta${parts.length ? ` (${parts.join(', ')})` : ''}.`);
      }
      return result;
    });

  return (
    <li class={classes(page.card, styles.channel)} aria-label={`Channel ${c().name}`}>
      <div class={styles.channelHead}>
        <h3 class={styles.channelName}>{c().name}</h3>
        <span class={classes(chips.badge, STATUS_CLASS[c().status])}>{STATUS_LABELS[c().status]}</span>
        <span class={classes(chips.badge, chips.badgeMuted)}>{PROVIDER_LABELS[c().provider]}</span>
      </div>
      <dl class={styles.facts}>
        <dt>Number</dt>
        <dd>{c().phone_number ?? 'not reported yet'}</dd>
        <Show when={c().verified_name}>
          <dt>Name on WhatsApp</dt>
          <dd>{c().verified_name}</dd>
        </Show>
        <Show when={c().quality_rating}>
          <dt>Quality rating</dt>
          <dd>{c().quality_rating}</dd>
        </Show>
        <dt>Pacing</dt>
        <dd>
          {c().rate_per_minute} messages a minute
          {c().max_delay_ms > 0
            ? `, ${c().min_delay_ms}–${c().max_delay_ms} ms apart`
            : ', no pause between sends'}
        </dd>
        <Show when={c().last_error ?? c().degraded_reason}>
          {(problem) => (
            <>
              <dt>Last error</dt>
              <dd class={styles.problem}>
                {problem()}
                <Show when={c().last_error_at}>
                  {(at) => <span class={page.muted}> · {WHEN.format(new Date(at()))}</span>}
                </Show>
              </dd>
            </>
          )}
        </Show>
      </dl>
      <CheckResult check={check()} />
      <Show when={notice()}>
        <p class={forms.success} role="status">
          {notice()}
        </p>
      </Show>
      <FormError error={error()} />
      <Show when={props.manage}>
        <Switch>
          <Match when={mode() === 'edit'}>
            <ChannelSettingsForm channel={c()} onDone={() => setMode('view')} />
          </Match>
          <Match when={mode() === 'reconnect'}>
            <ReconnectForm channel={c()} onDone={() => setMode('view')} />
          </Match>
          <Match when={mode() === 'webhook' && webhook()}>
            {(setup) => (
              <div class={forms.form}>
                <WebhookSetupView provider={c().provider === 'meta' ? 'meta' : 'whapi'} webhook={setup()} />
                <div class={forms.actions}>
                  <button type="button" class={controls.button} onClick={() => setMode('view')}>
                    Close
                  </button>
                </div>
              </div>
            )}
          </Match>
          <Match when={mode() === 'view'}>
            <div class={styles.actions}>
              <Show when={real()}>
                <button
                  type="button"
                  class={classes(controls.button, controls.small)}
                  disabled={busy() || !online()}
                  onClick={test}
                >
                  Test connection
                </button>
              </Show>
              <button
                type="button"
                class={classes(controls.button, controls.small)}
                disabled={!online()}
                onClick={() => setMode('edit')}
              >
                Edit
              </button>
              <Show when={real()}>
                <button
                  type="button"
                  class={classes(
                    controls.button,
                    controls.small,
                    c().status === 'disconnected' && controls.primary,
                  )}
                  disabled={!online()}
                  onClick={() => setMode('reconnect')}
                >
                  Reconnect
                </button>
                <button
                  type="button"
                  class={classes(controls.button, controls.small)}
                  disabled={busy() || !online()}
                  onClick={showWebhook}
                >
                  Webhook setup
                </button>
              </Show>
              <Show when={c().provider === 'meta'}>
                <button
                  type="button"
                  class={classes(controls.button, controls.small)}
                  disabled={busy() || !online()}
                  onClick={syncTemplates}
                >
                  Sync templates
                </button>
              </Show>
              <Show when={c().status !== 'disconnected'}>
                <button
                  type="button"
                  class={classes(controls.button, controls.small, controls.dangerOutline)}
                  disabled={busy() || !online()}
                  onClick={() => run(() => channels.disconnect(c().id))}
                >
                  Disconnect
                </button>
              </Show>
              <button
                type="button"
                class={classes(controls.button, controls.small, controls.dangerOutline)}
                disabled={busy() || !online()}
                onClick={() => setConfirmDelete(true)}
              >
                Delete
              </button>
            </div>
          </Match>
        </Switch>
      </Show>
      <Dialog open={confirmDelete()} title={`Delete ${c().name}?`} onClose={() => setConfirmDelete(false)}>
        <p>Nothing more is sent or received through this number. Its conversations stay.</p>
        <div class={forms.actions}>
          <button type="button" class={controls.button} onClick={() => setConfirmDelete(false)}>
            Keep it
          </button>
          <button
            type="button"
            class={classes(controls.button, controls.danger)}
            onClick={() => {
              setConfirmDelete(false);
              void run(() => channels.remove(c().id));
            }}
          >
            Delete channel
          </button>
        </div>
      </Dialog>
    </li>
  );
}
