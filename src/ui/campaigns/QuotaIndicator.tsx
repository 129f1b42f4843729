import { type JSX, Show } from 'solid-js';
import { useServices } from '../services-context.ts';
import styles from './QuotaIndicator.module.css';

/** The month's quota in the header: used and reserved of the limit. */
export function QuotaIndicator(): JSX.Element {
  const { quota } = useServices();
  const status = quota.status;
  return (
    <Show when={status()}>
      {(q) => (
        <span class={styles.quota} role="status" title={`${q().remaining} messages left this month`}>
          Quota: {q().used} used, {q().reserved} reserved of {q().limit}
        </span>
      )}
    </Show>
  );
}
