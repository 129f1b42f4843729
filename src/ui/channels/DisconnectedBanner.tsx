import { A } from '@solidjs/router';
import { type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import banner from '../layout/ExpiredBanner.module.css';
import { useServices } from '../services-context.ts';
import styles from './channels.module.css';

/** Owners and admins learn at once that a number lost its connection: its messages wait until they reconnect it. */
export function DisconnectedBanner(): JSX.Element {
  const { channels } = useServices();
  const down = () => channels.list().filter((c) => c.status === 'disconnected' && c.provider !== 'simulator');
  return (
    <Show when={channels.canManage() && down().length > 0}>
      <div class={classes(banner.banner, styles.bannerDanger)} role="alert">
        <span>
          {down().length === 1
            ? `${down()[0]?.name} is disconnected: its messages wait until you reconnect it.`
            : `${down().length} WhatsApp numbers are disconnected: their messages wait until you reconnect them.`}
        </span>
        <A class={classes(controls.button, controls.small)} href="/settings/channels">
          Reconnect
        </A>
      </div>
    </Show>
  );
}
