import { For, type JSX, Show } from 'solid-js';
import type {
  ColumnAssignment,
  ColumnMapping,
  ColumnRole,
  ImportPreview,
} from '../../features/import/api.ts';
import { ROLE_LABELS } from './format.ts';
import shared from './import.module.css';
import styles from './MappingTable.module.css';

const ROLES = Object.keys(ROLE_LABELS) as ColumnRole[];

/**
 * The file's first rows under its columns; for a table, each column has a select saying what it
 * holds, which the user may change before importing.
 */
export function MappingTable(props: {
  preview: ImportPreview;
  mapping: ColumnMapping | null;
  onChange: (mapping: ColumnMapping) => void;
}): JSX.Element {
  const setRole = (index: number, role: ColumnRole) => {
    const mapping = props.mapping;
    if (!mapping) return;
    const columns = mapping.columns.map((column, i): ColumnAssignment => {
      if (i !== index) return column;
      // A column newly made a phone says nothing of its kind.
      return role === 'phone'
        ? { ...column, role, phoneLabel: column.phoneLabel ?? 'other' }
        : { ...column, role };
    });
    props.onChange({ columns });
  };
  return (
    <div class={shared.tableScroll}>
      <table class={shared.table}>
        <caption class="visually-hidden">First rows of the file</caption>
        <thead>
          <tr aria-label="Columns">
            <th scope="col">Row</th>
            <For each={props.preview.headers}>
              {(header, i) => (
                <th scope="col">
                  <span class={styles.header}>{header}</span>
                  <Show when={props.mapping?.columns[i()]}>
                    {(column) => (
                      <select
                        class={styles.role}
                        aria-label={`Column “${header}” holds`}
                        value={column().role}
                        onChange={(event) => setRole(i(), event.currentTarget.value as ColumnRole)}
                      >
                        <For each={ROLES}>{(role) => <option value={role}>{ROLE_LABELS[role]}</option>}</For>
                      </select>
                    )}
                  </Show>
                </th>
              )}
            </For>
          </tr>
        </thead>
        <tbody>
          <For each={props.preview.rows}>
            {(row) => (
              <tr aria-label={`Row ${row.line}`}>
                <td>{row.line}</td>
                <For each={props.preview.headers}>{(header) => <td>{row.fields[header] ?? ''}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}
