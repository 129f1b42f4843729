import { A } from '@solidjs/router';
import { createMemo, type JSX, onCleanup, Show } from 'solid-js';
import type { ImportReport } from '../../features/import/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import forms from '../components/forms.module.css';
import page from '../components/page.module.css';
import { Figure } from './Figure.tsx';
import { count, duration, reportFileName } from './format.ts';
import styles from './ImportReportView.module.css';
import shared from './import.module.css';
import { ReportTable } from './ReportTable.tsx';

/** What the import did, by outcome, and the rows it did not import. */
export function ImportReportView(props: {
  report: ImportReport;
  fileName: string;
  onAgain: () => void;
}): JSX.Element {
  const r = () => props.report;
  const problems = () => r().rejected + r().duplicates;
  // The report is downloaded from memory: it never leaves the device.
  const download = createMemo(() => {
    if (r().rejectedCsv === '') return undefined;
    const url = URL.createObjectURL(new Blob([r().rejectedCsv], { type: 'text/csv;charset=utf-8' }));
    onCleanup(() => URL.revokeObjectURL(url));
    return url;
  });
  return (
    <section class={classes(page.card, styles.report)} aria-labelledby="import-report-heading">
      <h2 id="import-report-heading">{r().cancelled ? 'Import cancelled' : 'Import finished'}</h2>
      <p role="status">
        {r().cancelled
          ? `Cancelled: the ${count(r().saved)} contacts saved before Cancel stay, nothing after them was written.`
          : `${count(r().rowsRead)} rows read in ${duration(r().elapsedMs / 1000)}.`}
      </p>
      <dl class={shared.figures}>
        <Figure label="New contacts" testId="report-created">
          {count(r().created)}
        </Figure>
        <Figure label="Updated contacts" testId="report-updated">
          {count(r().updated)}
        </Figure>
        <Figure label="Already up to date" testId="report-unchanged">
          {count(r().unchanged)}
        </Figure>
        <Show when={r().skipped > 0}>
          <Figure label="Existing contacts skipped" testId="report-skipped">
            {count(r().skipped)}
          </Figure>
        </Show>
        <Figure label="Duplicates in the file" testId="report-duplicates">
          {count(r().duplicates)}
        </Figure>
        <Figure label="Invalid rows" testId="report-invalid">
          {count(r().rejected)}
        </Figure>
        <Figure label="Imported with warnings" testId="report-warnings">
          {count(r().warnings)}
        </Figure>
      </dl>
      <Show when={r().firstWarnings.length > 0}>
        <h3>Imported with warnings</h3>
        <ReportTable
          caption="Rows imported with a warning"
          headers={['Row', 'Name', 'Warning']}
          rows={r().firstWarnings.map((w) => ({
            label: `Row ${w.line}`,
            cells: [w.line, w.name, w.message],
          }))}
        />
        <Show when={r().warnings > r().firstWarnings.length}>
          <p class={forms.hint}>
            The first {count(r().firstWarnings.length)} of {count(r().warnings)}.
          </p>
        </Show>
      </Show>
      <Show when={r().changed.length > 0}>
        <h3>What changed on existing contacts</h3>
        <ReportTable
          caption="Existing contacts the import changed"
          headers={['Contact', 'Field', 'Before', 'After']}
          rows={r().changed.flatMap((contact) =>
            contact.changes.map((change) => ({
              label: `${contact.name || contact.phone}: ${change.field}`,
              cells: [contact.name || contact.phone, change.field, change.from || '(empty)', change.to],
            })),
          )}
        />
        <Show when={r().updated > r().changed.length}>
          <p class={forms.hint}>
            The first {count(r().changed.length)} of {count(r().updated)} updated contacts.
          </p>
        </Show>
      </Show>
      <Show when={problems() > 0}>
        <h3>Rows not imported</h3>
        <Show when={download()}>
          {(url) => (
            <p>
              <a class={controls.button} href={url()} download={reportFileName(props.fileName)}>
                Download rejected rows (CSV)
              </a>
            </p>
          )}
        </Show>
        <ReportTable
          caption="Rows not imported, with the reason"
          headers={['Row', 'Name', 'Reason']}
          rows={r().firstProblems.map((p) => ({ label: `Row ${p.line}`, cells: [p.line, p.name, p.reason] }))}
        />
        <Show when={problems() > r().firstProblems.length}>
          <p class={forms.hint}>
            The first {count(r().firstProblems.length)} of {count(problems())}: the download lists them all.
          </p>
        </Show>
      </Show>
      <div class={classes(forms.actions, styles.actions)}>
        <A class={classes(controls.button, controls.primary)} href="/contacts">
          Go to contacts
        </A>
        <button type="button" class={controls.button} onClick={props.onAgain}>
          Import another file
        </button>
      </div>
    </section>
  );
}
