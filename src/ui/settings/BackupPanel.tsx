import { createSignal, For, type JSX, Show } from 'solid-js';
import type { BackupCollection, RestorePreview, RestoreStep } from '../../features/backup/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { FormError, FormSuccess } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { saveFile } from '../save-file.ts';
import { useServices } from '../services-context.ts';
import { plural } from '../text.ts';
import styles from './BackupPanel.module.css';

const NOUNS: Record<BackupCollection, [string, string]> = {
  contacts: ['contact', 'contacts'],
  contact_groups: ['group', 'groups'],
  templates: ['template', 'templates'],
  campaigns: ['campaign draft', 'campaign drafts'],
};
const COLLECTIONS = Object.keys(NOUNS) as BackupCollection[];

const counted = (counts: Record<BackupCollection, number>) =>
  COLLECTIONS.map((c) => plural(counts[c], ...NOUNS[c])).join(', ');

/** Settings → Data: the workspace as a file, and back from one. */
export function BackupPanel(): JSX.Element {
  return (
    <section class={classes(page.card, page.panel)} aria-labelledby="data-heading">
      <h2 id="data-heading">Data</h2>
      <ExportPart />
      <RestorePart />
    </section>
  );
}

function ExportPart(): JSX.Element {
  const { backup } = useServices();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [done, setDone] = createSignal<string>();

  const exportNow = async () => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    const file = await backup.exportWorkspace();
    setBusy(false);
    if (!file.ok) return setError(file.error);
    saveFile([file.value.bytes], file.value.name, 'application/zip');
    setDone(`Saved ${file.value.name}: ${counted(file.value.counts)}.`);
  };

  return (
    <div class={styles.part}>
      <p class={page.muted}>
        The workspace's contacts, groups, templates and campaign drafts as one file (a zip of JSON, with the
        contacts and templates as CSV too), made from what this device holds: it works offline.
      </p>
      <div class={forms.actions}>
        <button type="button" class={controls.button} disabled={busy()} onClick={() => void exportNow()}>
          {busy() ? 'Exporting…' : 'Export workspace'}
        </button>
      </div>
      <FormError error={error()} />
      <FormSuccess message={done()} />
    </div>
  );
}

function RestorePart(): JSX.Element {
  const { backup } = useServices();
  const [file, setFile] = createSignal<File>();
  const [preview, setPreview] = createSignal<RestorePreview>();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [done, setDone] = createSignal<string>();
  let input: HTMLInputElement | undefined;

  const choose = async (chosen: File | undefined) => {
    setFile(chosen);
    setPreview(undefined);
    setError(undefined);
    setDone(undefined);
    if (!chosen) return;
    setBusy(true);
    const read = await backup.preview(chosen);
    setBusy(false);
    if (read.ok) setPreview(read.value);
    else setError(read.error);
  };
  const reset = () => {
    setFile(undefined);
    setPreview(undefined);
    if (input) input.value = '';
  };
  const restore = async () => {
    const chosen = file();
    if (!chosen) return;
    setBusy(true);
    const outcome = await backup.restore(chosen);
    setBusy(false);
    if (!outcome.ok) return setError(outcome.error);
    reset();
    const { added, changed } = outcome.value;
    setDone(
      added + changed === 0
        ? 'Nothing restored: this workspace already holds everything in the backup.'
        : `Restored: ${plural(added, 'record', 'records')} added, ${changed.toLocaleString('en')} changed. They sync like any edit.`,
    );
  };
  const toDo = () => {
    const counts = preview()?.counts;
    return counts ? COLLECTIONS.reduce((n, c) => n + counts[c].add + counts[c].change, 0) : 0;
  };

  return (
    <div class={styles.part}>
      <h3 class={styles.subheading}>Restore from backup</h3>
      <p class={page.muted}>
        Adds back what a backup holds and the workspace no longer has, and sets records changed since to the
        backup's values. Records added since stay. You see what it would do before anything is written.
      </p>
      <label class={forms.field}>
        <span class={forms.label}>Backup file</span>
        <input
          ref={input}
          type="file"
          accept=".zip,application/zip"
          disabled={busy()}
          onChange={(event) => void choose(event.currentTarget.files?.[0])}
        />
      </label>
      <Show when={busy() && !preview()}>
        <p class={page.muted} role="status">
          Reading the backup…
        </p>
      </Show>
      <FormError error={error()} />
      <Show when={preview()}>
        {(p) => (
          <section class={styles.preview} aria-label="What the restore would do">
            <p>
              Backup of “{p().manifest.workspace.name}” made{' '}
              {new Date(p().manifest.exported_at).toLocaleString('en')}.
            </p>
            <table class={styles.table}>
              <thead>
                <tr>
                  <th scope="col">Records</th>
                  <th scope="col">Add</th>
                  <th scope="col">Change</th>
                  <th scope="col">Unchanged</th>
                </tr>
              </thead>
              <tbody>
                <For each={COLLECTIONS}>
                  {(c) => (
                    <tr>
                      <th scope="row">{NOUNS[c][1][0]?.toUpperCase() + NOUNS[c][1].slice(1)}</th>
                      <td>{p().counts[c].add.toLocaleString('en')}</td>
                      <td>{p().counts[c].change.toLocaleString('en')}</td>
                      <td>{(p().counts[c].same + p().counts[c].kept).toLocaleString('en')}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <Show
              when={toDo() > 0}
              fallback={
                <p role="status">Nothing to restore: this workspace already holds everything in it.</p>
              }
            >
              <ul class={styles.steps} aria-label="First records it would add or change">
                <For each={p().first}>{(step) => <StepLine step={step} />}</For>
              </ul>
              <Show when={toDo() > p().first.length}>
                <p class={page.muted}>and {(toDo() - p().first.length).toLocaleString('en')} more.</p>
              </Show>
            </Show>
            <div class={forms.actions}>
              <Show when={toDo() > 0}>
                <button
                  type="button"
                  class={classes(controls.button, controls.primary)}
                  disabled={busy()}
                  onClick={() => void restore()}
                >
                  {busy() ? 'Restoring…' : `Restore ${plural(toDo(), 'record', 'records')}`}
                </button>
              </Show>
              <button type="button" class={controls.button} disabled={busy()} onClick={reset}>
                {toDo() > 0 ? 'Cancel' : 'Close'}
              </button>
            </div>
          </section>
        )}
      </Show>
      <FormSuccess message={done()} />
    </div>
  );
}

function StepLine(props: { step: RestoreStep }): JSX.Element {
  const noun = () => NOUNS[props.step.collection][0];
  return (
    <li>
      <span class={classes(styles.kind, props.step.kind === 'add' ? styles.add : styles.change)}>
        {props.step.kind === 'add' ? 'Add' : 'Change'}
      </span>{' '}
      {noun()} <strong>{props.step.label}</strong>
      <Show when={props.step.kind === 'change'}>
        <span class={page.muted}> · {props.step.fields.join(', ').replaceAll('_', ' ')}</span>
      </Show>
      <Show when={props.step.revives}>
        <span class={page.muted}> · deleted since the backup</span>
      </Show>
    </li>
  );
}
