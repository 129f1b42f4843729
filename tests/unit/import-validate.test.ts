import { describe, expect, it } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import type { CountryCode } from '../../src/domain/phone.ts';
import { readCsv } from '../../src/features/import/csv.ts';
import { decodeStream } from '../../src/features/import/encoding.ts';
import { detectMapping, type MappedRow, mapCsvRow, mapVCardRow } from '../../src/features/import/mapping.ts';
import { ContactValidator, type ValidationResult } from '../../src/features/import/validate.ts';
import { readVCards } from '../../src/features/import/vcard.ts';
import { fixture, streamOf } from './import-fixtures.ts';

const WORKSPACE = '0b6a3c55-1f1e-4f4e-9d7e-2d6f1c1b9a01';

async function csvRows(name: string): Promise<MappedRow[]> {
  const rows: MappedRow[] = [];
  for await (const batch of readCsv(decodeStream(streamOf(fixture(name), 64 * 1024)))) {
    if (batch.rows.length === 0) continue;
    const mapping = detectMapping(batch.headers);
    rows.push(...batch.rows.map((row) => mapCsvRow(row, mapping)));
  }
  return rows;
}

async function vcardRows(name: string): Promise<MappedRow[]> {
  const rows: MappedRow[] = [];
  for await (const batch of readVCards(decodeStream(streamOf(fixture(name), 64 * 1024))))
    rows.push(...batch.rows.map(mapVCardRow));
  return rows;
}

function validate(rows: MappedRow[], defaultCountry: CountryCode): ValidationResult {
  return new ContactValidator({ workspaceId: WORKSPACE, defaultCountry }).validate(rows);
}

describe('ContactValidator on a Spanish export (default country ES)', () => {
  it('accepts national numbers, the mobile one as the phone, the landline kept', async () => {
    const { accepted } = validate(await csvRows('spanish-bom-crlf-semicolon.csv'), 'ES');
    expect(accepted.map((c) => [c.line, c.phone, c.name])).toEqual([
      [2, '+34612345678', 'José García'],
      [4, '+34612345679', 'Ana 🎉 López'],
      [5, '+34612345680', 'Luis Pérez'],
      [6, '+34612345681', 'Marta Ruiz'],
    ]);
    expect(accepted[0]).toEqual({
      id: contactId(WORKSPACE, '+34612345678'),
      line: 2,
      phone: '+34612345678',
      name: 'José García',
      email: 'jose@example.es',
      tags: [],
      notes: 'Cliente VIP\r\nllamar por la tarde',
      custom_fields: { empresa: 'Acme; S.L.', phone_other: '+34912345678' },
    });
    expect(accepted[3]?.custom_fields).toEqual({ empresa: 'Beta', column_8: 'sobra' });
  });

  it('rejects a number with an extension, with its row and the reason', async () => {
    const { rejected } = validate(await csvRows('spanish-bom-crlf-semicolon.csv'), 'ES');
    expect(rejected).toEqual([
      {
        line: 7,
        name: 'Pedro Gil',
        reason: 'phone "912 345 678 ext. 12": has an extension — WhatsApp can\'t reach extensions',
        raw: expect.objectContaining({ Nombre: 'Pedro', Teléfono: '912 345 678 ext. 12' }),
      },
    ]);
  });

  it('reports a later row with the same number, written differently, as a duplicate of the first', async () => {
    const { duplicates } = validate(await csvRows('spanish-bom-crlf-semicolon.csv'), 'ES');
    expect(duplicates).toEqual([{ line: 8, firstLine: 2, phone: '+34612345678' }]);
  });
});

describe('ContactValidator on a Google export (default country GB)', () => {
  it('prefers the mobile over an earlier work number and keeps the others as custom fields', async () => {
    const result = validate(await csvRows('google.csv'), 'GB');
    expect(result.accepted.map((c) => [c.line, c.phone, c.custom_fields])).toEqual([
      [
        2,
        '+447400123456',
        { e_mail_1_type: '* Work', organization_1_name: 'Acme Ltd', phone_work: '+441212345678' },
      ],
      [3, '+447400123457', { phone_mobile: '+447400123458' }],
    ]);
    expect(result.duplicates).toEqual([{ line: 4, firstLine: 2, phone: '+447400123456' }]);
    expect(result.rejected.map(({ line, reason }) => [line, reason])).toEqual([
      [5, 'phone "123": too short'],
    ]);
  });
});

describe('ContactValidator on other formats', () => {
  it('lets the number labelled mobile win where the numbering plan cannot tell (US)', async () => {
    const { accepted } = validate(await csvRows('outlook.tsv'), 'US');
    expect(accepted.map((c) => [c.phone, c.custom_fields])).toEqual([
      ['+12015550124', { company: 'Initech', phone_work: '+12015550123' }],
      ['+12015550125', {}],
    ]);
  });

  it('reads German numbers from a UTF-16 file', async () => {
    const { accepted } = validate(await csvRows('german-utf16le-bom.csv'), 'DE');
    expect(accepted.map((c) => [c.name, c.phone, c.email])).toEqual([
      ['Jürgen Müller', '+4915123456789', 'jm@example.de'],
      ['Özlem Şahin', '+4915123456780', ''],
    ]);
  });

  it('keeps a vCard 4.0 extension number as written and rejects a card with only one', async () => {
    const result = validate(await vcardRows('contacts-4.0.vcf'), 'US');
    expect(result.accepted).toHaveLength(1);
    expect(result.accepted[0]).toMatchObject({
      line: 1,
      name: 'Wendy Wu',
      phone: '+12015550140',
      email: 'wendy@example.com',
      custom_fields: { phone_work: '+1-201-555-0141;ext=102' },
    });
    expect(result.rejected).toMatchObject([{ line: 9, reason: expect.stringMatching(/has an extension/) }]);
  });

  it('rejects a row without any phone', () => {
    const row: MappedRow = {
      line: 3,
      name: 'Nobody',
      phones: [],
      email: '',
      tags: [],
      notes: '',
      custom: {},
      raw: {},
    };
    expect(validate([row], 'GB').rejected).toEqual([
      { line: 3, name: 'Nobody', reason: 'no phone number', raw: {} },
    ]);
  });
});

describe('ContactValidator across batches', () => {
  it('finds duplicates of rows validated in an earlier batch', async () => {
    const rows = await vcardRows('contacts-3.0.vcf');
    const validator = new ContactValidator({ workspaceId: WORKSPACE, defaultCountry: 'US' });
    const batches = rows.map((row) => validator.validate([row]));
    expect(batches.map((b) => b.accepted.map((c) => [c.line, c.name, c.phone]))).toEqual([
      [[1, 'Zoë 😀 Adams', '+12015550130']],
      [[14, 'Yuri', '+447400123459']],
      [],
    ]);
    expect(batches[0]?.accepted[0]?.custom_fields).toEqual({
      org: 'Adams, Inc., Sales',
      phone_work: '+12015550131',
      phone_home: '+12015550132',
    });
    expect(batches[2]?.duplicates).toEqual([{ line: 20, firstLine: 1, phone: '+12015550130' }]);
  });
});
