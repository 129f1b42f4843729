import { A, useLocation } from '@solidjs/router';
import { type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { useServices } from '../services-context.ts';
import styles from './ExpiredBanner.module.css';

/** The refresh token was refused: work goes on locally, syncing waits for a new sign-in. */
export function ExpiredBanner(): JSX.Element {
  const { session } = useServices();
  const location = useLocation();
  const next = () => encodeURIComponent(location.pathname + location.search);
  return (
    <Show when={session().status === 'expired'}>
      <div class={styles.banner} role="alert">
        <span>Your session has expired. Sign in again to sync — your changes on this device are kept.</span>
        <A class={classes(controls.button, controls.small)} href={`/sign-in?next=${next()}`}>
          Sign in again
        </A>
      </div>
    </Show>
  );
}
