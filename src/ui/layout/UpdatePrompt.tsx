import { type JSX, Show } from 'solid-js';
import type { AppUpdate } from '../../app/app-update.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import styles from './UpdatePrompt.module.css';

/** Offers a waiting new version of the app; nothing reloads until the user asks. */
export function UpdatePrompt(props: { update: AppUpdate }): JSX.Element {
  return (
    <Show when={props.update.ready()}>
      <div class={styles.prompt} role="status" aria-label="A new version of Pigeon is ready">
        <span>A new version of Pigeon is ready.</span>
        <button
          type="button"
          class={classes(controls.button, controls.small, controls.primary)}
          onClick={() => props.update.apply()}
        >
          Reload
        </button>
      </div>
    </Show>
  );
}
