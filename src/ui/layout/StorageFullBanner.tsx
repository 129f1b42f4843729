import { type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { useServices } from '../services-context.ts';
// The same banner as a session expiry: a device-wide condition the user has to act on.
import styles from './ExpiredBanner.module.css';

/** A write was refused because the device's storage is full: said once, for every page. */
export function StorageFullBanner(): JSX.Element {
  const { storage } = useServices();
  return (
    <Show when={storage.full()}>
      <div class={styles.banner} role="alert">
        <span>
          This device's storage is full: new changes can't be saved here. Everything saved before is kept.
          Free up space on this device, then try again.
        </span>
        <button
          type="button"
          class={classes(controls.button, controls.small)}
          onClick={() => storage.tryAgain()}
        >
          Try again
        </button>
      </div>
    </Show>
  );
}
