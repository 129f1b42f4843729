// The pattern for the next schema version: documents stored at version 0 come back migrated
// when the database opens with version 1 and its strategy (src/db/migrations.ts).
import { randomUUID } from 'node:crypto';
import { addRxPlugin, type RxCollectionCreator } from 'rxdb';
import { RxDBDevModePlugin } from 'rxdb/plugins/dev-mode';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { expect, test } from 'vitest';
import { collectionCreators } from '../../src/db/collections.ts';
import { openPigeonDatabase } from '../../src/db/database.ts';
import type { TemplateDoc } from '../../src/db/documents.ts';
import { migrationStrategies } from '../../src/db/migrations.ts';

addRxPlugin(RxDBDevModePlugin);

test('every collection is at version 0 with its (empty) strategies wired', () => {
  for (const [name, creator] of Object.entries(collectionCreators)) {
    expect(creator.schema.version, name).toBe(0);
    expect(creator.migrationStrategies, name).toBe(
      migrationStrategies[name as keyof typeof migrationStrategies],
    );
  }
});

test('a version 1 schema with its strategy migrates the stored documents on open', async () => {
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

  // What a real version 1 would do in migrations.ts: here, trim template names.
  const templatesV1: RxCollectionCreator<TemplateDoc> = {
    ...collectionCreators.templates,
    schema: { ...collectionCreators.templates.schema, version: 1 },
    migrationStrategies: {
      ...migrationStrategies.templates,
      1: (doc: TemplateDoc) => ({ ...doc, name: doc.name.trim() }),
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
