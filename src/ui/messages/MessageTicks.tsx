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

// A drawn clock: the emoji 🕓 is an empty box where no emoji font is installed. A component,
// so each message gets its own element.
function Clock(): JSX.Element {
  return (
    <svg class={styles.clock} viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
      <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.5" />
      <path
        d="M8 4.5V8l2.5 1.5"
        fill="none"
        stroke="currentColor"
        stroke-width="1.5"
        stroke-linecap="round"
      />
    </svg>
  );
}

const MARKS: Record<MessageStatus, () => JSX.Element | string> = {
  queued: Clock,
  sending: Clock,
  sent: () => '✓',
  delivered: () => '✓✓',
  read: () => '✓✓',
  failed: () => '!',
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
      {MARKS[props.status]()}
    </span>
  );
}
