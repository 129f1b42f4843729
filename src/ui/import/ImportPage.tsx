import { A } from '@solidjs/router';
import { createSignal, For, type JSX, Match, onCleanup, Show, Switch } from 'solid-js';
import type {
  ColumnMapping,
  ExistingPolicy,
  ImportPreview,
  ImportReport,
  ImportRun,
  ImportStatus,
} from '../../features/import/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { GroupPicker } from '../components/GroupPicker.tsx';
import page from '../components/page.module.css';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { splitList } from '../text.ts';
import { EXISTING_CHOICES, KIND_LABELS } from './format.ts';
import styles from './ImportPage.module.css';
import { ImportProgressView } from './ImportProgressView.tsx';
import { ImportReportView } from './ImportReportView.tsx';
import { MappingTable } from './MappingTable.tsx';

type Step =
  | { step: 'choose' }
  | { step: 'preview'; file: File; preview: ImportPreview }
  | { step: 'running'; file: File }
  | { step: 'report'; file: File; report: ImportReport };

/** Choose a file, check its columns, import with a progress bar and Cancel, read the report. */
export function ImportPage(): JSX.Element {
  const { imports } = useServices();
  usePageTitle(() => 'Import contacts');
  const [step, setStep] = createSignal<Step>({ step: 'choose' });
  const [error, setError] = createSignal<string>();
  const [reading, setReading] = createSignal(false);
  const [mapping, setMapping] = createSignal<ColumnMapping | null>(null);
  const [groupIds, setGroupIds] = createSignal<string[]>([]);
  const [tags, setTags] = createSignal('');
  const [existing, setExisting] = createSignal<ExistingPolicy>('fill');
  const [status, setStatus] = createSignal<ImportStatus>();
  const [cancelling, setCancelling] = createSignal(false);
  const [dragging, setDragging] = createSignal(false);
  /** The current step when it is `kind`, for a Match to narrow on. */
  const at =
    <K extends Step['step']>(kind: K) =>
    (): Extract<Step, { step: K }> | undefined => {
      const current = step();
      return current.step === kind ? (current as Extract<Step, { step: K }>) : undefined;
    };
  let run: ImportRun | undefined;
  onCleanup(() => run?.cancel());

  async function choose(file: File | undefined) {
    if (!file) return;
    setError(undefined);
    setReading(true);
    const preview = await imports.preview(file);
    setReading(false);
    if (!preview.ok) {
      setError(preview.error);
      return;
    }
    setMapping(preview.value.mapping);
    setStep({ step: 'preview', file, preview: preview.value });
  }

  const missingPhone = () => {
    const current = mapping();
    return current !== null && !current.columns.some((c) => c.role === 'phone');
  };

  async function start(file: File) {
    setError(undefined);
    setStatus(undefined);
    setCancelling(false);
    setStep({ step: 'running', file });
    run = imports.start(
      file,
      { mapping: mapping(), group_ids: groupIds(), tags: splitList(tags()), existing: existing() },
      setStatus,
    );
    const result = await run.done;
    run = undefined;
    if (result.ok) setStep({ step: 'report', file, report: result.value });
    else {
      setError(result.error);
      setStep({ step: 'choose' });
    }
  }

  return (
    <div class={page.narrow}>
      <A class={page.backLink} href="/contacts">
        ← All contacts
      </A>
      <h1>Import contacts</h1>
      <FormError error={error()} />
      <Switch>
        <Match when={step().step === 'choose'}>
          <section class={page.card} aria-labelledby="import-file-heading">
            <h2 id="import-file-heading">Choose a file</h2>
            {/* The whole card takes a dropped file, as well as the chooser. */}
            <label
              class={classes(forms.field, styles.dropZone, dragging() && styles.dragging)}
              onDragOver={(event) => {
                event.preventDefault();
                setDragging(true);
              }}
              onDragLeave={() => setDragging(false)}
              onDrop={(event) => {
                event.preventDefault();
                setDragging(false);
                if (!reading()) void choose(event.dataTransfer?.files[0]);
              }}
            >
              <span class={forms.label}>Contacts file</span>
              <span class={forms.hint}>Drop it here, or choose it:</span>
              <input
                type="file"
                accept=".csv,.tsv,.txt,.vcf,.vcard,.xlsx,text/csv,text/tab-separated-values,text/vcard"
                disabled={reading()}
                onChange={(event) => void choose(event.currentTarget.files?.[0])}
              />
              <span class={forms.hint}>
                CSV or TSV (Google Contacts, Outlook, any spreadsheet), vCard (.vcf, from a phone) or Excel
                (.xlsx), up to 50 MB.
              </span>
            </label>
            <Show when={reading()}>
              <p class={page.muted} role="status">
                Reading the file…
              </p>
            </Show>
          </section>
        </Match>
        <Match when={at('preview')()}>
          {(preview) => (
            <section class={classes(page.card, forms.form)} aria-labelledby="import-preview-heading">
              <h2 id="import-preview-heading">Check the columns</h2>
              <p class={page.muted}>
                {preview().file.name} · {KIND_LABELS[preview().preview.kind]}
                {preview().preview.encoding ? ` · ${preview().preview.encoding?.toUpperCase()}` : ''}
                {preview().preview.mapping ? ' · choose what each column holds' : ''}
              </p>
              <MappingTable preview={preview().preview} mapping={mapping()} onChange={setMapping} />
              <Show when={missingPhone()}>
                <p class={forms.error} role="alert">
                  Choose the column that holds the phone number: Pigeon needs one per contact.
                </p>
              </Show>
              <GroupPicker selected={groupIds()} onChange={setGroupIds} />
              <TextField
                label="Tags for every imported contact"
                value={tags()}
                onValue={setTags}
                hint="Separated by commas, e.g. fair-2026, lead"
              />
              <fieldset class={forms.field}>
                <legend class={forms.label}>Phones that are already contacts</legend>
                <For each={EXISTING_CHOICES}>
                  {(choice) => (
                    <label class={classes(controls.checkbox, controls.checkboxCard)}>
                      <input
                        type="radio"
                        name="existing"
                        value={choice.value}
                        checked={existing() === choice.value}
                        onChange={() => setExisting(choice.value)}
                      />
                      <span>
                        <span class={controls.checkboxTitle}>{choice.title}</span>
                        <span class={forms.hint}>{choice.hint}</span>
                      </span>
                    </label>
                  )}
                </For>
              </fieldset>
              <div class={forms.actions}>
                <button
                  type="button"
                  class={classes(controls.button, controls.primary)}
                  disabled={missingPhone()}
                  onClick={() => void start(preview().file)}
                >
                  Import contacts
                </button>
                <button type="button" class={controls.button} onClick={() => setStep({ step: 'choose' })}>
                  Choose another file
                </button>
              </div>
            </section>
          )}
        </Match>
        <Match when={step().step === 'running'}>
          <ImportProgressView
            status={status()}
            cancelling={cancelling()}
            onCancel={() => {
              setCancelling(true);
              run?.cancel();
            }}
          />
        </Match>
        <Match when={at('report')()}>
          {(done) => (
            <ImportReportView
              report={done().report}
              fileName={done().file.name}
              onAgain={() => setStep({ step: 'choose' })}
            />
          )}
        </Match>
      </Switch>
    </div>
  );
}
