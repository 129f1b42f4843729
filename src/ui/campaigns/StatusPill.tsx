import type { JSX } from 'solid-js';
import type { Campaign } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import styles from './StatusPill.module.css';

export const STATUS_LABELS: Record<Campaign['status'], string> = {
  draft: 'Draft',
  launching: 'Launching',
  scheduled: 'Scheduled',
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  cancelled: 'Cancelled',
  blocked: 'Blocked',
};

const COLOURS: Record<Campaign['status'], string | undefined> = {
  draft: styles.draft,
  launching: styles.launching,
  scheduled: styles.scheduled,
  running: styles.running,
  paused: styles.paused,
  completed: styles.completed,
  cancelled: styles.cancelled,
  blocked: styles.blocked,
};

/** A campaign's status as a pill coloured by status; `label` replaces the status's name. */
export function StatusPill(props: { status: Campaign['status']; label?: string }): JSX.Element {
  return (
    <span class={classes(styles.pill, COLOURS[props.status])}>
      {props.label ?? STATUS_LABELS[props.status]}
    </span>
  );
}
