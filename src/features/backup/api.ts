/** What the UI gets for backups (PigeonServices.backup). */
import type { BackupCollection, BackupManifest } from '../../domain/backup.ts';
import type { RestoreCounts, RestoreStep } from '../../domain/backup-plan.ts';
import type { Result } from '../../domain/result.ts';

export type { BackupCollection, RestoreCounts, RestoreStep };

/** A finished backup, to be saved as a file. */
export interface BackupFile {
  /** e.g. `pigeon-acme-2026-12-03.zip`. */
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
  counts: Record<BackupCollection, number>;
}

/** What restoring a file would do. */
export interface RestorePreview {
  manifest: BackupManifest;
  counts: Record<BackupCollection, RestoreCounts>;
  /** The first records it would add or change. */
  first: RestoreStep[];
}

export interface RestoreOutcome {
  added: number;
  changed: number;
}

export interface BackupApi {
  /** The current workspace's contacts, groups, templates and drafts as a zip, from this device (offline too). */
  exportWorkspace(): Promise<Result<BackupFile>>;
  /** Reads and checks a backup file; refuses, naming what is wrong, one of another workspace. */
  preview(file: Blob): Promise<Result<RestorePreview>>;
  /**
   * Writes what the file adds or changes as local edits (they sync and merge as any edit);
   * checks it again first, against what this device holds now. Equal records are left alone.
   */
  restore(file: Blob): Promise<Result<RestoreOutcome>>;
}
