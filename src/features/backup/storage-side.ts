/**
 * The heavy part of a backup, where the storage is (the storage worker in the browser,
 * in-process in Node): reading every record of the workspace, packing the zip; and for a
 * restore, unpacking and checking the file and comparing it with what this device holds.
 * The page gets a finished file, or a checked plan; it never reads 100,000 contacts itself.
 */
import { normalizeMangoQuery, prepareQuery, type RxDocumentData, type RxStorageInstance } from 'rxdb';
import { dexiePages } from '../../db/dexie-pages.ts';
import { isStorageRequest, type StorageInstances, type StorageRequest } from '../../db/remote-storage.ts';
import {
  BACKUP_COLLECTIONS,
  type Backup,
  type BackupCollection,
  type BackupData,
  type BackupManifest,
  backupManifest,
  backupRecord,
  dataFile,
  MANIFEST_FILE,
  readBackup,
} from '../../domain/backup.ts';
import {
  type HeldRecord,
  type HeldRecords,
  planRestore,
  type RestorePlan,
} from '../../domain/backup-plan.ts';
import { contactsCsv, templatesCsv } from '../../domain/records-csv.ts';
import type { Result } from '../../domain/result.ts';
import { packTexts, unpackTexts } from './archive.ts';

/** Each backed-up collection's schema version: which storage instance holds it. */
export type BackupVersions = Record<BackupCollection, number>;

export interface BackupExportRequest extends StorageRequest<'backup-export'> {
  versions: BackupVersions;
  workspace: { id: string; name: string };
  exportedAt: string;
}

export interface BackupReadRequest extends StorageRequest<'backup-read'> {
  versions: BackupVersions;
  workspaceId: string;
  file: Blob;
}

export const isBackupExportRequest = isStorageRequest<BackupExportRequest>('backup-export');
export const isBackupReadRequest = isStorageRequest<BackupReadRequest>('backup-read');

// biome-ignore lint/suspicious/noExplicitAny: one storage instance per collection, each its own document type.
type AnyInstance = RxStorageInstance<any, unknown, unknown, unknown>;
export type BackupStorages = Record<BackupCollection, AnyInstance>;

export interface PackedBackup {
  bytes: Uint8Array<ArrayBuffer>;
  manifest: BackupManifest;
}

export interface CheckedBackup {
  manifest: BackupManifest;
  plan: RestorePlan;
}

/** The storage worker: the instances a request names. */
export async function openStorages(
  instances: StorageInstances,
  request: { database: string; versions: BackupVersions },
): Promise<BackupStorages> {
  const storages: Partial<BackupStorages> = {};
  for (const collection of BACKUP_COLLECTIONS) {
    storages[collection] = (await instances.get(
      request.database,
      collection,
      request.versions[collection],
    )) as AnyInstance;
  }
  return storages as BackupStorages;
}

/** A backup file too big to be one: refused before it is read into memory. */
const MAX_FILE_BYTES = 512 * 1024 ** 2;
const CSV_FILES = { contacts: 'contacts.csv', templates: 'templates.csv' } as const;

export async function packBackup(
  storages: BackupStorages,
  request: BackupExportRequest,
): Promise<PackedBackup> {
  const held = await readHeld(storages, request.workspace.id);
  const live = (c: BackupCollection) => held[c].filter((doc) => !doc._deleted);
  const data: BackupData = {
    contacts: live('contacts').map((doc) => backupRecord('contacts', doc)),
    contact_groups: live('contact_groups').map((doc) => backupRecord('contact_groups', doc)),
    // Meta's templates come back from the channel; Pigeon's own are the workspace's work.
    templates: live('templates')
      .filter((doc) => doc.provider !== 'meta')
      .map((doc) => backupRecord('templates', doc)),
    campaigns: live('campaigns')
      .filter((doc) => doc.status === 'draft')
      .map((doc) => backupRecord('campaigns', doc)),
  };
  const manifest = backupManifest(request.workspace, data, request.exportedAt);
  const groupNames = new Map(data.contact_groups.map((g) => [g.id, g.name]));
  const files = new Map<string, string>([[MANIFEST_FILE, JSON.stringify(manifest, null, 2)]]);
  for (const collection of BACKUP_COLLECTIONS)
    files.set(dataFile(collection), JSON.stringify(data[collection]));
  files.set(CSV_FILES.contacts, contactsCsv(data.contacts, groupNames));
  files.set(CSV_FILES.templates, templatesCsv(data.templates));
  return { bytes: await packTexts(files), manifest };
}

/** Reads and checks a backup file, then what restoring it here would do. */
export async function checkBackupFile(
  storages: BackupStorages,
  request: BackupReadRequest,
): Promise<Result<CheckedBackup>> {
  if (request.file.size > MAX_FILE_BYTES) {
    return { ok: false, error: 'This file is larger than 512 MB: it is not a Pigeon backup.' };
  }
  const wanted = new Set([MANIFEST_FILE, ...BACKUP_COLLECTIONS.map(dataFile)]);
  const files = unpackTexts(new Uint8Array(await request.file.arrayBuffer()), wanted);
  if (!files.ok) return files;
  const backup: Result<Backup> = readBackup(files.value, request.workspaceId);
  if (!backup.ok) return backup;
  const held = await readHeld(storages, request.workspaceId);
  return { ok: true, value: { manifest: backup.value.manifest, plan: planRestore(backup.value.data, held) } };
}

/** Every record of the workspace in each collection, deleted ones too. */
async function readHeld(storages: BackupStorages, workspaceId: string): Promise<HeldRecords> {
  const held = {} as Record<BackupCollection, HeldRecord[]>;
  for (const collection of BACKUP_COLLECTIONS) {
    const docs = await readAll(storages[collection], workspaceId);
    held[collection] = docs.map(({ _meta, _rev, _attachments, ...doc }) => doc as HeldRecord);
  }
  return held;
}

/** Dexie's storage in pages of one IndexedDB request each; any other by one query. */
async function readAll(instance: AnyInstance, workspaceId: string): Promise<RxDocumentData<HeldRecord>[]> {
  const pages = dexiePages<HeldRecord>(instance, 5_000);
  if (!pages) {
    const query = prepareQuery(
      instance.schema,
      normalizeMangoQuery(instance.schema, { selector: { workspace_id: workspaceId } }),
    );
    return (await instance.query(query)).documents as RxDocumentData<HeldRecord>[];
  }
  const docs: RxDocumentData<HeldRecord>[] = [];
  for await (const page of pages)
    for (const doc of page) if (doc.workspace_id === workspaceId) docs.push(doc);
  return docs;
}
