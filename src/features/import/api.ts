/** What the UI gets for contact import (PigeonServices.imports). */
import type { Result } from '../../domain/result.ts';
import type { ColumnMapping } from './mapping.ts';
import type { ImportOutcome, ImportPreview, ImportProgress } from './pipeline.ts';
import type { BatchCounts, ContactChanges, ImportAssignments } from './save.ts';

export type { ExistingPolicy } from '../../domain/import-merge.ts';
export type { ColumnAssignment, ColumnMapping, ColumnRole } from './mapping.ts';
export type { ImportPreview };

/** What the user confirmed on the preview. */
export interface ImportChoice extends ImportAssignments {
  /** The table's mapping as edited; null for vCards. */
  mapping: ColumnMapping | null;
}

/** Where an import is, for the progress bar. */
export interface ImportStatus extends ImportProgress, BatchCounts {
  /** Contacts written so far, in whole batches. */
  saved: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** Undefined until there is enough to estimate from. */
  secondsLeft: number | undefined;
}

export interface ImportReport extends ImportStatus {
  cancelled: boolean;
  /** The first rows not imported, with the reason. */
  firstProblems: ImportOutcome['firstProblems'];
  /** The first rows imported with a warning (e.g. a malformed email dropped). */
  firstWarnings: ImportOutcome['firstWarnings'];
  /** Every row not imported, as CSV; empty when none. */
  rejectedCsv: string;
  /** The first existing contacts the import changed, with each field's old and new value. */
  changed: ContactChanges[];
}

export interface ImportRun {
  /** Stops after the batch being written; the report then says what was saved. */
  cancel(): void;
  done: Promise<Result<ImportReport>>;
}

export interface ImportApi {
  /** The first rows and the guessed mapping; refuses, with the reason, a file it cannot import. */
  preview(file: File): Promise<Result<ImportPreview>>;
  start(file: File, choice: ImportChoice, onStatus: (status: ImportStatus) => void): ImportRun;
}
