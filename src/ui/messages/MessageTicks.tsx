import type { JSX } from 'solid-js';
import type { MessageStatus } from '../../domain/types.ts';
import { classes } from '../class-names.ts';
import styles from './MessageTicks.module.css';

const LABELS: Record<MessageStatus, string> = {
  queued: 'Waiting to send',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
};

const MARKS: Record<MessageStatus, string> = {
  queued: '🕓',
  sending: '🕓',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: '!',
};

/** WhatsApp's ticks: clock, one, two, two blue; named in words for screen readers. */
export function MessageTicks(props: { status: MessageStatus }): JSX.Element {
  return (
    <span
      class={classes(
        styles.ticks,
        props.status === 'read' && styles.read,
        props.status === 'failed' && styles.failed,
      )}
      role="img"
      aria-label={LABELS[props.status]}
      title={LABELS[props.status]}
    >
      {MARKS[props.status]}
    </span>
  );
}
