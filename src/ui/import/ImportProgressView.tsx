import { type JSX, Show } from 'solid-js';
import type { ImportStatus } from '../../features/import/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { Figure } from './Figure.tsx';
import { count, duration } from './format.ts';
import styles from './ImportProgressView.module.css';
import shared from './import.module.css';

/** The progress bar and its figures while an import runs, with Cancel. */
export function ImportProgressView(props: {
  status: ImportStatus | undefined;
  cancelling: boolean;
  onCancel: () => void;
}): JSX.Element {
  const s = () => props.status;
  return (
    <section class={page.card} aria-labelledby="import-progress-heading">
      <h2 id="import-progress-heading">Importing…</h2>
      <progress
        class={styles.bar}
        aria-label="Import progress"
        max={Math.max(1, s()?.totalBytes ?? 1)}
        value={s()?.bytesRead ?? 0}
      />
      <dl class={shared.figures}>
        <Figure label="Rows read">{count(s()?.rowsRead ?? 0)}</Figure>
        <Figure label="Valid">{count(s()?.valid ?? 0)}</Figure>
        <Figure label="Saved" testId="import-saved">
          {count(s()?.saved ?? 0)}
        </Figure>
        <Figure label="Rejected">{count((s()?.rejected ?? 0) + (s()?.duplicates ?? 0))}</Figure>
        <Figure label="Speed">{count(Math.round(s()?.rowsPerSecond ?? 0))} rows/s</Figure>
        <Figure label="Time left">
          <Show when={s()?.secondsLeft} keyed fallback="estimating…">
            {(left) => `about ${duration(left)}`}
          </Show>
        </Figure>
      </dl>
      <p class={forms.hint}>Leaving this page cancels the import; contacts already saved stay.</p>
      <div class={forms.actions}>
        <button
          type="button"
          class={classes(controls.button, controls.dangerOutline)}
          disabled={props.cancelling}
          onClick={props.onCancel}
        >
          {props.cancelling ? 'Cancelling…' : 'Cancel import'}
        </button>
      </div>
    </section>
  );
}
