import { describe, expect, it } from 'vitest';
import {
  isSameDocument,
  mergeContact,
  mergeGroup,
  mergeRecord,
  mergeScalar,
  mergeSet,
  mergeTemplate,
  newerSide,
} from '../../src/domain/merge.ts';
import type { Contact, ContactGroup, Template } from '../../src/domain/types.ts';

const T0 = '2025-03-01T09:00:00.000Z';
const T1 = '2025-03-01T10:00:00.000Z';
const T2 = '2025-03-01T11:00:00.000Z';

function contact(changes: Partial<Contact> = {}): Contact {
  return {
    id: '5d1f3a56-8f0e-5b43-9d3c-2f7a1e6b9c10',
    workspace_id: '3f2b8c1e-4d5a-4e6f-9a7b-8c9d0e1f2a3b',
    phone: '+447400123456',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    tags: ['vip'],
    group_ids: ['g1'],
    custom_fields: { city: 'London' },
    opted_out: false,
    opted_out_at: null,
    notes: '',
    updated_at: T0,
    _deleted: false,
    _modified: T0,
    ...changes,
  };
}

describe('newerSide', () => {
  it('picks the later updated_at and gives ties to remote', () => {
    expect(newerSide(contact({ updated_at: T2 }), contact({ updated_at: T1 }))).toBe('local');
    expect(newerSide(contact({ updated_at: T1 }), contact({ updated_at: T2 }))).toBe('remote');
    expect(newerSide(contact({ updated_at: T1 }), contact({ updated_at: T1 }))).toBe('remote');
  });

  it('compares instants, not strings (Postgres writes +00:00, the client Z)', () => {
    expect(newerSide(contact({ updated_at: '2025-03-01T12:00:00Z' }), contact({ updated_at: T2 }))).toBe(
      'local',
    );
    expect(
      newerSide(
        contact({ updated_at: '2025-03-01T10:30:00.000Z' }),
        contact({ updated_at: '2025-03-01T11:00:00+01:00' }),
      ),
    ).toBe('local');
  });

  it('counts an unreadable timestamp as the oldest', () => {
    expect(newerSide(contact({ updated_at: 'garbage' }), contact({ updated_at: T0 }))).toBe('remote');
    expect(newerSide(contact({ updated_at: T0 }), contact({ updated_at: '' }))).toBe('local');
  });
});

describe('mergeScalar', () => {
  it('takes the side that changed when only one did', () => {
    expect(mergeScalar({ base: 'a', local: 'b', remote: 'a' }, 'remote')).toBe('b');
    expect(mergeScalar({ base: 'a', local: 'a', remote: 'c' }, 'local')).toBe('c');
  });

  it('takes the newer side when both changed', () => {
    expect(mergeScalar({ base: 'a', local: 'b', remote: 'c' }, 'local')).toBe('b');
    expect(mergeScalar({ base: 'a', local: 'b', remote: 'c' }, 'remote')).toBe('c');
  });

  it('keeps the older value when the newer one is empty and it is not', () => {
    expect(mergeScalar<string | null>({ base: 'a', local: null, remote: 'c' }, 'local')).toBe('c');
    expect(mergeScalar({ base: 'a', local: 'b', remote: '' }, 'remote')).toBe('b');
    expect(mergeScalar({ base: 'a', local: 'b', remote: '   ' }, 'remote')).toBe('b');
    expect(mergeScalar<string | null>({ base: 'a', local: null, remote: '' }, 'remote')).toBe('');
  });

  it('lets one side clear a value the other did not touch', () => {
    expect(mergeScalar<string | null>({ base: 'a', local: null, remote: 'a' }, 'remote')).toBeNull();
  });

  it('treats false and 0 as values, not as empty', () => {
    expect(mergeScalar({ base: 1, local: 0, remote: 2 }, 'local')).toBe(0);
    expect(mergeScalar({ base: undefined, local: false, remote: true }, 'local')).toBe(false);
  });

  it('compares lists by content: the side that changed one keeps it (fuzz: campaign tags)', () => {
    // Each state is its own object, as when RxDB hands the handler three documents.
    expect(mergeScalar({ base: ['a'], local: ['a'], remote: ['b'] }, 'local')).toEqual(['b']);
    expect(mergeScalar({ base: ['a'], local: ['c'], remote: ['a'] }, 'remote')).toEqual(['c']);
  });

  it('with no base, both sides count as changed', () => {
    expect(mergeScalar({ base: undefined, local: 'b', remote: 'c' }, 'local')).toBe('b');
    expect(mergeScalar<string | null>({ base: undefined, local: 'b', remote: null }, 'remote')).toBe('b');
    expect(mergeScalar({ base: undefined, local: 'same', remote: 'same' }, 'local')).toBe('same');
  });
});

describe('mergeSet', () => {
  const base = ['a', 'b', 'c'];

  it('adds what either side added (add/add)', () => {
    expect(mergeSet({ base, local: [...base, 'x'], remote: [...base, 'y'] })).toEqual([
      'a',
      'b',
      'c',
      'x',
      'y',
    ]);
    expect(mergeSet({ base, local: [...base, 'x'], remote: [...base, 'x'] })).toEqual(['a', 'b', 'c', 'x']);
  });

  it('drops what one side removed and the other kept (add/remove)', () => {
    expect(mergeSet({ base, local: ['a', 'c', 'x'], remote: base })).toEqual(['a', 'c', 'x']);
    expect(mergeSet({ base, local: [...base, 'x'], remote: ['b', 'c'] })).toEqual(['b', 'c', 'x']);
  });

  it('drops what both removed (remove/remove)', () => {
    expect(mergeSet({ base, local: ['a', 'c'], remote: ['a', 'c'] })).toEqual(['a', 'c']);
    expect(mergeSet({ base, local: ['c'], remote: ['a'] })).toEqual([]);
  });

  it('keeps what a side added even when the other removed something else', () => {
    expect(mergeSet({ base: ['a'], local: [], remote: ['a', 'b'] })).toEqual(['b']);
  });

  it('unions when there is no base', () => {
    expect(mergeSet({ base: undefined, local: ['a', 'b'], remote: ['b', 'c'] })).toEqual(['a', 'b', 'c']);
  });

  it('keeps no duplicates', () => {
    expect(mergeSet({ base: undefined, local: ['a', 'a'], remote: ['a'] })).toEqual(['a']);
  });
});

describe('mergeRecord', () => {
  it('merges key by key', () => {
    const merged = mergeRecord(
      {
        base: { city: 'London', plan: 'free', color: 'red' },
        local: { city: 'Paris', plan: 'free', color: 'red', size: 'M' },
        remote: { city: 'London', plan: 'pro', size: 'L' },
      },
      'local',
    );
    expect(merged).toEqual({ city: 'Paris', plan: 'pro', size: 'M' });
  });

  it('lets an edit beat a concurrent removal of the same key (the newer non-empty value)', () => {
    const input = { base: { city: 'London' }, local: { city: 'Paris' }, remote: {} };
    expect(mergeRecord(input, 'remote')).toEqual({ city: 'Paris' });
    expect(mergeRecord(input, 'local')).toEqual({ city: 'Paris' });
  });

  it('unions keys when there is no base', () => {
    expect(
      mergeRecord({ base: undefined, local: { a: '1', b: '2' }, remote: { b: '3', c: '4' } }, 'remote'),
    ).toEqual({
      a: '1',
      b: '3',
      c: '4',
    });
  });

  it('keeps keys named like Object.prototype members as plain data', () => {
    const remote = JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, string>;
    const merged = mergeRecord({ base: {}, local: {}, remote }, 'local');
    expect(Object.keys(merged).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(mergeRecord({ base: undefined, local: {}, remote: {} }, 'local')).toEqual({});
  });
});

describe('mergeContact', () => {
  it('keeps edits of different fields from both sides', () => {
    const base = contact();
    const local = contact({ name: 'Ada King', updated_at: T1 });
    const remote = contact({ email: 'ada@king.example', notes: 'call after 5', updated_at: T2 });
    const merged = mergeContact({ base, local, remote });
    expect(merged).toMatchObject({ name: 'Ada King', email: 'ada@king.example', notes: 'call after 5' });
    expect(merged.updated_at).toBe(T2);
  });

  it('takes the newer value of a field both changed', () => {
    const base = contact();
    const local = contact({ name: 'Local Name', updated_at: T2 });
    const remote = contact({ name: 'Remote Name', updated_at: T1 });
    expect(mergeContact({ base, local, remote }).name).toBe('Local Name');
    expect(mergeContact({ base, local: { ...local, updated_at: T0 }, remote }).name).toBe('Remote Name');
  });

  it('does not let a newer emptied field wipe the other side’s edit', () => {
    const base = contact();
    const local = contact({ email: '', updated_at: T2 });
    const remote = contact({ email: 'new@example.com', updated_at: T1 });
    expect(mergeContact({ base, local, remote }).email).toBe('new@example.com');
  });

  it('unions tags and groups, three-way', () => {
    const base = contact({ tags: ['vip', 'lead'], group_ids: ['g1', 'g2'] });
    const local = contact({ tags: ['vip', 'lead', 'berlin'], group_ids: ['g1'], updated_at: T1 });
    const remote = contact({ tags: ['lead', 'paid'], group_ids: ['g1', 'g2', 'g3'], updated_at: T2 });
    const merged = mergeContact({ base, local, remote });
    expect(merged.tags).toEqual(['lead', 'berlin', 'paid']);
    expect(merged.group_ids).toEqual(['g1', 'g3']);
  });

  it('merges custom fields per key', () => {
    const base = contact({ custom_fields: { city: 'London', plan: 'free' } });
    const local = contact({ custom_fields: { city: 'Paris', plan: 'free', size: 'M' }, updated_at: T1 });
    const remote = contact({ custom_fields: { city: 'Rome', plan: 'pro' }, updated_at: T2 });
    expect(mergeContact({ base, local, remote }).custom_fields).toEqual({
      city: 'Rome',
      plan: 'pro',
      size: 'M',
    });
  });

  it('merges two offline inserts of the same phone (no base)', () => {
    const local = contact({
      name: 'Ada',
      email: '',
      tags: ['import-a'],
      group_ids: ['g1'],
      custom_fields: { city: 'London' },
      updated_at: T2,
    });
    const remote = contact({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      tags: ['import-b'],
      group_ids: ['g2'],
      custom_fields: { company: 'Analytical' },
      updated_at: T1,
    });
    const merged = mergeContact({ base: undefined, local, remote });
    expect(merged).toMatchObject({
      name: 'Ada',
      email: 'ada@example.com',
      tags: ['import-a', 'import-b'],
      group_ids: ['g1', 'g2'],
      custom_fields: { city: 'London', company: 'Analytical' },
      updated_at: T2,
    });
  });

  it('keeps identity and the server stamp from remote', () => {
    const remote = contact({ _modified: T2, updated_at: T0 });
    const local = contact({ _modified: T0, phone: '+447400999999', updated_at: T1, name: 'x' });
    const merged = mergeContact({ base: contact(), local, remote });
    expect(merged).toMatchObject({ id: remote.id, workspace_id: remote.workspace_id, phone: remote.phone });
    expect(merged._modified).toBe(T2);
    expect(merged.updated_at).toBe(T1);
  });

  describe('delete against edit', () => {
    it('deletes when the delete is newer than the edit', () => {
      const merged = mergeContact({
        base: contact(),
        local: contact({ _deleted: true, updated_at: T2 }),
        remote: contact({ name: 'Edited', updated_at: T1 }),
      });
      expect(merged._deleted).toBe(true);
    });

    it('keeps the contact, with the edit, when the edit is newer than the delete', () => {
      const merged = mergeContact({
        base: contact(),
        local: contact({ _deleted: true, updated_at: T1 }),
        remote: contact({ name: 'Edited', updated_at: T2 }),
      });
      expect(merged._deleted).toBe(false);
      expect(merged.name).toBe('Edited');
    });

    it('deletes when the other side only holds the untouched base', () => {
      const merged = mergeContact({
        base: contact(),
        local: contact(),
        remote: contact({ _deleted: true, updated_at: T1 }),
      });
      expect(merged._deleted).toBe(true);
    });
  });

  describe('opt-out', () => {
    it('takes the opt-out of the side that changed it, flag and time together', () => {
      const merged = mergeContact({
        base: contact(),
        local: contact({ name: 'Renamed', updated_at: T2 }),
        remote: contact({ opted_out: true, opted_out_at: T1, updated_at: T1 }),
      });
      expect(merged).toMatchObject({ opted_out: true, opted_out_at: T1, name: 'Renamed' });
    });

    it('keeps the opt-out when the other side opted back in at the same time', () => {
      const base = contact({ opted_out: true, opted_out_at: T0 });
      const local = contact({ opted_out: false, opted_out_at: null, updated_at: T2 });
      const remote = contact({ opted_out: true, opted_out_at: T1, updated_at: T1 });
      expect(mergeContact({ base, local, remote })).toMatchObject({ opted_out: true, opted_out_at: T1 });
    });

    it('lets an opt-in through when the opt-out side did not change', () => {
      const base = contact({ opted_out: true, opted_out_at: T0 });
      const local = contact({ opted_out: false, opted_out_at: null, updated_at: T1 });
      expect(mergeContact({ base, local, remote: base })).toMatchObject({
        opted_out: false,
        opted_out_at: null,
      });
    });

    it('with no base, an opt-out on either side wins', () => {
      const local = contact({ opted_out: false, updated_at: T2 });
      const remote = contact({ opted_out: true, opted_out_at: T1, updated_at: T1 });
      expect(mergeContact({ base: undefined, local, remote }).opted_out).toBe(true);
      expect(mergeContact({ base: undefined, local: remote, remote: local }).opted_out).toBe(true);
    });
  });

  it('gives the same contact whichever side is called local (both devices converge)', () => {
    const base = contact({ tags: ['a'], custom_fields: { k: '1' } });
    const one = contact({ name: 'One', tags: ['a', 'b'], custom_fields: { k: '2' }, updated_at: T1 });
    const two = contact({ email: '', tags: [], custom_fields: { k: '1', j: 'x' }, updated_at: T2 });
    const a = mergeContact({ base, local: one, remote: two });
    const b = mergeContact({ base, local: two, remote: one });
    expect({ ...a, tags: [...a.tags].sort(), _modified: undefined }).toEqual({
      ...b,
      tags: [...b.tags].sort(),
      _modified: undefined,
    });
    expect(a).toMatchObject({ name: 'One', email: '', tags: ['b'], custom_fields: { k: '2', j: 'x' } });
  });
});

describe('mergeGroup and mergeTemplate', () => {
  const group = (changes: Partial<ContactGroup>): ContactGroup => ({
    id: 'e1a7f5e2-8b9c-4d1e-a2f3-b4c5d6e7f809',
    workspace_id: '3f2b8c1e-4d5a-4e6f-9a7b-8c9d0e1f2a3b',
    name: 'Customers',
    description: '',
    color: '#3b82f6',
    updated_at: T0,
    _deleted: false,
    ...changes,
  });
  const template = (changes: Partial<Template>): Template => ({
    id: 'f2b8c6d3-9cad-4e2f-b3a4-c5d6e7f8091a',
    workspace_id: '3f2b8c1e-4d5a-4e6f-9a7b-8c9d0e1f2a3b',
    name: 'Welcome',
    body: 'Hi {{first_name}}',
    language: 'en',
    category: 'marketing',
    updated_at: T0,
    _deleted: false,
    ...changes,
  });

  it('merges groups field by field, newer wins where both changed', () => {
    const merged = mergeGroup({
      base: group({}),
      local: group({ name: 'Clients', description: 'paying', updated_at: T2 }),
      remote: group({ name: 'Buyers', color: '#ef4444', updated_at: T1 }),
    });
    expect(merged).toMatchObject({
      name: 'Clients',
      description: 'paying',
      color: '#ef4444',
      updated_at: T2,
    });
  });

  it('merges templates field by field, newer wins where both changed', () => {
    const merged = mergeTemplate({
      base: template({}),
      local: template({ body: 'Hello {{first_name}}', category: 'utility', updated_at: T1 }),
      remote: template({ body: 'Hey {{name}}', language: 'en-GB', updated_at: T2 }),
    });
    expect(merged).toMatchObject({
      body: 'Hey {{name}}',
      language: 'en-GB',
      category: 'utility',
      updated_at: T2,
    });
  });

  it('applies the delete rule to templates too', () => {
    const base = template({});
    expect(
      mergeTemplate({
        base,
        local: template({ _deleted: true, updated_at: T2 }),
        remote: template({ updated_at: T1 }),
      })._deleted,
    ).toBe(true);
    expect(
      mergeTemplate({
        base,
        local: template({ _deleted: true, updated_at: T1 }),
        remote: template({ updated_at: T2 }),
      })._deleted,
    ).toBe(false);
  });
});

describe('isSameDocument', () => {
  it('ignores the server stamp and RxDB bookkeeping', () => {
    const withMeta = { ...contact({ _modified: T2 }), _meta: { lwt: 1 }, _rev: '1-a', _attachments: {} };
    expect(isSameDocument(contact(), withMeta)).toBe(true);
    expect(isSameDocument(contact({ _modified: undefined }), contact())).toBe(true);
  });

  it('sees any change of content, nested ones included', () => {
    expect(isSameDocument(contact(), contact({ name: 'Other' }))).toBe(false);
    expect(isSameDocument(contact(), contact({ updated_at: T1 }))).toBe(false);
    expect(isSameDocument(contact(), contact({ _deleted: true }))).toBe(false);
    expect(isSameDocument(contact(), contact({ tags: ['vip', 'x'] }))).toBe(false);
    expect(isSameDocument(contact(), contact({ custom_fields: { city: 'Paris' } }))).toBe(false);
    expect(isSameDocument(contact(), contact({ custom_fields: { city: 'London', x: '' } }))).toBe(false);
    expect(isSameDocument(contact({ tags: ['a', 'b'] }), contact({ tags: ['b', 'a'] }))).toBe(false);
  });

  it('tells an array from an object with the same entries', () => {
    expect(isSameDocument({ v: ['a'] }, { v: { 0: 'a' } })).toBe(false);
    expect(isSameDocument({ v: null }, { v: {} })).toBe(false);
  });

  it('is true for a deep copy', () => {
    const original = contact({ tags: ['a', 'b'], custom_fields: { a: '1', b: '2' } });
    expect(isSameDocument(original, structuredClone(original))).toBe(true);
  });
});
