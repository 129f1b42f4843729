/**
 * Rows of the first sheet of an .xlsx workbook, through read-excel-file, in the same shape as
 * CSV rows so that mapping and validation are the same. An .xlsx is a zip archive: it is read
 * whole (the size limit bounds it), then handed on in batches so progress and Cancel still work.
 */
import { InvalidInputError, InvalidSpreadsheetError, readSheet } from 'read-excel-file/universal';
import { type CsvBatch, RowBuilder } from './csv.ts';

// Rows per batch handed on: progress moves and Cancel is heard between batches.
const BATCH_ROWS = 2000;

type Cell = string | number | boolean | Date | null | undefined;

export class UnreadableWorkbookError extends Error {
  constructor(cause: unknown) {
    super(
      'This file is not a readable .xlsx workbook' +
        (cause instanceof InvalidInputError ? ` (${cause.code})` : '') +
        ': open it in Excel or another spreadsheet and save it again as .xlsx or CSV.',
    );
    this.name = 'UnreadableWorkbookError';
  }
}

/** Yields the first sheet's rows, header first as in a CSV; `bytesRead` is the whole file. */
export async function* readXlsx(file: Blob): AsyncGenerator<CsvBatch> {
  let records: Cell[][];
  try {
    // The first sheet; `trim: false` keeps values as typed (validation trims what it reads).
    records = (await readSheet(file, 1, { trim: false })) as unknown as Cell[][];
  } catch (err) {
    if (err instanceof InvalidInputError || err instanceof InvalidSpreadsheetError) {
      throw new UnreadableWorkbookError(err);
    }
    throw err;
  }
  const builder = new RowBuilder();
  const header = records.find((record) => record.some((cell) => cellText(cell).trim() !== ''));
  const width = header ? withoutPadding(header.map(cellText), 0).length : 0;
  for (let start = 0; start < records.length || start === 0; start += BATCH_ROWS) {
    const text = records
      .slice(start, start + BATCH_ROWS)
      .map((record) => withoutPadding(record.map(cellText), width));
    yield { headers: builder.headers, rows: builder.add(text), bytesRead: file.size };
  }
}

/**
 * The sheet is read as a grid as wide as its widest row: blank cells past the header's last
 * title are padding, not fields.
 */
function withoutPadding(cells: string[], width: number): string[] {
  let end = cells.length;
  while (end > width && cells[end - 1] === '') end--;
  return end === cells.length ? cells : cells.slice(0, end);
}

/**
 * A cell as the text a CSV export of it would hold. Whole numbers are written out in full:
 * a phone typed as a number (4915112345678) must not become "4.915112345678e+12".
 */
export function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  if (Number.isInteger(cell) && Math.abs(cell) < 1e21) return cell.toFixed(0);
  return String(cell);
}
