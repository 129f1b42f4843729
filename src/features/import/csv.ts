/**
 * CSV and TSV rows from decoded text chunks, parsed by papaparse's own parser chunk by chunk so a
 * quoted field may span chunks and lines. The first non-empty row is the header.
 */
import Papa from 'papaparse';
import type { DecodedChunk } from './encoding.ts';

export interface CsvRow {
  /** The row's number in the file as a spreadsheet counts it: the header is 1, empty rows count. */
  line: number;
  fields: Record<string, string>;
  /** Set when the row has more or fewer fields than the header; the row is kept anyway. */
  note?: string;
}

export interface CsvBatch {
  /** Unique column names, in file order (see `uniqueHeaders`). */
  headers: string[];
  /** Rows completed by this chunk; may be empty. */
  rows: CsvRow[];
  bytesRead: number;
}

const DELIMITERS = [',', ';', '\t', '|'];
// Text seen before choosing the delimiter and line break, so the guess sees several rows.
const GUESS_CHARS = 8 * 1024;
// Text parsed at a time: about 900 rows of a typical export.
const PIECE_CHARS = 64 * 1024;

// What Papa.Parser#parse returns without the `header` option (typed `any` upstream).
interface ParserOutput {
  data: string[][];
  meta: { cursor: number };
}

/**
 * Yields a batch of rows per piece of decoded text (a chunk, or a part of one: Chromium reads a
 * File in chunks of up to 2 MB, 25,000 rows, and every object made from them would stay alive
 * until the last of them was saved); the last batch follows the end of the text.
 */
export async function* readCsv(chunks: AsyncIterable<DecodedChunk>): AsyncGenerator<CsvBatch> {
  const state = new RowBuilder();
  let parser: Papa.Parser | null = null;
  let pending = '';
  let bytesRead = 0;
  for await (const chunk of chunks) {
    bytesRead = chunk.bytesRead;
    for (let at = 0; at < chunk.text.length; at += PIECE_CHARS) {
      pending += chunk.text.slice(at, at + PIECE_CHARS);
      if (!parser && pending.length < GUESS_CHARS) {
        yield { headers: state.headers, rows: [], bytesRead };
        continue;
      }
      parser ??= createParser(pending);
      // The last row may be cut by the piece's end: papaparse leaves it out and says where it starts.
      const output: ParserOutput = parser.parse(pending, 0, true);
      pending = pending.slice(output.meta.cursor);
      yield { headers: state.headers, rows: state.add(output.data), bytesRead };
    }
  }
  parser ??= createParser(pending);
  const output: ParserOutput = parser.parse(pending, 0, false);
  yield { headers: state.headers, rows: state.add(output.data), bytesRead };
}

function createParser(sample: string): Papa.Parser {
  const guess = Papa.parse<string[]>(sample, { preview: 10, delimitersToGuess: DELIMITERS });
  const linebreak = guess.meta.linebreak;
  const newline = linebreak === '\r\n' || linebreak === '\r' ? linebreak : '\n';
  return new Papa.Parser({ delimiter: guess.meta.delimiter, newline });
}

/**
 * Records (arrays of cells) to rows keyed by header, numbered as a spreadsheet counts them: the
 * first non-empty record is the header. Shared by the CSV and .xlsx readers.
 */
export class RowBuilder {
  headers: string[] = [];
  private line = 0;

  add(records: readonly (readonly string[])[]): CsvRow[] {
    const rows: CsvRow[] = [];
    for (const record of records) {
      this.line++;
      if (record.every((field) => field.trim() === '')) continue;
      if (this.headers.length === 0) {
        this.headers.push(...uniqueHeaders(record));
        continue;
      }
      rows.push(this.row(record));
    }
    return rows;
  }

  private row(record: readonly string[]): CsvRow {
    const fields: Record<string, string> = {};
    for (let i = 0; i < this.headers.length; i++) fields[this.headers[i]!] = record[i] ?? '';
    const row: CsvRow = { line: this.line, fields };
    if (record.length < this.headers.length) {
      row.note = `${record.length} fields where the header has ${this.headers.length}: the missing ones are empty`;
    } else if (record.length > this.headers.length) {
      // Extra values are kept under positional names, so nothing the user typed is lost.
      for (let i = this.headers.length; i < record.length; i++) fields[columnName(i)] = record[i] ?? '';
      row.note = `${record.length} fields where the header has ${this.headers.length}: the extra ones are kept as ${columnName(this.headers.length)}…`;
    }
    return row;
  }
}

/** Header cells as usable keys: blank ones become "Column N", repeated ones get " (2)", " (3)". */
export function uniqueHeaders(cells: readonly string[]): string[] {
  const seen = new Set<string>();
  return cells.map((cell, i) => {
    const base = cell.trim() || columnName(i);
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base} (${n})`;
    seen.add(name);
    return name;
  });
}

function columnName(index: number): string {
  return `Column ${index + 1}`;
}
