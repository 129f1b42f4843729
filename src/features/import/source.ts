/**
 * Which reader a chosen file needs, and the files refused before any reading: too large, empty,
 * or of a type Pigeon does not read. Messages name the file and say what to do instead.
 */

export type FileKind = 'csv' | 'vcard' | 'xlsx';

/**
 * 50 MB: a 100,000-row CSV export with a dozen columns is 10 to 20 MB, so this leaves room for
 * wide exports while bounding what an .xlsx (read whole) and the report can take in memory.
 */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** A file Pigeon will not read, and why, in words for the person who chose it. */
export class ImportRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportRefusedError';
  }
}

const BY_EXTENSION: Record<string, FileKind> = {
  csv: 'csv',
  tsv: 'csv',
  tab: 'csv',
  txt: 'csv',
  vcf: 'vcard',
  vcard: 'vcard',
  xlsx: 'xlsx',
};

const BY_MIME: Record<string, FileKind> = {
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'text/vcard': 'vcard',
  'text/x-vcard': 'vcard',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

// Spreadsheet formats people will try, with the way out.
const SAVE_AS: Record<string, string> = {
  xls: 'the old Excel format (.xls)',
  xlsm: 'a macro-enabled workbook (.xlsm)',
  ods: 'an OpenDocument spreadsheet (.ods)',
  numbers: 'a Numbers spreadsheet',
};

export interface FileFacts {
  name: string;
  size: number;
  /** The MIME type the browser reports; often empty. */
  type: string;
}

/** The reader for `file`, or ImportRefusedError with the reason. */
export function fileKind(file: FileFacts): FileKind {
  const extension = /\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase() ?? '';
  const label = `“${file.name}”`;
  const saveAs = SAVE_AS[extension];
  if (saveAs) {
    throw new ImportRefusedError(
      `${label} is ${saveAs}, which Pigeon does not read: save it as .xlsx or CSV and import that.`,
    );
  }
  const kind = BY_EXTENSION[extension] ?? BY_MIME[file.type.split(';')[0]?.trim().toLowerCase() ?? ''];
  if (!kind) {
    throw new ImportRefusedError(
      `${label} is not a contacts file Pigeon reads: choose a CSV or TSV, a vCard (.vcf) or an Excel (.xlsx) file.`,
    );
  }
  if (file.size === 0) throw new ImportRefusedError(`${label} is empty.`);
  if (file.size > MAX_IMPORT_BYTES) {
    throw new ImportRefusedError(
      `${label} is ${megabytes(file.size)}; Pigeon imports files of up to ${megabytes(MAX_IMPORT_BYTES)} ` +
        '(about 250,000 rows): split it into smaller files.',
    );
  }
  return kind;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('en', { maximumFractionDigits: 1 })} MB`;
}
