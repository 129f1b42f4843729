/**
 * Document shapes replicated between the browser (RxDB) and Postgres. Property names are the
 * Postgres column names, so a row and a document are the same object.
 */
import type { CountryCode } from 'libphonenumber-js/max';

/** An ISO 8601 timestamp, e.g. `2025-03-01T09:30:00.000Z` (Postgres may answer with `+00:00`). */
export type IsoTimestamp = string;

/** Columns every replicated table carries (DESIGN.md, data rules). */
export interface ReplicatedDocument {
  id: string;
  workspace_id: string;
  /** Soft delete: clients never hard-delete rows. */
  _deleted: boolean;
  /** Set by a server trigger on every write; absent on a document never pushed yet. */
  _modified?: IsoTimestamp;
}

/** A row users edit: the client stamps `updated_at` on every local edit, merges compare it. */
export interface EditableDocument extends ReplicatedDocument {
  updated_at: IsoTimestamp;
}

export interface Contact extends EditableDocument {
  /** Derived from `workspace_id` + `phone` (UUID v5), see ids.ts. */
  id: string;
  /** E.164, e.g. `+447400123456`. */
  phone: string;
  name: string;
  /** '' when unknown (the column is NOT NULL DEFAULT ''). */
  email: string;
  tags: string[];
  /** Ids of ContactGroup rows. */
  group_ids: string[];
  custom_fields: Record<string, string>;
  opted_out: boolean;
  opted_out_at: IsoTimestamp | null;
  notes: string;
}

export interface ContactGroup extends EditableDocument {
  name: string;
  description: string;
  /** A CSS colour, e.g. `#3b82f6`. */
  color: string | null;
}

export type TemplateCategory = 'marketing' | 'utility' | 'authentication';

export interface Template extends EditableDocument {
  name: string;
  /** Text with `{{variable}}` / `{{variable|fallback}}` placeholders, see template.ts. */
  body: string;
  /** BCP 47, e.g. `en`, `pt-BR`. */
  language: string;
  category: TemplateCategory;
}

/** Read-only on the client. Its `workspace_id` is its own id, so it is filtered like any row. */
export interface Workspace extends ReplicatedDocument {
  name: string;
  /** ISO 3166-1 alpha-2; national phone numbers are read as this country's. */
  default_country: CountryCode;
  /** IANA, e.g. `Europe/Berlin`. */
  time_zone: string;
}

export type WorkspaceRole = 'owner' | 'admin' | 'agent';

/** Read-only on the client. */
export interface WorkspaceMember extends ReplicatedDocument {
  user_id: string;
  role: WorkspaceRole;
}
