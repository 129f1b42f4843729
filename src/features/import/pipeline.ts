/**
 * A chosen file, from bytes to contacts ready to save: read (CSV/TSV, vCard or .xlsx), map,
 * validate and dedupe, streaming, handing accepted contacts on in batches. The one who saves
 * (the page, through the storage worker) answers each batch before the next is handed on, while
 * the next is read, so a 100,000-row file is never all in memory and Cancel takes effect at a
 * batch boundary.
 */
import { type CsvRow, readCsv } from './csv.ts';
import { decodeStream, type TextEncodingName } from './encoding.ts';
import {
  assertHasPhone,
  type ColumnMapping,
  csvRowMapper,
  detectMapping,
  type MappedRow,
  mapVCardRow,
} from './mapping.ts';
import { type ReportedRow, rejectedRowsCsv } from './report.ts';
import { type FileKind, fileKind, ImportRefusedError } from './source.ts';
import { type ContactCandidate, ContactValidator, type ImportTarget, type RowWarning } from './validate.ts';
import { readVCards, type VCardRow } from './vcard.ts';
import { readXlsx } from './xlsx.ts';

/** A table's rows with their columns, or vCards (whose fields are fixed). */
type SourceBatch =
  | { kind: 'table'; headers: string[]; rows: CsvRow[]; bytesRead: number }
  | { kind: 'cards'; rows: VCardRow[]; bytesRead: number };

async function* readSource(
  file: Blob,
  kind: FileKind,
  onEncoding: (encoding: TextEncodingName) => void,
): AsyncGenerator<SourceBatch> {
  if (kind === 'xlsx') {
    for await (const batch of readXlsx(file)) yield { kind: 'table', ...batch };
  } else if (kind === 'vcard') {
    for await (const batch of readVCards(decodeStream(file.stream(), onEncoding)))
      yield { kind: 'cards', ...batch };
  } else {
    for await (const batch of readCsv(decodeStream(file.stream(), onEncoding)))
      yield { kind: 'table', ...batch };
  }
}

export interface ImportPreview {
  kind: FileKind;
  encoding?: TextEncodingName;
  /** A table's columns; for vCards the fields Pigeon reads from them. */
  headers: string[];
  /** The guessed mapping of a table's columns, for the user to check; null for vCards. */
  mapping: ColumnMapping | null;
  /** The first rows as read, by column. */
  rows: { line: number; fields: Record<string, string> }[];
}

export const PREVIEW_ROWS = 8;
// Rows looked at to find a phone column that no header names.
const SAMPLE_ROWS = 50;

/**
 * The first rows and the guessed mapping. Refuses (ImportRefusedError) a file of the wrong type
 * or size, one with no rows, and one with no column that can be a phone.
 */
export async function previewFile(file: File, target: ImportTarget): Promise<ImportPreview> {
  const kind = fileKind(file);
  let encoding: TextEncodingName | undefined;
  let headers: string[] = [];
  const tableRows: CsvRow[] = [];
  const cards: VCardRow[] = [];
  for await (const batch of readSource(file, kind, (e) => {
    encoding = e;
  })) {
    if (batch.kind === 'table') {
      headers = batch.headers;
      tableRows.push(...batch.rows);
    } else {
      cards.push(...batch.rows);
    }
    if (tableRows.length + cards.length >= SAMPLE_ROWS) break;
  }
  const found = { kind, ...(encoding ? { encoding } : {}) };
  if (kind === 'vcard') {
    if (cards.length === 0)
      throw new ImportRefusedError(`“${file.name}” holds no vCards (BEGIN:VCARD … END:VCARD).`);
    const rows = cards
      .slice(0, PREVIEW_ROWS)
      .map((card) => ({ line: card.line, fields: mapVCardRow(card).raw }));
    return { ...found, headers: Object.keys(rows[0]?.fields ?? {}), mapping: null, rows };
  }
  if (tableRows.length === 0) {
    throw new ImportRefusedError(`“${file.name}” has no rows of contacts under its header row.`);
  }
  const mapping = withRefusal(() =>
    detectMapping(headers, { rows: tableRows, defaultCountry: target.defaultCountry }),
  );
  return { ...found, headers, mapping, rows: tableRows.slice(0, PREVIEW_ROWS) };
}

// "No phone column" is a refusal of the file like any other.
function withRefusal<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw err instanceof Error && err.name === 'NoPhoneColumnError'
      ? new ImportRefusedError(err.message)
      : err;
  }
}

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  /** Rows of contacts read (the header and empty rows not counted). */
  rowsRead: number;
  /** Rows accepted so far (handed on to be saved, or about to be). */
  valid: number;
  rejected: number;
  duplicates: number;
  /** Rows imported without something they held (e.g. a malformed email). */
  warnings: number;
}

export interface ImportRequest {
  target: ImportTarget;
  /** The mapping the user confirmed (tables only); guessed from the headers when absent. */
  mapping?: ColumnMapping | undefined;
  /** Contacts per batch handed to `save`. */
  batchSize: number;
}

export interface ImportSink {
  /**
   * Saves one batch; resolves to false to stop (Cancel). Resolving means the batch is saved:
   * the next batch is read meanwhile, but none is handed on until this one is.
   */
  save(contacts: ContactCandidate[], progress: ImportProgress): Promise<boolean>;
  progress(progress: ImportProgress): void;
}

export interface ImportOutcome {
  progress: ImportProgress;
  /** True when stopped by `signal` or by `save` answering false. */
  cancelled: boolean;
  /** The first rows not imported (invalid or repeated), for the report on screen. */
  firstProblems: ReportedRow[];
  /** The first rows imported with a warning, for the report on screen. */
  firstWarnings: RowWarning[];
  /** Every row not imported, as CSV (report.ts); empty when there were none. */
  rejectedCsv: string;
}

const PROBLEMS_SHOWN = 100;
// How often progress is reported while rows are read without a batch filling (mostly bad rows).
const PROGRESS_EVERY_MS = 250;

/** Reads, validates and hands on every contact of `file`; the report is built on the way. */
export async function runImport(
  file: File,
  request: ImportRequest,
  sink: ImportSink,
  signal?: AbortSignal,
): Promise<ImportOutcome> {
  const kind = fileKind(file);
  const validator = new ContactValidator(request.target);
  const progress: ImportProgress = {
    bytesRead: 0,
    totalBytes: file.size,
    rowsRead: 0,
    valid: 0,
    rejected: 0,
    duplicates: 0,
    warnings: 0,
  };
  const problems: ReportedRow[] = [];
  const warnings: RowWarning[] = [];
  let headers: string[] = [];
  let mapping = request.mapping;
  if (mapping) withRefusal(() => assertHasPhone(mapping as ColumnMapping));
  let mapRow: ReturnType<typeof csvRowMapper> | undefined;
  let pending: ContactCandidate[] = [];
  let cancelled = false;
  let reportedAt = 0;

  const stopped = (): boolean => {
    cancelled ||= signal?.aborted === true;
    return cancelled;
  };
  // The batch being saved: the next one is read and validated meanwhile (the two threads
  // overlap), and handed on only once it is saved, so batches stay in order, one at a time.
  let saving: Promise<void> = Promise.resolve();
  const save = async (batch: ContactCandidate[]): Promise<void> => {
    await saving;
    if (batch.length === 0 || stopped()) return;
    saving = sink.save(batch, { ...progress }).then((more) => {
      if (!more) cancelled = true;
    });
    // Its failure is thrown where it is awaited (the next save, or the end).
    saving.catch(() => undefined);
  };

  for await (const batch of readSource(file, kind, () => undefined)) {
    if (stopped()) break;
    progress.bytesRead = batch.bytesRead;
    if (batch.rows.length === 0) continue;
    let mapped: MappedRow[];
    if (batch.kind === 'table') {
      headers = batch.headers;
      mapping ??= withRefusal(() =>
        detectMapping(batch.headers, { rows: batch.rows, defaultCountry: request.target.defaultCountry }),
      );
      mapRow ??= csvRowMapper(mapping);
      mapped = batch.rows.map(mapRow);
    } else {
      mapped = batch.rows.map(mapVCardRow);
      if (headers.length === 0) headers = Object.keys(mapped[0]?.raw ?? {});
    }
    const result = validator.validate(mapped);
    progress.rowsRead += mapped.length;
    progress.valid += result.accepted.length;
    progress.rejected += result.rejected.length;
    progress.duplicates += result.duplicates.length;
    progress.warnings += result.warnings.length;
    problems.push(...result.rejected);
    warnings.push(...result.warnings.slice(0, PROBLEMS_SHOWN - warnings.length));
    if (result.duplicates.length > 0) {
      const byLine = new Map(mapped.map((row) => [row.line, row]));
      for (const d of result.duplicates) {
        const reason = `same phone (${d.phone}) as row ${d.firstLine}`;
        const row = byLine.get(d.line);
        problems.push({ line: d.line, name: row?.name ?? '', reason, raw: row?.raw ?? {} });
      }
    }
    for (const contact of result.accepted) pending.push(contact);
    let saved = 0;
    while (pending.length - saved >= request.batchSize && !stopped()) {
      await save(pending.slice(saved, saved + request.batchSize));
      saved += request.batchSize;
    }
    if (saved > 0) pending = pending.slice(saved);
    if (stopped()) break;
    if (Date.now() - reportedAt > PROGRESS_EVERY_MS) {
      reportedAt = Date.now();
      sink.progress({ ...progress });
    }
  }
  await save(pending);
  await saving;
  if (!stopped()) sink.progress({ ...progress });
  problems.sort((a, b) => a.line - b.line);
  return {
    progress,
    cancelled,
    firstProblems: problems.slice(0, PROBLEMS_SHOWN),
    firstWarnings: warnings,
    rejectedCsv: problems.length > 0 ? rejectedRowsCsv(headers, problems) : '',
  };
}
