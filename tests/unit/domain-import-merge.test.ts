// The import's rule for phones already in the workspace (src/domain/import-merge.ts).
import { describe, expect, test } from 'vitest';
import { type ImportedFields, mergeImported } from '../../src/domain/import-merge.ts';

const current: ImportedFields = {
  name: 'Ada Lovelace',
  email: '',
  notes: 'prefers mornings',
  tags: ['vip'],
  group_ids: [],
  custom_fields: { city: 'London' },
};
const incoming: ImportedFields = {
  name: 'Ada Dup',
  email: 'ada@example.test',
  notes: '',
  tags: ['vip', 'fair'],
  group_ids: ['g1'],
  custom_fields: { city: 'Paris', plan: 'pro' },
};

describe('mergeImported', () => {
  test('fill (the default): empty fields take the file, non-empty ones stay, and each change is listed', () => {
    expect(mergeImported(current, incoming, 'fill')).toEqual({
      contact: {
        name: 'Ada Lovelace',
        email: 'ada@example.test',
        notes: 'prefers mornings',
        tags: ['vip', 'fair'],
        group_ids: ['g1'],
        custom_fields: { city: 'London', plan: 'pro' },
      },
      changes: [
        { field: 'email', from: '', to: 'ada@example.test' },
        { field: 'tags', from: 'vip', to: 'vip, fair' },
        { field: 'groups', from: '0', to: '1' },
        { field: 'custom fields', from: 'city: London', to: 'city: London, plan: pro' },
      ],
    });
  });

  test('update: the file replaces where it has a value, keeps where it has none', () => {
    const merged = mergeImported(current, incoming, 'update');
    expect(merged?.contact).toMatchObject({
      name: 'Ada Dup',
      email: 'ada@example.test',
      notes: 'prefers mornings',
      custom_fields: { city: 'Paris', plan: 'pro' },
    });
    expect(merged?.changes[0]).toEqual({ field: 'name', from: 'Ada Lovelace', to: 'Ada Dup' });
  });

  test('skip, or a file saying nothing new: no change', () => {
    expect(mergeImported(current, incoming, 'skip')).toBeUndefined();
    expect(mergeImported(current, { ...current, name: '' }, 'update')).toBeUndefined();
  });

  test('a custom field named __proto__ stays data', () => {
    const merged = mergeImported(
      current,
      { ...current, custom_fields: JSON.parse('{"__proto__":"x"}') },
      'fill',
    );
    expect(Object.hasOwn(merged?.contact.custom_fields ?? {}, '__proto__')).toBe(true);
  });
});
