import { type JSX, Show } from 'solid-js';
import type { WebhookSetup } from '../../features/channels/api.ts';
import page from '../components/page.module.css';
import { CopyField } from './CopyField.tsx';

/** Where the provider sends events: to paste into Meta's dashboard, or Whapi's when Pigeon could not register it. */
export function WebhookSetupView(props: { provider: 'meta' | 'whapi'; webhook: WebhookSetup }): JSX.Element {
  return (
    <div>
      <Show when={props.provider === 'meta'}>
        <p class={page.muted}>
          In your Meta app's dashboard (WhatsApp → Configuration → Webhook), paste this callback URL and
          verify token, then subscribe to the <code>messages</code> field.
        </p>
      </Show>
      <Show when={props.provider === 'whapi'}>
        <Show
          when={props.webhook.registered}
          fallback={
            <p class={page.muted}>
              Pigeon could not register its webhook with Whapi
              {props.webhook.error ? ` (${props.webhook.error})` : ''}. In the Whapi dashboard, add this
              webhook URL with the header below, for messages, statuses, chats and channel events.
            </p>
          }
        >
          <p class={page.muted}>Pigeon registered its webhook with Whapi: nothing to set up by hand.</p>
        </Show>
      </Show>
      <CopyField label="Webhook callback URL" value={props.webhook.callback_url} />
      <Show when={props.webhook.verify_token}>
        {(token) => <CopyField label="Verify token" value={token()} />}
      </Show>
      <Show when={props.webhook.secret_header}>
        {(header) => <CopyField label="Header name" value={header()} />}
      </Show>
      <Show when={props.webhook.secret}>
        {(secret) => <CopyField label="Header value (secret)" value={secret()} />}
      </Show>
    </div>
  );
}
