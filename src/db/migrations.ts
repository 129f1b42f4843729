/**
 * Migration strategies of the local collections, one map per collection, keyed by the schema
 * version they migrate to (RxDB calls strategy N on a document of version N-1).
 *
 * Every schema is at version 0, so the maps are empty. To change a schema: bump its `version`
 * in schemas.ts and add `N: (doc) => newDoc` here, with a test like
 * tests/unit/db-migrations.test.ts (documents written at the old version come back migrated).
 *
 * A migrated document must equal what the server returns for that row (same fields, same
 * `server_modified`): the replication's bookkeeping is per schema version, so after a
 * migration it pulls everything again and keeps only the documents that differ.
 */
import type { MigrationStrategies } from 'rxdb';
import type { CollectionName } from './collections.ts';

export const migrationStrategies: Record<CollectionName, MigrationStrategies> = {
  contacts: {},
  contact_groups: {},
  templates: {},
  campaigns: {},
  workspaces: {},
  workspace_members: {},
  channels: {},
  messages: {},
  pending_changes: {},
  outgoing_messages: {},
};
