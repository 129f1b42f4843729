/**
 * A workspace backup's contents and how a file is checked before anything of it is written:
 * a manifest (what it is, its format, whose workspace, when, how many records) and one JSON
 * array per collection. Only what users edit is kept: contacts, groups, Pigeon's own templates
 * and campaign drafts, each with the fields a restore writes back (and its id, so a restore
 * finds the same record).
 */
import { validate as isUuid } from 'uuid';
import { CAMPAIGN_DRAFT_KEYS } from './campaign-commands.ts';
import { contactId } from './ids.ts';
import type { Result } from './result.ts';
import type { Campaign, Contact, ContactGroup, Template } from './types.ts';

/** What a manifest says it is: anything else is not a Pigeon backup. */
export const BACKUP_KIND = 'pigeon-workspace-backup';
/** The format this version writes and reads. */
export const BACKUP_FORMAT = 1;
export const MANIFEST_FILE = 'manifest.json';

export const BACKUP_COLLECTIONS = ['contacts', 'contact_groups', 'templates', 'campaigns'] as const;
export type BackupCollection = (typeof BACKUP_COLLECTIONS)[number];

/** The file each collection's records are kept in. */
export const dataFile = (collection: BackupCollection) => `${collection}.json`;

/** The fields a restore compares and writes back, per collection (the id and workspace aside). */
export const RESTORED_FIELDS = {
  contacts: ['phone', 'name', 'email', 'tags', 'group_ids', 'custom_fields', 'notes', 'opted_out'],
  contact_groups: ['name', 'description', 'color'],
  templates: ['name', 'body', 'language', 'category'],
  campaigns: CAMPAIGN_DRAFT_KEYS,
} as const satisfies Record<BackupCollection, readonly string[]>;

type Fields<C extends BackupCollection> = (typeof RESTORED_FIELDS)[C][number];
interface Records {
  contacts: Pick<Contact, 'id' | Fields<'contacts'>>;
  contact_groups: Pick<ContactGroup, 'id' | Fields<'contact_groups'>>;
  templates: Pick<Template, 'id' | Fields<'templates'>>;
  campaigns: Pick<Campaign, 'id' | Fields<'campaigns'>>;
}
/** One record of `C` as a backup keeps it. */
export type BackupRecord<C extends BackupCollection = BackupCollection> = Records[C];
export type BackupData = { [C in BackupCollection]: BackupRecord<C>[] };

export interface BackupManifest {
  kind: typeof BACKUP_KIND;
  format: number;
  workspace: { id: string; name: string };
  exported_at: string;
  counts: Record<BackupCollection, number>;
}

export interface Backup {
  manifest: BackupManifest;
  data: BackupData;
}

/** A record of `collection` as a backup keeps it: its id and the restored fields. */
export function backupRecord<C extends BackupCollection>(
  collection: C,
  doc: Readonly<Record<string, unknown>>,
): BackupRecord<C> {
  const out: Record<string, unknown> = { id: doc.id };
  for (const field of RESTORED_FIELDS[collection]) out[field] = doc[field];
  return out as BackupRecord<C>;
}

/** The manifest of a backup of `data`. */
export function backupManifest(
  workspace: { id: string; name: string },
  data: BackupData,
  exportedAt: string,
): BackupManifest {
  const counts = Object.fromEntries(BACKUP_COLLECTIONS.map((c) => [c, data[c].length]));
  return {
    kind: BACKUP_KIND,
    format: BACKUP_FORMAT,
    workspace,
    exported_at: exportedAt,
    counts: counts as BackupManifest['counts'],
  };
}

/**
 * Reads a backup's files (name → text) for the workspace `workspaceId`: the first thing wrong
 * is the error, named (the file, the record, the field), so nothing of a bad file is written.
 */
export function readBackup(files: ReadonlyMap<string, string>, workspaceId: string): Result<Backup> {
  const manifestText = files.get(MANIFEST_FILE);
  if (manifestText === undefined) return fail(`This is not a Pigeon backup: it has no ${MANIFEST_FILE}.`);
  const parsed = parseJson(MANIFEST_FILE, manifestText);
  if (!parsed.ok) return parsed;
  const manifest = checkManifest(parsed.value, workspaceId);
  if (!manifest.ok) return manifest;
  const data: Partial<Record<BackupCollection, unknown[]>> = {};
  for (const collection of BACKUP_COLLECTIONS) {
    const records = readRecords(files, collection, manifest.value.counts[collection], workspaceId);
    if (!records.ok) return records;
    data[collection] = records.value;
  }
  return { ok: true, value: { manifest: manifest.value, data: data as BackupData } };
}

function checkManifest(value: unknown, workspaceId: string): Result<BackupManifest> {
  if (!isObject(value) || value.kind !== BACKUP_KIND) {
    return fail(`This is not a Pigeon backup: its ${MANIFEST_FILE} is not a Pigeon manifest.`);
  }
  if (value.format !== BACKUP_FORMAT) {
    return fail(
      `This backup's format (version ${JSON.stringify(value.format)}) is unknown to this version of Pigeon, which reads version ${BACKUP_FORMAT}.`,
    );
  }
  const { workspace, counts } = value;
  if (!isObject(workspace) || typeof workspace.id !== 'string' || typeof workspace.name !== 'string') {
    return fail(`${MANIFEST_FILE}: the workspace is missing.`);
  }
  if (workspace.id !== workspaceId) {
    return fail(
      `This backup is of another workspace (“${workspace.name}”): open that workspace to restore it.`,
    );
  }
  if (typeof value.exported_at !== 'string' || Number.isNaN(Date.parse(value.exported_at))) {
    return fail(`${MANIFEST_FILE}: the export time is missing.`);
  }
  if (!isObject(counts) || BACKUP_COLLECTIONS.some((c) => !Number.isInteger(counts[c]))) {
    return fail(`${MANIFEST_FILE}: the record counts are missing.`);
  }
  return { ok: true, value: value as unknown as BackupManifest };
}

function readRecords(
  files: ReadonlyMap<string, string>,
  collection: BackupCollection,
  count: number,
  workspaceId: string,
): Result<unknown[]> {
  const name = dataFile(collection);
  const text = files.get(name);
  if (text === undefined) return fail(`This backup is incomplete: ${name} is missing.`);
  const parsed = parseJson(name, text);
  if (!parsed.ok) return parsed;
  const records = parsed.value;
  if (!Array.isArray(records)) return fail(`${name} is not a list of records.`);
  if (records.length !== count) {
    return fail(`${name} holds ${records.length} records where the manifest says ${count}.`);
  }
  const ids = new Set<string>();
  for (const [index, record] of records.entries()) {
    const problem = recordProblem(collection, record, workspaceId);
    const id = (record as { id: string }).id;
    if (problem || ids.has(id))
      return fail(`${name}, record ${index + 1}: ${problem ?? 'its id is repeated'}.`);
    ids.add(id);
  }
  return { ok: true, value: records };
}

/** A field's JSON shape. */
type Shape = 'text' | 'text?' | 'texts' | 'ids' | 'map' | 'flag' | 'int' | 'int?' | 'any';

const SHAPES: { [C in BackupCollection]: Record<Fields<C>, Shape> } = {
  contacts: {
    phone: 'text',
    name: 'text',
    email: 'text',
    tags: 'texts',
    group_ids: 'ids',
    custom_fields: 'map',
    notes: 'text',
    opted_out: 'flag',
  },
  contact_groups: { name: 'text', description: 'text', color: 'text?' },
  templates: { name: 'text', body: 'text', language: 'text', category: 'text' },
  campaigns: {
    name: 'text',
    channel_id: 'text?',
    template_id: 'text?',
    // Checked as the campaign's own checks do when the draft is saved.
    template_parameters: 'any',
    body: 'text',
    group_ids: 'ids',
    tags: 'texts',
    contact_ids: 'ids',
    start_at: 'text?',
    time_zone: 'text',
    window_start_minute: 'int?',
    window_end_minute: 'int?',
    window_days: 'any',
    min_delay_ms: 'int',
    max_delay_ms: 'int',
    rate_per_minute: 'int',
  },
};

const SHAPE_CHECKS: Record<Shape, [(v: unknown) => boolean, string]> = {
  text: [(v) => typeof v === 'string', 'is not text'],
  'text?': [(v) => v === null || typeof v === 'string', 'is not text'],
  texts: [(v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), 'is not a list of texts'],
  ids: [
    (v) => Array.isArray(v) && v.every((x) => typeof x === 'string' && isUuid(x)),
    'is not a list of ids',
  ],
  map: [
    (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string'),
    'is not a set of named texts',
  ],
  flag: [(v) => typeof v === 'boolean', 'is not true or false'],
  int: [(v) => Number.isInteger(v), 'is not a whole number'],
  'int?': [(v) => v === null || Number.isInteger(v), 'is not a whole number'],
  any: [(v) => v !== undefined, 'is missing'],
};

/** What is wrong with one record, or undefined. */
function recordProblem(
  collection: BackupCollection,
  record: unknown,
  workspaceId: string,
): string | undefined {
  if (!isObject(record)) return 'it is not a record';
  if (typeof record.id !== 'string' || !isUuid(record.id)) return 'its id is missing or not an id';
  for (const [field, shape] of Object.entries(SHAPES[collection]) as [string, Shape][]) {
    const [fits, says] = SHAPE_CHECKS[shape];
    if (!fits(record[field])) return `${field} ${record[field] === undefined ? 'is missing' : says}`;
  }
  // A contact's id derives from its workspace and phone: another id is another workspace's.
  if (collection === 'contacts') return contactIdProblem(record.id, record.phone as string, workspaceId);
  return undefined;
}

function contactIdProblem(id: string, phone: string, workspaceId: string): string | undefined {
  let expected: string;
  try {
    expected = contactId(workspaceId, phone);
  } catch {
    return `phone "${phone}" is not an international number (E.164)`;
  }
  return id === expected ? undefined : `its id is not that of ${phone} in this workspace`;
}

function parseJson(name: string, text: string): Result<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return fail(`${name} is not valid JSON (${(err as Error).message}).`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
