import { For, type JSX } from 'solid-js';
import shared from './import.module.css';

export interface ReportRow {
  /** The row's accessible name, e.g. "Row 12". */
  label: string;
  cells: readonly (string | number)[];
}

/** One of the report's tables: a caption for screen readers, a header row, a row per item. */
export function ReportTable(props: {
  caption: string;
  headers: readonly string[];
  rows: readonly ReportRow[];
}): JSX.Element {
  return (
    <div class={shared.tableScroll}>
      <table class={shared.table}>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr aria-label="Columns">
            <For each={props.headers}>{(header) => <th scope="col">{header}</th>}</For>
          </tr>
        </thead>
        <tbody>
          <For each={props.rows}>
            {(row) => (
              <tr aria-label={row.label}>
                <For each={row.cells}>{(cell) => <td>{cell}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}
