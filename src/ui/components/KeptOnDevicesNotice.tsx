import { A } from '@solidjs/router';
import { type JSX, Show } from 'solid-js';
import { useServices } from '../services-context.ts';
import styles from './KeptOnDevicesNotice.module.css';

/**
 * On the contacts and templates pages while the workspace keeps both on its members' devices:
 * what the user adds or edits here goes nowhere else (src/features/workspace/kept-on-devices.ts).
 */
export function KeptOnDevicesNotice(props: { what: 'contacts' | 'templates' }): JSX.Element {
  const { workspace } = useServices();
  return (
    <Show when={workspace()?.contacts_local_only}>
      <p class={styles.notice} role="note">
        <strong>Kept on this device only.</strong> This workspace doesn't sync contacts and templates: the{' '}
        {props.what} you add or change here stay on this device, and no other device or member gets them.
        Campaigns still send to your contacts. <A href="/settings">Workspace settings</A>
      </p>
    </Show>
  );
}
