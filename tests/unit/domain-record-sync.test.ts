import { describe, expect, it } from 'vitest';
import { mergeCampaign, mergeContact, mergeTemplate } from '../../src/domain/merge.ts';
import {
  issueKey,
  isUnsynced,
  MAX_RECORDS,
  mergeOutcome,
  type RecordIssues,
  recordState,
  withFieldValue,
  withMerges,
  without,
  withRefusals,
} from '../../src/domain/record-sync.ts';
import type { Campaign, Contact, Template } from '../../src/domain/types.ts';

const T0 = '2025-03-01T09:00:00.000Z';
const T1 = '2025-03-01T10:00:00.000Z';
const T2 = '2025-03-01T11:00:00.000Z';
const AT = '2025-03-01T12:00:00.000Z';

function contact(changes: Partial<Contact> = {}): Contact {
  return {
    id: 'c1',
    workspace_id: 'w1',
    phone: '+447400123456',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    tags: ['vip'],
    group_ids: [],
    custom_fields: { city: 'London' },
    opted_out: false,
    opted_out_at: null,
    notes: '',
    updated_at: T0,
    _deleted: false,
    ...changes,
  };
}

type Doc = Record<string, unknown>;
const asDoc = (value: object) => value as Doc;

function contactOutcome(base: Contact | undefined, local: Contact, remote: Contact) {
  const merged = mergeContact({ base, local, remote });
  return mergeOutcome(
    'contacts',
    { base: base && asDoc(base), local: asDoc(local), remote: asDoc(remote) },
    asDoc(merged),
    AT,
  );
}

describe('mergeOutcome', () => {
  it('reports a field both sides changed to different values, with both values and the side kept', () => {
    const base = contact();
    const local = contact({ name: 'Ada (mine)', updated_at: T1 });
    const remote = contact({ name: 'Ada (theirs)', updated_at: T2 });
    expect(contactOutcome(base, local, remote)).toEqual({
      conflicts: [{ field: 'name', mine: 'Ada (mine)', theirs: 'Ada (theirs)', kept: 'theirs', at: AT }],
    });
    // The other way round, the newer local edit is kept.
    const later = contactOutcome(
      base,
      contact({ name: 'Ada (mine)', updated_at: T2 }),
      contact({ name: 'Ada (theirs)', updated_at: T1 }),
    );
    expect(later.conflicts).toEqual([expect.objectContaining({ field: 'name', kept: 'mine' })]);
  });

  it('stays silent where the sides changed different fields, the same way, or one side only', () => {
    const base = contact();
    expect(
      contactOutcome(
        base,
        contact({ name: 'New', updated_at: T1 }),
        contact({ email: 'x@y.z', updated_at: T2 }),
      ),
    ).toEqual({ conflicts: [] });
    expect(
      contactOutcome(
        base,
        contact({ name: 'Same', updated_at: T1 }),
        contact({ name: 'Same', updated_at: T2 }),
      ),
    ).toEqual({ conflicts: [] });
    expect(
      contactOutcome(base, contact({ notes: 'n', updated_at: T1 }), contact({ updated_at: T2 })),
    ).toEqual({ conflicts: [] });
    // Tags merge as sets: both additions are kept, nothing was decided.
    expect(
      contactOutcome(
        base,
        contact({ tags: ['vip', 'a'], updated_at: T1 }),
        contact({ tags: ['vip', 'b'], updated_at: T2 }),
      ),
    ).toEqual({ conflicts: [] });
  });

  it('reports one custom field at a time, not the whole record', () => {
    const base = contact();
    const outcome = contactOutcome(
      base,
      contact({ custom_fields: { city: 'Paris', size: 'L' }, updated_at: T2 }),
      contact({ custom_fields: { city: 'Rome', team: 'B' }, updated_at: T1 }),
    );
    expect(outcome.conflicts).toEqual([
      { field: 'custom_fields.city', mine: 'Paris', theirs: 'Rome', kept: 'mine', at: AT },
    ]);
  });

  it('without a base (two offline inserts) reports values both sides hold, not a value one side lacks', () => {
    const outcome = contactOutcome(
      undefined,
      contact({ name: 'From import', email: '', updated_at: T1 }),
      contact({ name: 'Typed', email: 'a@b.c', updated_at: T2 }),
    );
    expect(outcome.conflicts.map((c) => c.field)).toEqual(['name']);
  });

  it('tells when an edit brought back a record deleted on the other side', () => {
    const base = contact();
    const edited = contactOutcome(
      base,
      contact({ name: 'Edited', updated_at: T2 }),
      contact({ _deleted: true, updated_at: T1 }),
    );
    expect(edited.restored).toEqual({ at: AT, deletedHere: false });
    const undone = contactOutcome(
      base,
      contact({ _deleted: true, updated_at: T1 }),
      contact({ name: 'Edited', updated_at: T2 }),
    );
    expect(undone.restored).toEqual({ at: AT, deletedHere: true });
    // A delete made after the edit wins: nothing was restored.
    expect(
      contactOutcome(
        base,
        contact({ name: 'Edited', updated_at: T1 }),
        contact({ _deleted: true, updated_at: T2 }),
      ).restored,
    ).toBeUndefined();
  });

  it('uses the fields each merge decides: templates, and a launched campaign only by its name', () => {
    const template = (changes: Partial<Template>): Template =>
      ({
        id: 't1',
        workspace_id: 'w1',
        name: 'Hi',
        body: 'Hello',
        language: 'en',
        category: 'marketing',
        updated_at: T0,
        _deleted: false,
        ...changes,
      }) as Template;
    const [base, local, remote] = [
      template({}),
      template({ body: 'Mine', updated_at: T1 }),
      template({ body: 'Theirs', updated_at: T2 }),
    ];
    const merged = mergeTemplate({ base, local, remote });
    expect(
      mergeOutcome(
        'templates',
        { base: asDoc(base), local: asDoc(local), remote: asDoc(remote) },
        asDoc(merged),
        AT,
      ).conflicts,
    ).toEqual([{ field: 'body', mine: 'Mine', theirs: 'Theirs', kept: 'theirs', at: AT }]);

    const campaign = (changes: Partial<Campaign>) =>
      ({
        id: 'k1',
        workspace_id: 'w1',
        name: 'Spring',
        body: 'Hi',
        status: 'draft',
        updated_at: T0,
        _deleted: false,
        ...changes,
      }) as unknown as Campaign;
    const cBase = campaign({});
    const cLocal = campaign({ body: 'Mine', updated_at: T2 });
    const cRemote = campaign({ body: 'Theirs', status: 'running', updated_at: T1 });
    const cMerged = mergeCampaign({ base: cBase, local: cLocal, remote: cRemote });
    // Once launched the server owns the draft fields: no choice to offer on them.
    expect(
      mergeOutcome(
        'campaigns',
        { base: asDoc(cBase), local: asDoc(cLocal), remote: asDoc(cRemote) },
        asDoc(cMerged),
        AT,
      ).conflicts,
    ).toEqual([]);
  });
});

describe('the issue map', () => {
  const key = issueKey('contacts', 'c1');
  const conflict = (field: string, mine: string) => ({
    field,
    mine,
    theirs: 'x',
    kept: 'theirs' as const,
    at: AT,
  });

  it('keeps one decision per field (the latest), a refusal, and a restore, and drops an entry once empty', () => {
    let issues: RecordIssues = {};
    issues = withMerges(issues, [[key, { conflicts: [conflict('name', 'a'), conflict('email', 'e')] }]]);
    issues = withMerges(issues, [[key, { conflicts: [conflict('name', 'b')] }]]);
    expect(issues[key]?.conflicts?.map((c) => [c.field, c.mine])).toEqual([
      ['email', 'e'],
      ['name', 'b'],
    ]);
    expect(withMerges(issues, [[key, { conflicts: [] }]])).toBe(issues);

    issues = withRefusals(issues, [{ key, reason: 'check violated' }], AT);
    expect(recordState(false, issues[key])).toBe('error');
    issues = without(issues, key, { error: true });
    expect(recordState(true, issues[key])).toBe('conflict');
    issues = without(without(issues, key, { field: 'name' }), key, { field: 'email' });
    expect(issues).toEqual({});
    expect(without(issues, key, { restored: true })).toBe(issues);
  });

  it('names a record pending when it only waits, synced otherwise; only waiting and refused count as not synced', () => {
    expect(recordState(true, undefined)).toBe('pending');
    expect(recordState(false, undefined)).toBe('synced');
    expect(recordState(false, { restored: { at: AT, deletedHere: false } })).toBe('conflict');
    expect([
      isUnsynced('pending'),
      isUnsynced('error'),
      isUnsynced('conflict'),
      isUnsynced('synced'),
    ]).toEqual([true, true, false, false]);
  });
});

describe('withFieldValue', () => {
  it('sets a field, or one custom field (an undefined value removes the key; "__proto__" stays data)', () => {
    const doc = { id: 'c1', name: 'A', custom_fields: { city: 'London', size: 'L' } };
    expect(withFieldValue(doc, 'name', 'B')).toEqual({ ...doc, name: 'B' });
    expect(withFieldValue(doc, 'custom_fields.city', 'Paris').custom_fields).toEqual({
      city: 'Paris',
      size: 'L',
    });
    expect(withFieldValue(doc, 'custom_fields.size', undefined).custom_fields).toEqual({ city: 'London' });
    const odd = withFieldValue(doc, 'custom_fields.__proto__', 'x').custom_fields as Record<string, unknown>;
    expect(Object.hasOwn(odd, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype);
  });
});

describe('the size of the issue map', () => {
  it('keeps the newest MAX_RECORDS records', () => {
    let issues: RecordIssues = {};
    const rows = Array.from({ length: MAX_RECORDS + 5 }, (_, i) => ({
      key: issueKey('contacts', `c${i}`),
      reason: 'refused',
    }));
    issues = withRefusals(issues, rows, AT);
    const keys = Object.keys(issues);
    expect(keys).toHaveLength(MAX_RECORDS);
    expect(keys[0]).toBe(issueKey('contacts', 'c5'));
    // A record refused again becomes the newest.
    issues = withRefusals(issues, [{ key: issueKey('contacts', 'c5'), reason: 'again' }], AT);
    expect(Object.keys(issues).at(-1)).toBe(issueKey('contacts', 'c5'));
  });
});
