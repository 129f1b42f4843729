import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { perSecond, secondsLeft } from '../../src/features/import/progress.ts';
import { rejectedRowsCsv } from '../../src/features/import/report.ts';

describe('rejected-rows CSV', () => {
  it('escapes quotes, separators and line breaks so a CSV reader gets the values back', () => {
    const raw = { Name: 'Ann "the" O\'Neil, Jr.', Phone: '12', Notes: 'line one\r\nline two' };
    const csv = rejectedRowsCsv(
      ['Name', 'Phone', 'Notes'],
      [{ line: 7, name: 'Ann', reason: 'phone "12": too short', raw }],
    );
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const parsed = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data;
    expect(parsed).toEqual([
      ['Row', 'Reason', 'Name', 'Phone', 'Notes'],
      ['7', 'phone "12": too short', 'Ann "the" O\'Neil, Jr.', '12', 'line one\r\nline two'],
    ]);
  });

  it('lists rows in file order, with columns only some rows had appended', () => {
    const csv = rejectedRowsCsv(
      ['Name', 'Phone'],
      [
        { line: 9, name: 'B', reason: 'b', raw: { Name: 'B', Phone: '', 'Column 3': 'extra' } },
        { line: 3, name: 'A', reason: 'a', raw: { Name: 'A', Phone: 'x' } },
      ],
    );
    expect(Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data).toEqual([
      ['Row', 'Reason', 'Name', 'Phone', 'Column 3'],
      ['3', 'a', 'A', 'x', ''],
      ['9', 'b', 'B', '', 'extra'],
    ]);
  });
});

describe('progress figures', () => {
  it('gives rows per second and the time left at the pace so far', () => {
    expect(perSecond(5000, 2000)).toBe(2500);
    expect(perSecond(10, 0)).toBe(0);
    expect(secondsLeft(0.25, 10_000)).toBe(30);
    expect(secondsLeft(1, 10_000)).toBe(0);
    // Too early to say.
    expect(secondsLeft(0.005, 10_000)).toBeUndefined();
    expect(secondsLeft(0.5, 100)).toBeUndefined();
  });
});
