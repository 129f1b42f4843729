import { type BeforeLeaveEventArgs, useBeforeLeave } from '@solidjs/router';
import { createSignal, type JSX, onCleanup } from 'solid-js';
import { ConfirmDialog } from './Dialog.tsx';

/** Asks before a navigation would throw away unsaved edits. */
export function LeaveGuard(props: { when: boolean }): JSX.Element {
  const [blocked, setBlocked] = createSignal<BeforeLeaveEventArgs>();

  useBeforeLeave((event) => {
    if (!props.when || event.defaultPrevented) return;
    event.preventDefault();
    setBlocked(event);
  });

  // A reload or a closed tab can't show our dialog: the browser asks in its own words.
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (props.when) event.preventDefault();
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  onCleanup(() => window.removeEventListener('beforeunload', onBeforeUnload));

  return (
    <ConfirmDialog
      open={blocked() !== undefined}
      title="Discard changes?"
      message={<p>You have unsaved changes. Leave this page and discard them?</p>}
      confirmLabel="Discard changes"
      cancelLabel="Keep editing"
      danger
      onConfirm={() => {
        const event = blocked();
        setBlocked(undefined);
        event?.retry(true);
      }}
      onCancel={() => setBlocked(undefined)}
    />
  );
}
