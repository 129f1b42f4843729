import { A } from '@solidjs/router';
import { type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { useServices } from '../services-context.ts';
import styles from './channels.module.css';

/** In place of a Send button while the workspace has no number to send from. */
export function ConnectChannelCta(props: { what: string }): JSX.Element {
  const { channels } = useServices();
  return (
    <div class={styles.cta}>
      <p>No WhatsApp number is connected to this workspace yet: connect one to {props.what}.</p>
      <Show
        when={channels.canManage()}
        fallback={<p class={styles.ctaHint}>Ask an owner or admin of the workspace to connect one.</p>}
      >
        <A class={classes(controls.button, controls.primary)} href="/settings/channels">
          Connect a WhatsApp number
        </A>
      </Show>
    </div>
  );
}
