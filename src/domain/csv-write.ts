/**
 * CSV as spreadsheets read it (RFC 4180: comma-separated, CRLF line ends, a cell quoted when it
 * holds a comma, a quote, a line break or edge spaces, quotes doubled), safe to open.
 */

// A leading = + - @ makes Excel, LibreOffice and Google Sheets read a formula (CSV injection);
// tab and carriage return can hide one. A leading apostrophe shows the text as typed instead.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised if it would start a formula, quoted if it holds a quote, comma or line break. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A CSV document: a BOM so Excel reads it as UTF-8, CRLF line ends as RFC 4180 has them. */
export function toCsv(rows: Iterable<readonly string[]>): string {
  const lines: string[] = [];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
