import { describe, expect, it } from 'vitest';
import { insertAt, joinList, lineAndColumn, plural, safeNext, splitList } from '../../src/ui/text.ts';

describe('ui text helpers', () => {
  it('splits a comma-separated list, trimming and dropping empties and repeats', () => {
    expect(splitList(' vip, lead ,, Lisbon,vip ')).toEqual(['vip', 'lead', 'Lisbon']);
    expect(splitList('')).toEqual([]);
    expect(joinList(['vip', 'lead'])).toBe('vip, lead');
  });

  it('inserts at the caret or over the selection, and puts the caret after the insert', () => {
    expect(insertAt('Hi !', 3, 3, '{{name}}')).toEqual({ text: 'Hi {{name}}!', caret: 11 });
    expect(insertAt('Hi you!', 3, 6, '{{name}}')).toEqual({ text: 'Hi {{name}}!', caret: 11 });
    expect(insertAt('abc', 10, 12, 'x')).toEqual({ text: 'abcx', caret: 4 });
  });

  it('gives 1-based line and column of an offset', () => {
    expect(lineAndColumn('ab\ncd{{', 5)).toEqual({ line: 2, column: 3 });
    expect(lineAndColumn('{{', 0)).toEqual({ line: 1, column: 1 });
  });

  it('pluralises with thousands separators', () => {
    expect(plural(1, 'change', 'changes')).toBe('1 change');
    expect(plural(100000, 'contact', 'contacts')).toBe('100,000 contacts');
  });

  it('accepts only in-app paths as a redirect target', () => {
    expect(safeNext('/contacts/1?q=a')).toBe('/contacts/1?q=a');
    expect(safeNext('//evil.example')).toBeUndefined();
    expect(safeNext('/\\evil.example')).toBeUndefined();
    expect(safeNext('https://evil.example')).toBeUndefined();
    expect(safeNext(undefined)).toBeUndefined();
  });
});
