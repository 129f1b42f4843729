import { describe, expect, it } from 'vitest';
import { type CsvRow, readCsv, uniqueHeaders } from '../../src/features/import/csv.ts';
import { decodeStream } from '../../src/features/import/encoding.ts';
import { fixture, streamOf } from './import-fixtures.ts';

async function parse(bytes: Uint8Array, chunkSize = 7) {
  let headers: string[] = [];
  const rows: CsvRow[] = [];
  const progress: number[] = [];
  for await (const batch of readCsv(decodeStream(streamOf(bytes, chunkSize)))) {
    headers = batch.headers;
    rows.push(...batch.rows);
    progress.push(batch.bytesRead);
  }
  return { headers, rows, progress };
}

describe('readCsv: Spanish Excel export (BOM, CRLF, semicolons, quoted newline)', () => {
  it.each([1, 7, 64 * 1024])('reads the same rows in chunks of %i bytes', async (size) => {
    const { headers, rows } = await parse(fixture('spanish-bom-crlf-semicolon.csv'), size);
    expect(headers).toEqual([
      'Nombre',
      'Apellidos',
      'Móvil',
      'Teléfono',
      'Correo electrónico',
      'Notas',
      'Empresa',
    ]);
    expect(rows.map((r) => r.line)).toEqual([2, 4, 5, 6, 7, 8]);
    expect(rows[0]?.fields).toEqual({
      Nombre: 'José',
      Apellidos: 'García',
      Móvil: '612 345 678',
      Teléfono: '912 345 678',
      'Correo electrónico': 'jose@example.es',
      Notas: 'Cliente VIP\r\nllamar por la tarde',
      Empresa: 'Acme; S.L.',
    });
    expect(rows[0]?.note).toBeUndefined();
    expect(rows[1]?.fields.Nombre).toBe('Ana 🎉');
  });

  it('keeps a row with fewer fields, the missing ones empty, with a note', async () => {
    const { rows } = await parse(fixture('spanish-bom-crlf-semicolon.csv'));
    const short = rows.find((r) => r.line === 5);
    expect(short?.fields).toMatchObject({ Nombre: 'Luis', Móvil: '612 345 680', Teléfono: '', Empresa: '' });
    expect(short?.note).toMatch(/3 fields where the header has 7/);
  });

  it('keeps a row with more fields, the extra one under a positional name, with a note', async () => {
    const { rows } = await parse(fixture('spanish-bom-crlf-semicolon.csv'));
    const long = rows.find((r) => r.line === 6);
    expect(long?.fields).toMatchObject({ Nombre: 'Marta', Empresa: 'Beta', 'Column 8': 'sobra' });
    expect(long?.note).toMatch(/8 fields where the header has 7/);
  });
});

describe('readCsv: other delimiters and encodings', () => {
  it('reads a TSV (Outlook) with CRLF', async () => {
    const { headers, rows } = await parse(fixture('outlook.tsv'));
    expect(headers).toContain('Mobile Phone');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.fields['Business Phone']).toBe('(201) 555-0123');
    expect(rows[1]).toMatchObject({
      line: 3,
      fields: { 'First Name': 'Jane', 'Home Phone': '201.555.0125' },
    });
  });

  it('reads a UTF-16 LE file', async () => {
    const { headers, rows } = await parse(fixture('german-utf16le-bom.csv'), 3);
    expect(headers).toEqual(['Vorname', 'Name', 'Handy', 'Telefon', 'E-Mail']);
    expect(rows.map((r) => r.fields.Name)).toEqual(['Müller', 'Şahin']);
  });

  it('reads a Windows-1252 file', async () => {
    const { rows } = await parse(fixture('french-windows-1252.csv'));
    expect(rows[0]?.fields).toMatchObject({ Prénom: 'Hélène', Nom: 'Dupré', Portable: '06 12 34 56 78' });
    expect(rows[1]?.fields.Prénom).toBe('Jürgen');
  });

  it('reads Google multi-value cells as one field', async () => {
    const { rows } = await parse(fixture('google.csv'));
    expect(rows[1]?.fields['Phone 1 - Value']).toBe('07400 123457 ::: 07400 123458');
  });

  it('guesses the delimiter only after enough text, so a quoted field over chunks is whole', async () => {
    const note = 'x'.repeat(20_000);
    const text = `Name,Phone,Note\nA,07400 123456,"${note}\n${note}"\nB,07400 123457,short\n`;
    const bytes = new TextEncoder().encode(text);
    const { rows, progress } = await parse(bytes, 1000);
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(rows[0]?.fields.Note).toBe(`${note}\n${note}`);
  });
});

describe('uniqueHeaders', () => {
  it('names blank headers by position and numbers repeated ones', () => {
    expect(uniqueHeaders(['Phone', ' ', 'Phone', 'Phone'])).toEqual([
      'Phone',
      'Column 2',
      'Phone (2)',
      'Phone (3)',
    ]);
  });
});
