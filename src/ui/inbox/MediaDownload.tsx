import { createSignal, type JSX, Show } from 'solid-js';
import type { ThreadMessage } from '../../features/messages/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { useServices } from '../services-context.ts';
import styles from './ChatView.module.css';

// Long enough for the browser to have taken the file; the URL only holds memory.
const KEEP_URL_MS = 60_000;

/**
 * Downloads a media message's file on demand (the provider keeps it; the server's media
 * function fetches it with the channel's credentials, for members only).
 */
export function MediaDownload(props: { message: ThreadMessage; label: string }): JSX.Element {
  const { messages } = useServices();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();

  const download = async () => {
    setBusy(true);
    setError(undefined);
    const file = await messages.mediaFile(props.message);
    setBusy(false);
    if (!file.ok) {
      setError(file.error);
      return;
    }
    const link = document.createElement('a');
    link.href = file.value.url;
    link.download = file.value.fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(file.value.url), KEEP_URL_MS);
  };

  return (
    <>
      <button
        type="button"
        class={classes(controls.button, controls.small, styles.download)}
        aria-label={`Download ${props.label.toLowerCase()}`}
        disabled={busy()}
        onClick={() => void download()}
      >
        {busy() ? 'Downloading…' : 'Download'}
      </button>
      <Show when={error()}>
        {(message) => (
          <span class={styles.downloadError} role="alert">
            {message()}
          </span>
        )}
      </Show>
    </>
  );
}
