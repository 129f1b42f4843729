import { describe, expect, it } from 'vitest';
import { cellText, readXlsx, UnreadableWorkbookError } from '../../src/features/import/xlsx.ts';
import { xlsxOf } from './import-fixtures.ts';

async function rowsOf(bytes: Uint8Array<ArrayBuffer>) {
  const batches = [];
  for await (const batch of readXlsx(new Blob([bytes]))) batches.push(batch);
  return { headers: batches.at(-1)?.headers ?? [], rows: batches.flatMap((b) => b.rows) };
}

describe('readXlsx', () => {
  it('reads the first sheet: header, rows numbered as the spreadsheet does, numbers written out', async () => {
    const { headers, rows } = await rowsOf(
      xlsxOf(
        [
          ['Name', 'Mobile Phone', 'E-mail Address', 'Company'],
          ['José 🎉 García', '+34 612 345 678', 'jose@example.com', 'ACME & Co'],
          [null, null, null, null],
          ['Ana', 612345679, null, null],
          ['Too Many', '+34 612 345 680', 'x@example.com', 'Org', 'extra'],
        ],
        [['Not this sheet'], ['at all']],
      ),
    );
    expect(headers).toEqual(['Name', 'Mobile Phone', 'E-mail Address', 'Company']);
    expect(rows.map((r) => [r.line, r.fields])).toEqual([
      [
        2,
        {
          Name: 'José 🎉 García',
          'Mobile Phone': '+34 612 345 678',
          'E-mail Address': 'jose@example.com',
          Company: 'ACME & Co',
        },
      ],
      [4, { Name: 'Ana', 'Mobile Phone': '612345679', 'E-mail Address': '', Company: '' }],
      [
        5,
        {
          Name: 'Too Many',
          'Mobile Phone': '+34 612 345 680',
          'E-mail Address': 'x@example.com',
          Company: 'Org',
          'Column 5': 'extra',
        },
      ],
    ]);
    expect(rows.map((r) => r.note)).toEqual([
      undefined,
      undefined,
      expect.stringMatching(/5 fields where the header has 4/),
    ]);
  });

  it('refuses a file that is not a workbook with a message saying what to do', async () => {
    const notZip = new Blob([new TextEncoder().encode('Name,Phone\nAna,+34612345678\n')]);
    const read = async () => {
      for await (const _ of readXlsx(notZip)) {
        // reading is the point
      }
    };
    await expect(read()).rejects.toThrow(UnreadableWorkbookError);
    await expect(read()).rejects.toThrow(/save it again as .xlsx or CSV/);
  });

  it('writes cells as a CSV export would hold them', () => {
    expect(cellText(4915112345678)).toBe('4915112345678');
    expect(cellText(1e20)).toBe('100000000000000000000');
    expect(cellText(12.5)).toBe('12.5');
    expect(cellText(true)).toBe('TRUE');
    expect(cellText(new Date('2024-03-01T00:00:00Z'))).toBe('2024-03-01');
    expect(cellText(null)).toBe('');
  });
});
