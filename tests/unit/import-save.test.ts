// Saving imported batches into a real RxDB (memory storage, schemas validated): new contacts,
// the merge rule for existing ones, applied in one bulk write per batch, unchanged ones left
// alone, a contact changed meanwhile merged again, and each contact written once (nothing else).
import { describe, expect, test } from 'vitest';
import type { ContactDoc } from '../../src/db/documents.ts';
import { contactId } from '../../src/domain/ids.ts';
import { importedContact, saveBatch } from '../../src/features/import/save.ts';
import type { ContactCandidate } from '../../src/features/import/validate.ts';
import { countWrites, testWorkspace, useLocalScopes } from './local-scope.ts';

const workspace = testWorkspace();
const scope = useLocalScopes(workspace);

function candidate(phone: string, patch: Partial<ContactCandidate> = {}): ContactCandidate {
  return {
    id: contactId(workspace.id, phone),
    line: 2,
    phone,
    name: '',
    email: '',
    tags: [],
    notes: '',
    custom_fields: {},
    ...patch,
  };
}

const existing: ContactDoc = {
  id: contactId(workspace.id, '+447400123456'),
  workspace_id: workspace.id,
  phone: '+447400123456',
  name: 'Ann Old',
  email: 'ann@old.example',
  tags: ['vip'],
  group_ids: ['6f1f0c3e-5b7a-4f43-9a57-1b2b8e0f0a01'],
  custom_fields: { city: 'Leeds', plan: 'basic' },
  opted_out: true,
  opted_out_at: '2026-01-02T00:00:00.000Z',
  notes: 'met at fair',
  updated_at: '2026-01-01T00:00:00.000Z',
  server_modified: '2026-01-01 00:00:00.000001+00',
};

const group = '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a';

describe('importedContact: the rule for a phone already a contact', () => {
  test('by default the file fills only empty fields: a name typed by hand stays', () => {
    const next = importedContact(
      { ...existing, email: '' },
      candidate(existing.phone, {
        name: 'Ann Dup',
        email: 'ann@new.example',
        custom_fields: { plan: 'pro', size: 'L' },
      }),
      { group_ids: [], tags: [] },
      workspace.id,
      Date.parse('2026-02-01T00:00:00.000Z'),
    );
    expect(next).toEqual({
      ...existing,
      email: 'ann@new.example',
      custom_fields: { city: 'Leeds', plan: 'basic', size: 'L' },
      updated_at: '2026-02-01T00:00:00.000Z',
    });
  });

  test('"skip existing" leaves an existing contact alone, tags included', () => {
    const next = importedContact(
      existing,
      candidate(existing.phone, { name: 'Ann Dup', tags: ['lead'] }),
      { group_ids: [group], tags: ['imported'], existing: 'skip' },
      workspace.id,
    );
    expect(next).toBeUndefined();
  });

  test('"update existing": non-empty values replace, empty ones keep; tags and groups add; custom fields merge; opt-out stays', () => {
    const next = importedContact(
      existing,
      candidate(existing.phone, { name: 'Ann New', tags: ['lead'], custom_fields: { plan: 'pro' } }),
      { group_ids: [group], tags: ['imported'], existing: 'update' },
      workspace.id,
      Date.parse('2026-02-01T00:00:00.000Z'),
    );
    expect(next).toEqual({
      ...existing,
      name: 'Ann New',
      tags: ['vip', 'lead', 'imported'],
      group_ids: [...existing.group_ids, group],
      custom_fields: { city: 'Leeds', plan: 'pro' },
      updated_at: '2026-02-01T00:00:00.000Z',
    });
  });

  test('an import that says nothing new writes nothing', () => {
    const same = candidate(existing.phone, {
      name: 'Ann Old',
      tags: ['vip'],
      custom_fields: { city: 'Leeds' },
    });
    expect(importedContact(existing, same, { group_ids: [], tags: [] }, workspace.id)).toBeUndefined();
  });

  test('a new contact gets the import-wide groups and tags', () => {
    const fresh = importedContact(
      undefined,
      candidate('+447400123457', { name: 'Bo', tags: ['a'] }),
      { group_ids: [group], tags: ['a', 'b'] },
      workspace.id,
    );
    expect(fresh).toMatchObject({
      name: 'Bo',
      tags: ['a', 'b'],
      group_ids: [group],
      opted_out: false,
      opted_out_at: null,
    });
  });
});

describe('saveBatch', () => {
  test('creates new contacts, updates existing ones without duplicating them, writing each once', async () => {
    const s = await scope();
    await s.db.contacts.insert(existing);
    const written = countWrites(s.db);
    const batch = [
      candidate(existing.phone, { name: 'Ann New' }),
      candidate('+447400123457', { name: 'Bo' }),
      candidate('+447400123458', { name: 'Cy', custom_fields: { company: 'ACME' } }),
    ];
    expect(await saveBatch(s, batch, { group_ids: [group], tags: ['imported'], existing: 'update' })).toEqual(
      {
        created: 2,
        updated: 1,
        unchanged: 0,
        skipped: 0,
        changed: [
          {
            id: existing.id,
            phone: existing.phone,
            name: 'Ann Old',
            changes: [
              { field: 'name', from: 'Ann Old', to: 'Ann New' },
              { field: 'tags', from: 'vip', to: 'vip, imported' },
              { field: 'groups', from: '1', to: '2' },
            ],
          },
        ],
      },
    );
    const all = await s.db.contacts.find().exec();
    expect(all.map((d) => [d.phone, d.name, d.tags]).sort()).toEqual([
      ['+447400123456', 'Ann New', ['vip', 'imported']],
      ['+447400123457', 'Bo', ['imported']],
      ['+447400123458', 'Cy', ['imported']],
    ]);
    expect(written()).toBe(3);

    // The same file again: nothing new, nothing written, nothing more to sync.
    expect(await saveBatch(s, batch, { group_ids: [group], tags: ['imported'], existing: 'update' })).toEqual(
      {
        created: 0,
        updated: 0,
        unchanged: 3,
        skipped: 0,
        changed: [],
      },
    );
    expect(await s.db.contacts.count().exec()).toBe(3);
  });

  test('the default and "skip" policies: names stay, skipped ones are counted, the report lists each change', async () => {
    const s = await scope();
    await s.db.contacts.insert({ ...existing, email: '' });
    const batch = [candidate(existing.phone, { name: 'Ann Dup', email: 'ann@new.example' })];
    expect(await saveBatch(s, batch, { group_ids: [], tags: [], existing: 'skip' })).toMatchObject({
      updated: 0,
      unchanged: 0,
      skipped: 1,
    });
    const filled = await saveBatch(s, batch, { group_ids: [], tags: [] });
    expect(filled).toMatchObject({ updated: 1, skipped: 0 });
    expect(filled.changed).toEqual([
      {
        id: existing.id,
        phone: existing.phone,
        name: 'Ann Old',
        changes: [{ field: 'email', from: '', to: 'ann@new.example' }],
      },
    ]);
    expect((await s.db.contacts.findOne(existing.id).exec())?.name).toBe('Ann Old');
  });

  test('a deleted contact imported again comes back, as a new contact', async () => {
    const s = await scope();
    const doc = await s.db.contacts.insert(existing);
    await doc.remove();
    expect(
      await saveBatch(s, [candidate(existing.phone, { name: 'Ann Back' })], { group_ids: [], tags: [] }),
    ).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      changed: [],
    });
    const back = await s.db.contacts.findOne(existing.id).exec();
    expect(back?.toJSON()).toMatchObject({ name: 'Ann Back', email: '', tags: [], opted_out: false });
  });

  test('a re-import of 500 existing contacts updates them in one bulk write, with the merge rule', async () => {
    const s = await scope();
    const phones = Array.from({ length: 500 }, (_, i) => `+4474005${String(i).padStart(5, '0')}`);
    const stored = phones.map((phone, i) => ({
      ...existing,
      id: contactId(workspace.id, phone),
      phone,
      name: `Old ${i}`,
      email: i % 2 ? `old${i}@example.test` : '',
    }));
    await s.db.contacts.bulkInsert(stored);
    const writes: number[] = [];
    const watch = s.db.contacts.storageInstance
      .changeStream()
      .subscribe((bulk) => writes.push(bulk.events.length));
    const batch = phones.map((phone, i) =>
      // Every tenth row says nothing new: name, email and fields as stored, tags already there.
      i % 10 === 0
        ? candidate(phone, { name: `Old ${i}`, tags: ['vip'], custom_fields: { plan: 'basic' } })
        : candidate(phone, {
            name: i % 3 ? `New ${i}` : '',
            email: '',
            notes: '',
            tags: ['fair'],
            custom_fields: { plan: 'pro' },
          }),
    );
    expect(await saveBatch(s, batch, { group_ids: [], tags: [], existing: 'update' })).toMatchObject({
      created: 0,
      updated: 450,
      unchanged: 50,
      skipped: 0,
    });
    watch.unsubscribe();
    expect(writes).toEqual([450]);
    const after = new Map((await s.db.contacts.find().exec()).map((d) => [d.phone, d.toJSON()]));
    phones.forEach((phone, i) => {
      const doc = after.get(phone);
      if (i % 10 === 0) {
        expect(doc).toMatchObject({ name: `Old ${i}`, updated_at: existing.updated_at });
        return;
      }
      expect(doc).toMatchObject({
        name: i % 3 ? `New ${i}` : `Old ${i}`,
        email: i % 2 ? `old${i}@example.test` : '',
        notes: existing.notes,
        tags: ['vip', 'fair'],
        group_ids: existing.group_ids,
        custom_fields: { city: 'Leeds', plan: 'pro' },
        opted_out: true,
        opted_out_at: existing.opted_out_at,
      });
      expect((doc?.updated_at ?? '') > existing.updated_at).toBe(true);
    });
  });

  test('a contact changed by another tab while its batch is merged is merged again onto that change', async () => {
    const s = await scope();
    const stored = await s.db.contacts.insert(existing);
    // The other tab's edit lands between the batch's read and its write: the first write of
    // that contact fails on its stale revision, the second merges onto the edit.
    const instance = s.db.contacts.storageInstance;
    const find = instance.findDocumentsById.bind(instance);
    let raced = false;
    instance.findDocumentsById = async (ids, withDeleted) => {
      const read = await find(ids, withDeleted);
      if (!raced) {
        raced = true;
        await stored.incrementalPatch({ notes: 'edited in another tab', tags: ['vip', 'other-tab'] });
      }
      return read;
    };
    expect(
      await saveBatch(s, [candidate(existing.phone, { name: 'Ann New', tags: ['fair'] })], {
        group_ids: [],
        tags: [],
        existing: 'update',
      }),
    ).toMatchObject({ created: 0, updated: 1, unchanged: 0, skipped: 0 });
    expect((await s.db.contacts.findOne(existing.id).exec())?.toJSON()).toMatchObject({
      name: 'Ann New',
      notes: 'edited in another tab',
      tags: ['vip', 'other-tab', 'fair'],
    });
  });
});
