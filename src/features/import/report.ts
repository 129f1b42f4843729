/**
 * The rejected-rows report as CSV: one line per row that was not imported, with its row number,
 * the reason and the row as read. Opened in a spreadsheet, so every cell is escaped (RFC 4180)
 * and cells that a spreadsheet would run as a formula are neutralised.
 */
import { toCsv } from '../../domain/csv-write.ts';

/** A row of the file that was not imported. */
export interface ReportedRow {
  line: number;
  /** The row's name as mapped ('' when it had none). */
  name: string;
  reason: string;
  /** The row as read, by column. */
  raw: Record<string, string>;
}

/**
 * The report: `Row`, `Reason`, then the file's columns (and any extra ones rows had), rows in
 * file order.
 */
export function rejectedRowsCsv(headers: readonly string[], rows: readonly ReportedRow[]): string {
  const columns = [...headers];
  const known = new Set(columns);
  for (const row of rows) {
    for (const key of Object.keys(row.raw)) {
      if (!known.has(key)) {
        known.add(key);
        columns.push(key);
      }
    }
  }
  const sorted = [...rows].sort((a, b) => a.line - b.line);
  return toCsv([
    ['Row', 'Reason', ...columns],
    ...sorted.map((row) => [String(row.line), row.reason, ...columns.map((c) => row.raw[c] ?? '')]),
  ]);
}
