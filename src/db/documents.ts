/**
 * How rows of the replicated tables are stored in RxDB, and the way back.
 *
 * A stored document is the domain row (src/domain/types.ts) with one rename: the server's
 * `_modified` is kept as `server_modified`, because RxDB reserves top-level names starting
 * with `_` (only `_deleted` is allowed). It is the version the document was last seen at on
 * the server, which pushes send as the assumed version (optimistic concurrency, see
 * supabase/migrations/20261202000900_sync_rpcs.sql). The writable collections' equality
 * (conflicts.ts) ignores it: the version a push assumes comes from the replication's record
 * of the server's state, which the push's answer keeps current (push_changes,
 * src/sync/replication.ts), so a pulled echo of this device's own push is not stored again and
 * a document's `server_modified` may lag behind the server's after its own pushes.
 */
import type { RxDocument, WithDeleted } from 'rxdb';
import type { TemplateSend } from '../domain/provider-template.ts';
import type {
  Campaign,
  Channel,
  Chat,
  ChatNote,
  ChatRead,
  Contact,
  ContactGroup,
  IsoTimestamp,
  Message,
  ReplicatedDocument,
  Template,
  Workspace,
  WorkspaceMember,
} from '../domain/types.ts';

export type Stored<T extends ReplicatedDocument> = Omit<T, '_modified' | '_deleted'> & {
  server_modified?: IsoTimestamp;
};

export type ContactDoc = Stored<Contact>;
export type GroupDoc = Stored<ContactGroup>;
export type TemplateDoc = Stored<Template>;
export type WorkspaceDoc = Stored<Workspace>;
export type MemberDoc = Stored<WorkspaceMember>;
export type ChannelDoc = Stored<Channel>;
export type MessageDoc = Stored<Message>;
export type ChatDoc = Stored<Chat>;
export type ChatNoteDoc = Stored<ChatNote>;
export type ChatReadDoc = Stored<ChatRead>;
export type CampaignDoc = Stored<Campaign>;

/**
 * A message written on this device, kept until the server's copy arrives by replication.
 * Local only: messages are pull-only, and RxDB's pull never overwrites a document written
 * locally in a collection that does not push, so the server's copy could not replace it.
 */
export interface OutgoingMessage {
  id: string;
  workspace_id: string;
  channel_id: string;
  contact_id: string | null;
  phone: string;
  body: string;
  /** queued: waits to reach the server; accepted: the server has it; failed: refused (error says why). */
  status: 'queued' | 'accepted' | 'failed';
  error: string | null;
  created_at: IsoTimestamp;
  /** Sent as this approved Meta template with these {{1}}.. values (body is its rendered text). */
  template?: TemplateSend;
}

/**
 * A server row as a document: only the collection's properties are kept (the server also has
 * columns the app does not store, e.g. created_at), `_modified` becomes `server_modified`.
 */
export function rowToDocument<D>(
  properties: readonly string[],
  row: Readonly<Record<string, unknown>>,
): WithDeleted<D> {
  const doc: Record<string, unknown> = { _deleted: row._deleted === true };
  for (const key of properties) {
    if (key === 'server_modified') {
      if (typeof row._modified === 'string') doc.server_modified = row._modified;
    } else if (key in row) {
      doc[key] = row[key];
    }
  }
  // The server's row is the source of truth for the shape; the collection's schema holds it.
  return doc as WithDeleted<D>;
}

/** A document as a push_rows `doc`: the server sets `_modified` itself, so it is left out. */
export function documentToRow(doc: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { server_modified: _version, ...row } = doc;
  return row;
}

/** A stored document as the domain row the UI gets (src/domain/types.ts). */
export function toDomain<T extends ReplicatedDocument>(doc: WithDeleted<Stored<T>>): T {
  const { server_modified, ...rest } = doc;
  // Stored<T> is T with `_modified` renamed; putting it back gives T.
  return (server_modified === undefined ? rest : { ...rest, _modified: server_modified }) as unknown as T;
}

// RxDB hands out the same RxDocument object while a document is unchanged, so a live list of
// 100,000 contacts converts only the documents an update touched.
const domainCache = new WeakMap<object, unknown>();

/** `toDomain` of an RxDocument, converted once per document revision. */
export function domainOf<T extends ReplicatedDocument>(doc: RxDocument<Stored<T>>): T {
  const cached = domainCache.get(doc);
  if (cached) return cached as T;
  const value = toDomain<T>({ ...doc.toMutableJSON(), _deleted: doc.deleted });
  domainCache.set(doc, value);
  return value;
}
