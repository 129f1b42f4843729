// A backup made from a real RxDB (memory storage, schemas validated) and restored into it:
// export, delete and edit records, preview (what it adds and changes), restore (the data is
// back field by field), restore again (nothing written); a bad file writes nothing.
import { randomUUID } from 'node:crypto';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { of } from 'rxjs';
import { expect, test } from 'vitest';
import { CAMPAIGN_SERVER_DEFAULTS } from '../../src/domain/campaign-commands.ts';
import { contactId } from '../../src/domain/ids.ts';
import { createBackupApi } from '../../src/features/backup/service.ts';
import { askContactsCsv } from '../../src/features/contacts/csv-export.ts';
import { editDocument, insertDocument, removeDocument } from '../../src/features/shared/edit.ts';
import type { Scope } from '../../src/features/shared/scope.ts';
import { countWrites, testWorkspace, useLocalScopes } from './local-scope.ts';

const workspace = testWorkspace('Acme & Co');
const openScope = useLocalScopes(workspace);

const groupId = randomUUID();
const phones = ['+447400123456', '+447400123457', '+447400123458'];

async function fill(scope: Scope): Promise<void> {
  const ws = { workspace_id: workspace.id };
  await insertDocument(scope.db.contact_groups, {
    id: groupId,
    ...ws,
    name: 'Friends',
    description: 'old',
    color: '#3b82f6',
  });
  for (const [i, phone] of phones.entries()) {
    await insertDocument(scope.db.contacts, {
      id: contactId(workspace.id, phone),
      ...ws,
      phone,
      name: `Person ${i}`,
      email: i === 0 ? 'a@example.com' : '',
      tags: ['vip', `t${i}`],
      group_ids: [groupId],
      custom_fields: { city: '=Porto' },
      notes: 'line one\nline two',
      opted_out: false,
      opted_out_at: null,
    });
  }
  await insertDocument(scope.db.templates, {
    id: randomUUID(),
    ...ws,
    name: 'Hello',
    body: 'Hi {{name}}',
    language: 'en',
    category: 'marketing',
  });
  await insertDocument(scope.db.campaigns, {
    id: randomUUID(),
    ...ws,
    name: 'Spring',
    channel_id: null,
    template_id: null,
    template_parameters: null,
    body: 'Hi',
    group_ids: [groupId],
    tags: [],
    contact_ids: [],
    start_at: null,
    time_zone: 'Europe/London',
    window_start_minute: null,
    window_end_minute: null,
    window_days: [1, 2, 3, 4, 5],
    min_delay_ms: 1000,
    max_delay_ms: 5000,
    rate_per_minute: 20,
    ...CAMPAIGN_SERVER_DEFAULTS,
  });
}

/** Every live record of the four collections, without the stamps a restore writes anew. */
async function snapshot(scope: Scope) {
  const out: Record<string, unknown[]> = {};
  for (const name of ['contacts', 'contact_groups', 'templates', 'campaigns'] as const) {
    const docs = await scope.db[name].find().exec();
    out[name] = docs
      .map((doc) => {
        const { updated_at, opted_out_at, ...rest } = doc.toMutableJSON() as Record<string, unknown>;
        return rest;
      })
      .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }
  return out;
}

test('export, change, restore: the data is back; a second restore writes nothing', async () => {
  const scope = await openScope();
  const api = createBackupApi({ scope$: of(scope), current: () => scope });
  await fill(scope);
  const before = await snapshot(scope);

  const exported = await api.exportWorkspace();
  if (!exported.ok) throw new Error(exported.error);
  expect(exported.value.name).toMatch(/^pigeon-acme-co-\d{4}-\d{2}-\d{2}\.zip$/);
  expect(exported.value.counts).toEqual({ contacts: 3, contact_groups: 1, templates: 1, campaigns: 1 });
  const files = unzipSync(exported.value.bytes);
  expect(Object.keys(files).sort()).toEqual([
    'campaigns.json',
    'contact_groups.json',
    'contacts.csv',
    'contacts.json',
    'manifest.json',
    'templates.csv',
    'templates.json',
  ]);
  expect(strFromU8(files['contacts.csv']!).split('\r\n')[1]).toBe(
    `'+447400123456,Person 0,a@example.com,vip; t0,Friends,"line one\nline two",no,'=Porto`,
  );
  const file = new Blob([exported.value.bytes]);

  // Since the backup: a contact deleted, a group edited, a contact added (a restore leaves it).
  await removeDocument(scope, scope.db.contacts, contactId(workspace.id, phones[1]!));
  await editDocument(scope, scope.db.contact_groups, groupId, (g) => ({
    ...g,
    name: 'Renamed',
    description: 'new',
  }));
  await insertDocument(scope.db.contacts, {
    id: contactId(workspace.id, '+447400123459'),
    workspace_id: workspace.id,
    phone: '+447400123459',
    name: 'New',
    email: '',
    tags: [],
    group_ids: [],
    custom_fields: {},
    notes: '',
    opted_out: false,
    opted_out_at: null,
  });

  const preview = await api.preview(file);
  if (!preview.ok) throw new Error(preview.error);
  expect(preview.value.counts.contacts).toEqual({ add: 1, change: 0, same: 2, kept: 0 });
  expect(preview.value.counts.contact_groups).toEqual({ add: 0, change: 1, same: 0, kept: 0 });
  expect(preview.value.first.map((s) => [s.kind, s.label, s.fields.length])).toEqual([
    ['add', 'Person 1 (+447400123457)', 8],
    ['change', 'Friends', 2],
  ]);

  const restored = await api.restore(file);
  expect(restored).toEqual({ ok: true, value: { added: 1, changed: 1 } });
  const after = await snapshot(scope);
  const added = (after.contacts as { phone: string }[]).filter((c) => c.phone !== '+447400123459');
  expect({ ...after, contacts: added }).toEqual(before);

  const writes = countWrites(scope.db);
  const again = await api.preview(file);
  expect(again.ok && again.value.first).toEqual([]);
  expect(await api.restore(file)).toEqual({ ok: true, value: { added: 0, changed: 0 } });
  expect(writes()).toBe(0);
});

test('a malformed file is refused with the reason and writes nothing', async () => {
  const scope = await openScope();
  const api = createBackupApi({ scope$: of(scope), current: () => scope });
  await fill(scope);
  const exported = await api.exportWorkspace();
  if (!exported.ok) throw new Error(exported.error);
  const files = unzipSync(exported.value.bytes);
  files['contacts.json'] = strToU8('[{"id": 1');
  const writes = countWrites(scope.db);
  const broken = await api.restore(new Blob([zipSync(files)]));
  expect(broken).toEqual({ ok: false, error: expect.stringContaining('contacts.json is not valid JSON') });
  expect(await api.preview(new Blob(['not a zip']))).toEqual({
    ok: false,
    error: 'This file is not a Pigeon backup (it is not a zip archive).',
  });
  expect(writes()).toBe(0);
});

test('the contacts list as CSV: all, searched, filtered by tag, or only given ids', async () => {
  const scope = await openScope();
  await fill(scope);
  const lines = async (selection: Parameters<typeof askContactsCsv>[1]) => {
    const csv = await askContactsCsv(scope, selection);
    const rows = csv.text.split('\r\n').slice(1, -1);
    expect(csv.count).toBe(rows.length);
    return rows.map((row) => row.split(',')[1]);
  };
  expect(await lines({ search: '', filter: {} })).toEqual(['Person 0', 'Person 1', 'Person 2']);
  expect(await lines({ search: 'person 1', filter: {} })).toEqual(['Person 1']);
  expect(await lines({ search: '', filter: { tags: ['t2'] } })).toEqual(['Person 2']);
  expect(
    await lines({ search: '', filter: { group: groupId }, ids: [contactId(workspace.id, phones[0]!)] }),
  ).toEqual(['Person 0']);
});
