import { createSignal, type JSX, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { useServices } from '../services-context.ts';
import { plural, waitingToSendText } from '../text.ts';
import styles from './SyncIndicator.module.css';

/**
 * Online state and what waits to go up. Both are status regions named by their own text, so a
 * screen reader hears "Offline" or "3 changes waiting to sync" when it changes.
 */
export function SyncIndicator(): JSX.Element {
  const { online, sync, messages } = useServices();
  const waiting = () => messages.outbox.waiting();
  const waitingText = () => waitingToSendText(messages.outbox.waitingByKind());
  const [syncing, setSyncing] = createSignal(false);

  const onlineText = () => (online() ? 'Online' : 'Offline');
  const pendingText = () =>
    sync.pending() === 0
      ? 'All changes synced'
      : `${plural(sync.pending(), 'change', 'changes')} waiting to sync`;

  const syncNow = async () => {
    setSyncing(true);
    try {
      await sync.syncNow();
    } finally {
      setSyncing(false);
    }
  };

  return (
    <div class={styles.indicator}>
      <span
        class={classes(styles.pill, online() ? styles.online : styles.offline)}
        role="status"
        aria-label={onlineText()}
      >
        <span class={styles.dot} aria-hidden="true" />
        {onlineText()}
      </span>
      <span
        class={classes(styles.pending, sync.pending() > 0 && styles.waiting)}
        role="status"
        aria-label={pendingText()}
      >
        <Show when={sync.state() === 'syncing' && sync.pending() > 0}>
          <span class={styles.spinner} aria-hidden="true" />
        </Show>
        {pendingText()}
      </span>
      <Show when={online() && sync.pending() > 0}>
        <button
          type="button"
          class={classes(controls.button, controls.small)}
          disabled={syncing() || sync.state() === 'syncing'}
          onClick={syncNow}
        >
          Sync now
        </button>
      </Show>
      <Show when={waiting() > 0}>
        <span class={classes(styles.pending, styles.waiting)} role="status" aria-label={waitingText()}>
          {waitingText()}
        </span>
        <Show when={online()}>
          <button
            type="button"
            class={classes(controls.button, controls.small)}
            title={messages.outbox.problem() ?? undefined}
            onClick={() => messages.outbox.retryNow()}
          >
            Retry now
          </button>
        </Show>
      </Show>
      {/* Offline, failed requests are expected: the Offline badge already says so. */}
      <Show when={online() && sync.lastError()}>
        {(error) => (
          <span class={styles.error} role="alert">
            Sync problem: {error()}
          </span>
        )}
      </Show>
    </div>
  );
}
