import type { JSX } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';

/**
 * Why a message was not sent, led by "Not sent:" once: the outbox's own reasons (a refused
 * request, a discard from the send queue) already start with it; the provider's do not.
 */
export function notSentText(error: string | null): string {
  if (!error) return 'Not sent: the provider refused it';
  return error.startsWith('Not sent') ? error : `Not sent: ${error}`;
}

/** Sends a message that was not sent again, as a new one (the conversation and the inbox's chat). */
export function RetryButton(props: { onRetry: () => void }): JSX.Element {
  return (
    <button type="button" class={classes(controls.button, controls.small)} onClick={() => props.onRetry()}>
      Retry
    </button>
  );
}
