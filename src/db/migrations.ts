/**
 * Migration strategies of the local collections, one map per collection, keyed by the schema
 * version they migrate to (RxDB calls strategy N on a document of version N-1).
 *
 * To change a schema: bump its `version` in schemas.ts and add `N: (doc) => newDoc` here,
 * with a test in tests/unit/db-migrations.test.ts (documents written at the old version come
 * back migrated).
 *
 * A migrated document must equal what the server returns for that row (same fields, same
 * `server_modified`): RxDB treats a stored document that differs from the server's as a local
 * edit, and no pull replaces it. Where the server's rows hold a value the stored copies lack,
 * a pulled (server-owned) collection drops them instead (strategy returns null): its
 * replication at a new version starts from a fresh checkpoint (replicationIdentifier in
 * src/sync/engine.ts) and brings every row back whole.
 */
import type { MigrationStrategies } from 'rxdb';

// Keyed by collection name; collections.ts checks that every collection has its map (this
// module does not import it back).
export const migrationStrategies = {
  contacts: {},
  contact_groups: {},
  templates: {
    // 1 adds optional fields: a stored template is already valid, and equal to its server row
    // as the app stored it (the new columns are null on Pigeon's own templates).
    1: (doc) => doc,
    // 2 adds components: null on Pigeon's own templates, as on their rows. A Meta template's
    // row holds them, so its stored copy is dropped and pulled again (Meta's, never edited here).
    2: (doc) => (doc.provider ? null : { ...doc, components: null }),
  },
  campaigns: {
    // 1 adds template_parameters: null on every campaign drafted before, as on its server row.
    1: (doc) => ({ ...doc, template_parameters: null }),
  },
  workspaces: {
    // 1 adds contacts_local_only (off) and who turned it on or off, when (never): the values every
    // row had when the columns came, so the stored copy equals its server row.
    1: (doc) => ({
      ...doc,
      contacts_local_only: false,
      contacts_local_only_by: null,
      contacts_local_only_at: null,
    }),
  },
  workspace_members: {},
  channels: {
    // 1 adds pacing, the provider's facts and the last error: dropped and pulled again, as messages (below).
    1: () => null,
  },
  messages: {
    // 1 adds campaign_id and sent_at (the sends chart). Messages are the server's, and a stored copy
    // that differs from its row would never be replaced by the pull (RxDB keeps it as a local
    // write): so they are dropped, and the pull after the migration brings them back whole.
    1: () => null,
    // 2 adds kind, media, edits and deletions (the inbox): dropped and pulled again, as for 1.
    2: () => null,
    // 3 adds the times of delivery, read and failure (the campaign report): dropped and pulled again.
    3: () => null,
  },
  chats: {},
  chat_notes: {},
  chat_reads: {},
  outgoing_messages: {
    // 1 adds the optional template of a message sent as one.
    1: (doc) => doc,
  },
} satisfies Record<string, MigrationStrategies>;
