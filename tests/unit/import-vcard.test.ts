import { describe, expect, it } from 'vitest';
import { decodeStream } from '../../src/features/import/encoding.ts';
import { decodeQuotedPrintable, readVCards, type VCardRow } from '../../src/features/import/vcard.ts';
import { fixture, streamOf } from './import-fixtures.ts';

async function cards(name: string, chunkSize = 5): Promise<VCardRow[]> {
  const rows: VCardRow[] = [];
  for await (const batch of readVCards(decodeStream(streamOf(fixture(name), chunkSize))))
    rows.push(...batch.rows);
  return rows;
}

describe('readVCards: 2.1', () => {
  it.each([1, 5, 4096])(
    'reads quoted-printable with charsets, soft breaks and folding (chunks of %i)',
    async (size) => {
      const [juergen, anna] = await cards('contacts-2.1.vcf', size);
      expect(juergen).toEqual({
        line: 1,
        fields: {
          name: 'Jürgen Müller',
          phones: [
            { value: '+49 1512 3456789', types: ['cell', 'voice'] },
            { value: '030 123456', types: ['home'] },
          ],
          email: 'juergen@example.de',
          org: 'Acme GmbH',
          note: 'Grüße aus Berlin, bitte zurückrufen',
        },
      });
      expect(anna).toMatchObject({
        line: 12,
        fields: { name: 'Anna Schmidt', phones: [{ value: '030 1234567', types: ['work'] }] },
      });
      expect(anna?.fields.note).toBe('a long note that was folded by the exporting phone');
    },
  );
});

describe('readVCards: 3.0', () => {
  it('reads item groups with Apple labels, several TELs and escapes; several cards', async () => {
    const rows = await cards('contacts-3.0.vcf');
    expect(rows.map((r) => [r.line, r.fields.name])).toEqual([
      [1, 'Zoë 😀 Adams'],
      [14, 'Yuri'],
      [20, 'Xavier'],
    ]);
    expect(rows[0]?.fields).toMatchObject({
      phones: [
        { value: '+1 201 555 0130', types: ['mobile'] },
        { value: '+1 201 555 0131', types: ['office'] },
        { value: '(201) 555-0132', types: ['home', 'voice'] },
      ],
      email: 'zoe@example.com',
      org: 'Adams, Inc., Sales',
      note: 'line one\nline two',
    });
    expect(rows[1]?.fields.phones).toEqual([
      { value: '+44 121 234 5678', types: ['work'] },
      { value: '+44 7400 123459', types: ['cell', 'voice'] },
    ]);
  });
});

describe('readVCards: 4.0', () => {
  it('reads tel: URIs with quoted TYPE lists, PREF and extensions', async () => {
    const rows = await cards('contacts-4.0.vcf');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.fields.phones).toEqual([
      { value: '+1-201-555-0140', types: ['cell', 'voice'] },
      { value: '+1-201-555-0141;ext=102', types: ['work'] },
    ]);
    expect(rows[1]).toMatchObject({ line: 9, fields: { name: 'Victor', email: '' } });
  });
});

describe('decodeQuotedPrintable', () => {
  it('decodes bytes in the given charset, UTF-8 for an unknown label', () => {
    expect(decodeQuotedPrintable('Gr=FC=DFe', 'ISO-8859-1')).toBe('Grüße');
    expect(decodeQuotedPrintable('J=C3=BCrgen', 'no-such-charset')).toBe('Jürgen');
  });
});
