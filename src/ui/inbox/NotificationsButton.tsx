import { createSignal, type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';

const supported = () => typeof Notification !== 'undefined';

/**
 * Asks for notification permission only when the member clicks: never on load. Hidden once
 * granted or refused (the browser's settings then decide).
 */
export function NotificationsButton(): JSX.Element {
  const [permission, setPermission] = createSignal(supported() ? Notification.permission : 'denied');
  return (
    <Show when={permission() === 'default'}>
      <button
        type="button"
        class={classes(controls.button, controls.small)}
        onClick={() => void Notification.requestPermission().then(setPermission)}
      >
        Notify me
      </button>
    </Show>
  );
}
