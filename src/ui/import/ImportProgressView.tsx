import { type JSX, Show } from 'solid-js';
import type { ImportStatus } from '../../features/import/api.ts';
import { Figure } from './Figure.tsx';
import { count, duration } from './format.ts';

/** The progress bar and its figures while an import runs, with Cancel. */
export function ImportProgressView(props: {
  status: ImportStatus | undefined;
  cancelling: boolean;
  onCancel: () => void;
}): JSX.Element {
  const s = () => props.status;
  return (
    <section class="card import-progress" aria-labelledby="import-progress-heading">
      <h2 id="import-progress-heading">Importing…</h2>
      <progress
        class="import-bar"
        aria-label="Import progress"
        max={Math.max(1, s()?.totalBytes ?? 1)}
        value={s()?.bytesRead ?? 0}
      />
      <dl class="import-figures">
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
      <p class="field-hint">Leaving this page cancels the import; contacts already saved stay.</p>
      <div class="form-actions">
        <button
          type="button"
          class="button button-danger-outline"
          disabled={props.cancelling}
          onClick={props.onCancel}
        >
          {props.cancelling ? 'Cancelling…' : 'Cancel import'}
        </button>
      </div>
    </section>
  );
}
