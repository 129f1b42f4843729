import { createEffect, createUniqueId, type JSX, onCleanup, Show } from 'solid-js';
import { classes } from '../class-names.ts';
import controls from './controls.module.css';
import styles from './Dialog.module.css';

interface DialogProps {
  open: boolean;
  title: string;
  /** Called on Escape, on a click on the backdrop, and by the dialog's own buttons. */
  onClose: () => void;
  children: JSX.Element;
  /** Room for three actions on one line. */
  wide?: boolean | undefined;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal on the native <dialog>: showModal() makes the page behind it inert and gives Escape;
 * Tab is wrapped here too, so focus never leaves for the browser's toolbar mid-dialog.
 */
export function Dialog(props: DialogProps): JSX.Element {
  let dialog!: HTMLDialogElement;
  let returnFocus: Element | null = null;
  const titleId = createUniqueId();

  createEffect(() => {
    if (props.open && !dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    } else if (!props.open && dialog.open) {
      dialog.close();
    }
  });
  onCleanup(() => {
    if (dialog.open) dialog.close();
  });

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Tab') return;
    const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={dialog}
      class={classes(styles.dialog, props.wide && styles.wide)}
      aria-labelledby={titleId}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        // Escape: let the owner decide (it holds `open`), rather than the browser closing it.
        event.preventDefault();
        props.onClose();
      }}
      onClose={() => {
        if (returnFocus instanceof HTMLElement) returnFocus.focus();
        if (props.open) props.onClose();
      }}
      onClick={(event) => {
        if (event.target === dialog) props.onClose();
      }}
    >
      <Show when={props.open}>
        <div class={styles.body}>
          <h2 id={titleId} class={styles.title}>
            {props.title}
          </h2>
          {props.children}
        </div>
      </Show>
    </dialog>
  );
}

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  message: JSX.Element;
  confirmLabel: string;
  cancelLabel?: string;
  /** Destructive actions get a red button and focus starts on Cancel. */
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  /** A second way forward besides the confirm button (e.g. "Discard and sign out"), shown in red. */
  alternative?: { label: string; onChoose: () => void } | undefined;
}

export function ConfirmDialog(props: ConfirmDialogProps): JSX.Element {
  return (
    <Dialog
      open={props.open}
      title={props.title}
      onClose={props.onCancel}
      wide={props.alternative !== undefined}
    >
      <div class={styles.message}>{props.message}</div>
      <div class={styles.actions}>
        <button
          type="button"
          class={controls.button}
          autofocus={props.danger}
          onClick={() => props.onCancel()}
        >
          {props.cancelLabel ?? 'Cancel'}
        </button>
        <Show when={props.alternative}>
          {(alternative) => (
            <button
              type="button"
              class={classes(controls.button, controls.danger)}
              disabled={props.busy}
              onClick={() => alternative().onChoose()}
            >
              {alternative().label}
            </button>
          )}
        </Show>
        <button
          type="button"
          class={classes(controls.button, props.danger ? controls.danger : controls.primary)}
          autofocus={!props.danger}
          disabled={props.busy}
          onClick={() => props.onConfirm()}
        >
          {props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
