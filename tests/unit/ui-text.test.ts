import { describe, expect, it } from 'vitest';
import {
  instantOf,
  localOf,
  minutesOfDay,
  msOfSeconds,
  secondsOf,
  timeOfDay,
} from '../../src/ui/campaigns/form-values.ts';
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

describe('campaign editor values', () => {
  it('reads and writes times of day as minutes, empty as no window, junk as NaN', () => {
    expect(minutesOfDay('09:30')).toBe(570);
    expect(minutesOfDay('')).toBeNull();
    expect(minutesOfDay('9h')).toBeNaN();
    expect(timeOfDay(570)).toBe('09:30');
    expect(timeOfDay(null)).toBe('');
  });

  it("reads a local start in the campaign's zone, across a daylight-saving change", () => {
    expect(instantOf('2026-07-01T09:00', 'Europe/Berlin')).toBe('2026-07-01T07:00:00.000Z');
    expect(instantOf('2026-12-01T09:00', 'Europe/Berlin')).toBe('2026-12-01T08:00:00.000Z');
    expect(localOf('2026-12-01T08:00:00.000Z', 'Europe/Berlin')).toBe('2026-12-01T09:00');
    // Unreadable text goes on as typed, for the draft's check to name.
    expect(instantOf('tomorrow', 'Europe/Berlin')).toBe('tomorrow');
  });

  it('reads delays in seconds as whole milliseconds', () => {
    expect(msOfSeconds('1.5')).toBe(1500);
    expect(msOfSeconds('')).toBe(0);
    expect(msOfSeconds('soon')).toBeNaN();
    expect(secondsOf(2500)).toBe('2.5');
  });
});
