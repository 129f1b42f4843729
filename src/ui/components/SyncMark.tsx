import { type JSX, Show } from 'solid-js';
import type { RecordSyncState } from '../../features/record-sync/api.ts';
import { classes } from '../class-names.ts';
import styles from './SyncMark.module.css';

const LABELS: Record<Exclude<RecordSyncState, 'synced'>, string> = {
  pending: 'Waiting to sync',
  error: 'Not synced',
  conflict: 'Merged',
};

/**
 * A record's small sync mark in a list or heading; nothing once it is synced. `compact` (dense
 * lists, where the name needs the room) shows the dot alone; its word stays for screen readers
 * and in the tooltip.
 */
export function SyncMark(props: { state: RecordSyncState | undefined; compact?: boolean }): JSX.Element {
  return (
    <Show when={props.state !== undefined && props.state !== 'synced' ? props.state : undefined}>
      {(state) => (
        <span
          class={classes(
            styles.mark,
            state() === 'pending' && styles.pending,
            state() === 'error' && styles.error,
            state() === 'conflict' && styles.conflict,
            props.compact && styles.compact,
          )}
          data-sync={state()}
          title={
            state() === 'error'
              ? 'The server refused this change: open it to see why'
              : state() === 'conflict'
                ? 'Merged with a change made on another device'
                : 'Saved on this device, not on the server yet'
          }
        >
          <span class={styles.icon} aria-hidden="true" />
          <span class={props.compact ? 'visually-hidden' : undefined}>{LABELS[state()]}</span>
        </span>
      )}
    </Show>
  );
}
