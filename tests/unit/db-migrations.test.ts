// Migrations of the local schemas (src/db/migrations.ts): documents stored at an older version
// come back migrated when the database opens with the newer schema and its strategy.
import { randomUUID } from 'node:crypto';
import { addRxPlugin, type RxCollection, type RxCollectionCreator } from 'rxdb';
import { RxDBDevModePlugin } from 'rxdb/plugins/dev-mode';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { expect, test } from 'vitest';
import { type CollectionCreators, collectionCreators } from '../../src/db/collections.ts';
import { openPigeonDatabase } from '../../src/db/database.ts';
import type { TemplateDoc } from '../../src/db/documents.ts';
import { migrationStrategies } from '../../src/db/migrations.ts';
import { campaignSchema, messageSchema, templateSchema, workspaceSchema } from '../../src/db/schemas.ts';
import { CAMPAIGN_SERVER_DEFAULTS } from '../../src/domain/campaign-commands.ts';
import { replicationIdentifier } from '../../src/sync/engine.ts';

addRxPlugin(RxDBDevModePlugin);

test('every collection has its strategies wired, one per version step', () => {
  for (const [name, creator] of Object.entries(collectionCreators)) {
    const strategies = migrationStrategies[name as keyof typeof migrationStrategies];
    expect(creator.migrationStrategies, name).toBe(strategies);
    const steps = Array.from({ length: creator.schema.version }, (_, i) => String(i + 1));
    expect(Object.keys(strategies), name).toEqual(steps);
  }
});

test('messages pulled before campaign_id, sent_at and the inbox content (version 0) come back with them from the pull after the migration', async () => {
  const name = `migrate-${randomUUID()}`;
  const storage = wrappedValidateAjvStorage({ storage: getRxStorageMemory() });
  // Version 0 had none of what versions 1 (campaign_id, sent_at), 2 (the inbox's content) and 3
  // (the report's step times) added.
  const added = [
    'campaign_id',
    'sent_at',
    'kind',
    'media_id',
    'file_name',
    'edited_at',
    'revoked_at',
    'delivered_at',
    'read_at',
    'failed_at',
  ];
  const v0Properties = Object.fromEntries(
    Object.entries(messageSchema.properties).filter(([key]) => !added.includes(key)),
  );
  const messagesV0: RxCollectionCreator = {
    schema: {
      ...messageSchema,
      version: 0,
      properties: v0Properties,
      required: (messageSchema.required ?? []).filter((field) => !added.includes(field)),
    },
  };
  const campaignId = randomUUID();
  // The server's row, as pull_rows answers before (no campaign_id, sent_at kept) and after the migration.
  const row = {
    id: randomUUID(),
    workspace_id: randomUUID(),
    channel_id: randomUUID(),
    chat_id: randomUUID(),
    contact_id: null,
    direction: 'out',
    phone: '+447400123456',
    body: 'Hello',
    status: 'delivered',
    error: null,
    campaign_id: campaignId,
    sent_at: '2026-01-01T00:00:00.500Z',
    delivered_at: '2026-01-01T00:00:00.700Z',
    read_at: null,
    failed_at: null,
    created_at: '2026-01-01T00:00:00.000Z',
    kind: 'text',
    media_id: null,
    file_name: null,
    edited_at: null,
    revoked_at: null,
    server_modified: '2026-01-01T00:00:01.000Z',
    _deleted: false,
  };
  // A pull as the app's replication makes it (its identifier), answering the server's row once.
  const pullOnce = async (collection: RxCollection, doc: Record<string, unknown>) => {
    const replication = replicateRxCollection({
      replicationIdentifier: replicationIdentifier('server', 'messages', 'ws', collection.schema.version),
      collection,
      live: false,
      pull: {
        handler: async (checkpoint: unknown) =>
          checkpoint ? { documents: [], checkpoint } : { documents: [doc as never], checkpoint: { at: 1 } },
      },
    });
    await replication.awaitInitialReplication();
    await replication.cancel();
  };

  const v0 = await openPigeonDatabase({
    name,
    storage,
    multiInstance: false,
    collections: { ...collectionCreators, messages: messagesV0 } as unknown as CollectionCreators,
  });
  const v0Row = Object.fromEntries(Object.entries(row).filter(([key]) => !added.includes(key)));
  await pullOnce(v0.messages as unknown as RxCollection, v0Row);
  const before = (await v0.messages.findOne(row.id).exec())?.toMutableJSON();
  expect(before).toBeDefined();
  expect(before).not.toHaveProperty('campaign_id');
  await v0.close();

  const v1 = await openPigeonDatabase({ name, storage, multiInstance: false });
  try {
    const { _deleted, ...stored } = row;
    // Dropped by the migration: a copy without the new fields would never be replaced.
    expect(await v1.messages.findOne(row.id).exec()).toBeNull();
    await pullOnce(v1.messages as unknown as RxCollection, row);
    expect((await v1.messages.findOne(row.id).exec())?.toMutableJSON()).toEqual(stored);
  } finally {
    await v1.remove();
  }
});

test('a next schema version with its strategy migrates the stored documents on open', async () => {
  const name = `migrate-${randomUUID()}`;
  const storage = wrappedValidateAjvStorage({ storage: getRxStorageMemory() });
  const v0 = await openPigeonDatabase({ name, storage, multiInstance: false });
  const ws = randomUUID();
  await v0.templates.insert({
    id: randomUUID(),
    workspace_id: ws,
    name: '  Welcome ',
    body: 'Hi {{name}}',
    language: 'en',
    category: 'marketing',
    updated_at: '2026-01-01T00:00:00.000Z',
  });
  await v0.close();

  // What a real next version would do in migrations.ts: here, trim template names.
  const next = collectionCreators.templates.schema.version + 1;
  const templatesV1: RxCollectionCreator<TemplateDoc> = {
    ...collectionCreators.templates,
    schema: { ...collectionCreators.templates.schema, version: next },
    migrationStrategies: {
      ...migrationStrategies.templates,
      [next]: (doc: TemplateDoc) => ({ ...doc, name: doc.name.trim() }),
    },
  };
  const v1 = await openPigeonDatabase({
    name,
    storage,
    multiInstance: false,
    collections: { ...collectionCreators, templates: templatesV1 },
  });
  const [migrated] = await v1.templates.find().exec();
  expect(migrated?.name).toBe('Welcome');
  expect(migrated?.body).toBe('Hi {{name}}');
  await v1.remove();
});

test('campaigns gain template_parameters (null) and templates their components: own ones null, Meta ones dropped to be pulled again', async () => {
  const name = `migrate-${randomUUID()}`;
  const storage = wrappedValidateAjvStorage({ storage: getRxStorageMemory() });
  const without = <S extends { properties: object; required?: readonly string[] }>(
    schema: S,
    field: string,
    version: number,
  ) => ({
    ...schema,
    version,
    properties: Object.fromEntries(Object.entries(schema.properties).filter(([key]) => key !== field)),
    required: (schema.required ?? []).filter((key) => key !== field),
  });
  const old = {
    ...collectionCreators,
    campaigns: { schema: without(campaignSchema, 'template_parameters', 0) },
    templates: {
      schema: without(templateSchema, 'components', 1),
      migrationStrategies: { 1: migrationStrategies.templates[1] },
    },
  } as unknown as CollectionCreators;
  const v0 = await openPigeonDatabase({ name, storage, multiInstance: false, collections: old });
  const ws = randomUUID();
  const template = {
    workspace_id: ws,
    body: 'Hi {{1}}',
    language: 'en',
    category: 'marketing',
    updated_at: '2026-01-01T00:00:00.000Z',
  } as const;
  const own = { ...template, id: randomUUID(), name: 'Own' };
  const synced = {
    ...template,
    id: randomUUID(),
    name: 'From Meta',
    provider: 'meta',
    channel_id: randomUUID(),
    provider_status: 'APPROVED',
  };
  await v0.templates.bulkInsert([own, synced] as never[]);
  const campaign = {
    id: randomUUID(),
    workspace_id: ws,
    name: 'Sale',
    channel_id: null,
    template_id: null,
    body: 'Hi',
    group_ids: [],
    tags: [],
    contact_ids: [],
    start_at: null,
    time_zone: 'UTC',
    window_start_minute: null,
    window_end_minute: null,
    window_days: [1],
    min_delay_ms: 0,
    max_delay_ms: 0,
    rate_per_minute: 20,
    ...CAMPAIGN_SERVER_DEFAULTS,
    updated_at: '2026-01-01T00:00:00.000Z',
  };
  await v0.campaigns.insert(campaign as never);
  await v0.close();

  const v1 = await openPigeonDatabase({ name, storage, multiInstance: false });
  try {
    expect((await v1.campaigns.findOne(campaign.id).exec())?.toMutableJSON()).toEqual({
      ...campaign,
      template_parameters: null,
    });
    expect((await v1.templates.findOne(own.id).exec())?.toMutableJSON()).toEqual({
      ...own,
      components: null,
    });
    expect(await v1.templates.findOne(synced.id).exec()).toBeNull();
  } finally {
    await v1.remove();
  }
});

test('workspaces gain contacts_local_only (off) and its stamp (none), as every server row had them', async () => {
  const name = `migrate-${randomUUID()}`;
  const storage = wrappedValidateAjvStorage({ storage: getRxStorageMemory() });
  const added = ['contacts_local_only', 'contacts_local_only_by', 'contacts_local_only_at'];
  const old = {
    ...collectionCreators,
    workspaces: {
      schema: {
        ...workspaceSchema,
        version: 0,
        properties: Object.fromEntries(
          Object.entries(workspaceSchema.properties).filter(([key]) => !added.includes(key)),
        ),
      },
    },
  } as unknown as CollectionCreators;
  const v0 = await openPigeonDatabase({ name, storage, multiInstance: false, collections: old });
  const id = randomUUID();
  const workspace = {
    id,
    workspace_id: id,
    name: 'Bakery',
    default_country: 'PT',
    time_zone: 'Europe/Lisbon',
    server_modified: '2026-12-01 10:00:00.123456+00',
  };
  await v0.workspaces.insert(workspace as never);
  await v0.close();

  const v1 = await openPigeonDatabase({ name, storage, multiInstance: false });
  try {
    expect((await v1.workspaces.findOne(id).exec())?.toMutableJSON()).toEqual({
      ...workspace,
      contacts_local_only: false,
      contacts_local_only_by: null,
      contacts_local_only_at: null,
    });
  } finally {
    await v1.remove();
  }
});
