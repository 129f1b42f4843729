/**
 * Backups of the current workspace: the storage side (storage-side.ts) reads, packs, unpacks
 * and compares; this asks it and writes a restore's records as local edits (restore.ts).
 */
import type { PigeonDatabase } from '../../db/database.ts';
import { askStorage, type StorageRequest } from '../../db/remote-storage.ts';
import { BACKUP_COLLECTIONS } from '../../domain/backup.ts';
import type { Result } from '../../domain/result.ts';
import { awaitScope, NO_SCOPE, type Scope, type ScopeSource } from '../shared/scope.ts';
import type { BackupApi } from './api.ts';
import { applyRestore } from './restore.ts';
import {
  type BackupExportRequest,
  type BackupReadRequest,
  type BackupStorages,
  type BackupVersions,
  type CheckedBackup,
  checkBackupFile,
  packBackup,
} from './storage-side.ts';

/** Records a preview lists by name. */
const LISTED = 12;

export function createBackupApi(source: ScopeSource): BackupApi {
  async function check(scope: Scope, file: Blob): Promise<Result<CheckedBackup>> {
    const request: BackupReadRequest = {
      ...target(scope.db, 'backup-read'),
      workspaceId: scope.workspace.id,
      file,
    };
    return askStorage(scope.db.storage, request, (r) => checkBackupFile(storagesOf(scope.db), r));
  }

  return {
    async exportWorkspace() {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const { id, name } = scope.workspace;
      const exportedAt = new Date().toISOString();
      const request: BackupExportRequest = {
        ...target(scope.db, 'backup-export'),
        workspace: { id, name },
        exportedAt,
      };
      try {
        const packed = await askStorage(scope.db.storage, request, (r) =>
          packBackup(storagesOf(scope.db), r),
        );
        return {
          ok: true,
          value: { name: fileName(name, exportedAt), bytes: packed.bytes, counts: packed.manifest.counts },
        };
      } catch (err) {
        return { ok: false, error: `The backup could not be made: ${(err as Error).message}` };
      }
    },

    async preview(file) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const checked = await check(scope, file);
      if (!checked.ok) return checked;
      const { manifest, plan } = checked.value;
      return { ok: true, value: { manifest, counts: plan.counts, first: plan.steps.slice(0, LISTED) } };
    },

    async restore(file) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const checked = await check(scope, file);
      if (!checked.ok) return checked;
      return applyRestore(scope, checked.value.plan);
    },
  };
}

/** Which database and storage instances a request is about. */
function target<K extends string>(
  db: PigeonDatabase,
  kind: K,
): StorageRequest<K> & { versions: BackupVersions } {
  const versions = Object.fromEntries(BACKUP_COLLECTIONS.map((c) => [c, db[c].schema.version]));
  return {
    kind,
    database: db.name,
    schemaVersion: db.contacts.schema.version,
    versions: versions as BackupVersions,
  };
}

/** In-process (Node): the database's own storage instances. */
function storagesOf(db: PigeonDatabase): BackupStorages {
  const storages = Object.fromEntries(BACKUP_COLLECTIONS.map((c) => [c, db[c].storageInstance]));
  // Each collection's own instance, under its name.
  return storages as unknown as BackupStorages;
}

/** `pigeon-<workspace>-<day>.zip`, the name reduced to letters and digits. */
function fileName(workspace: string, exportedAt: string): string {
  const slug = workspace
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `pigeon-${slug || 'workspace'}-${exportedAt.slice(0, 10)}.zip`;
}
