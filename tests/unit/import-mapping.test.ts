import { describe, expect, it } from 'vitest';
import { type CsvRow, readCsv } from '../../src/features/import/csv.ts';
import { decodeStream } from '../../src/features/import/encoding.ts';
import {
  assertHasPhone,
  type ColumnMapping,
  detectMapping,
  mapCsvRow,
  mapVCardRow,
  NoPhoneColumnError,
} from '../../src/features/import/mapping.ts';
import { fixture } from './import-fixtures.ts';

async function readFixture(name: string) {
  const bytes = fixture(name);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  let headers: string[] = [];
  const rows: CsvRow[] = [];
  for await (const batch of readCsv(decodeStream(stream))) {
    headers = batch.headers;
    rows.push(...batch.rows);
  }
  return { headers, rows };
}

// header → role (and phone label) as a compact table.
function roles(mapping: ColumnMapping): Record<string, string> {
  return Object.fromEntries(
    mapping.columns.map((c) => [c.header, c.role === 'phone' ? `phone:${c.phoneLabel}` : c.role]),
  );
}

describe('detectMapping', () => {
  it('reads a Google Contacts export, pairing each phone value with its type column', async () => {
    const { headers } = await readFixture('google.csv');
    const mapping = detectMapping(headers);
    expect(roles(mapping)).toEqual({
      Name: 'name',
      'Given Name': 'first_name',
      'Family Name': 'last_name',
      'Group Membership': 'tags',
      'E-mail 1 - Type': 'custom',
      'E-mail 1 - Value': 'email',
      'Phone 1 - Type': 'ignore',
      'Phone 1 - Value': 'phone:other',
      'Phone 2 - Type': 'ignore',
      'Phone 2 - Value': 'phone:other',
      'Organization 1 - Name': 'custom',
    });
    expect(mapping.columns.find((c) => c.header === 'Phone 2 - Value')?.typeColumn).toBe('Phone 2 - Type');
    expect(mapping.columns.find((c) => c.header === 'Organization 1 - Name')?.customKey).toBe(
      'organization_1_name',
    );
  });

  it('reads an Outlook export', async () => {
    const { headers } = await readFixture('outlook.tsv');
    expect(roles(detectMapping(headers))).toEqual({
      'First Name': 'first_name',
      'Middle Name': 'middle_name',
      'Last Name': 'last_name',
      'E-mail Address': 'email',
      'Business Phone': 'phone:work',
      'Mobile Phone': 'phone:mobile',
      'Home Phone': 'phone:home',
      Company: 'custom',
    });
  });

  it('reads iPhone- and Android-style headers', () => {
    const headers = [
      'First name',
      'Last name',
      'Phone : mobile',
      'Phone : home',
      'iPhone',
      'Email : home',
      'Fax : work',
    ];
    expect(roles(detectMapping(headers))).toEqual({
      'First name': 'first_name',
      'Last name': 'last_name',
      'Phone : mobile': 'phone:mobile',
      'Phone : home': 'phone:home',
      iPhone: 'phone:mobile',
      'Email : home': 'email',
      'Fax : work': 'custom',
    });
  });

  it('reads Spanish headers, with Nombre as the given name next to Apellidos', async () => {
    const { headers } = await readFixture('spanish-bom-crlf-semicolon.csv');
    expect(roles(detectMapping(headers))).toEqual({
      Nombre: 'first_name',
      Apellidos: 'last_name',
      Móvil: 'phone:mobile',
      Teléfono: 'phone:other',
      'Correo electrónico': 'email',
      Notas: 'notes',
      Empresa: 'custom',
    });
    expect(roles(detectMapping(['Nombre', 'Celular']))).toEqual({ Nombre: 'name', Celular: 'phone:mobile' });
  });

  it('reads German headers, with Name as the family name next to Vorname', async () => {
    const { headers } = await readFixture('german-utf16le-bom.csv');
    expect(roles(detectMapping(headers))).toEqual({
      Vorname: 'first_name',
      Name: 'last_name',
      Handy: 'phone:mobile',
      Telefon: 'phone:other',
      'E-Mail': 'email',
    });
    expect(roles(detectMapping(['Name', 'Telefon geschäftlich']))).toEqual({
      Name: 'name',
      'Telefon geschäftlich': 'phone:work',
    });
  });

  it('reads French and Italian headers', async () => {
    const { headers } = await readFixture('french-windows-1252.csv');
    expect(roles(detectMapping(headers))).toEqual({
      Prénom: 'first_name',
      Nom: 'last_name',
      Portable: 'phone:mobile',
      Téléphone: 'phone:other',
      Courriel: 'email',
    });
    expect(roles(detectMapping(['Nome', 'Cellulare', 'Note']))).toEqual({
      Nome: 'name',
      Cellulare: 'phone:mobile',
      Note: 'notes',
    });
  });

  it('refuses a file with no column that can be a phone, naming its columns', async () => {
    const { headers } = await readFixture('no-phone.csv');
    expect(() => detectMapping(headers)).toThrow(NoPhoneColumnError);
    expect(() => detectMapping(headers)).toThrow(
      /No column looks like a phone number \(columns: Name, Email, Company\)/,
    );
  });

  it('takes a column whose sample values are mostly phones when no header names one', async () => {
    const rows = [
      { line: 2, fields: { Cliente: 'Ana', Número: '612 345 678', Pedido: '1001' } },
      { line: 3, fields: { Cliente: 'Luis', Número: 'n/a', Pedido: '1002' } },
      { line: 4, fields: { Cliente: 'Eva', Número: '+34 612 345 679', Pedido: '1003' } },
    ];
    const mapping = detectMapping(['Cliente', 'Número', 'Pedido'], { rows, defaultCountry: 'ES' });
    expect(roles(mapping)).toEqual({ Cliente: 'custom', Número: 'phone:other', Pedido: 'custom' });

    const noPhone = await readFixture('no-phone.csv');
    expect(() => detectMapping(noPhone.headers, { rows: noPhone.rows, defaultCountry: 'GB' })).toThrow(
      NoPhoneColumnError,
    );
  });

  it('refuses a mapping the user edited to have no phone', () => {
    const mapping = detectMapping(['Name', 'Mobile']);
    mapping.columns[1]!.role = 'custom';
    expect(() => assertHasPhone(mapping)).toThrow(NoPhoneColumnError);
  });
});

describe('mapCsvRow', () => {
  it('reads Google rows: typed phones, multi-value cells, system groups dropped, extra emails kept', async () => {
    const { headers, rows } = await readFixture('google.csv');
    const mapping = detectMapping(headers);
    const [alice, bob, carol] = rows.map((row) => mapCsvRow(row, mapping));
    expect(alice).toMatchObject({
      line: 2,
      name: 'Alice Smith',
      phones: [
        { value: '0121 234 5678', label: 'work' },
        { value: '07400 123456', label: 'mobile' },
      ],
      email: 'alice@example.com',
      tags: ['Friends'],
      custom: { e_mail_1_type: '* Work', organization_1_name: 'Acme Ltd' },
    });
    expect(bob?.phones).toEqual([
      { value: '07400 123457', label: 'mobile' },
      { value: '07400 123458', label: 'mobile' },
    ]);
    expect(bob?.tags).toEqual([]);
    expect(carol?.tags).toEqual(['Friends', 'Family']);
  });

  it('reads the kind in a phone type column in any language', () => {
    const mapping = detectMapping(['Phone 1 - Type', 'Phone 1 - Value']);
    const kinds = ['* Móvil', 'Trabajo', 'Pager', ''].map(
      (kind) =>
        mapCsvRow({ line: 2, fields: { 'Phone 1 - Type': kind, 'Phone 1 - Value': '1' } }, mapping).phones[0]
          ?.label,
    );
    expect(kinds).toEqual(['mobile', 'work', 'pager', 'other']);
  });

  it('joins first, middle and last names when there is no full-name column', async () => {
    const { headers, rows } = await readFixture('outlook.tsv');
    const john = mapCsvRow(rows[0]!, detectMapping(headers));
    expect(john).toMatchObject({ name: 'John Q Public', custom: { company: 'Initech' } });
    expect(john.raw['First Name']).toBe('John');
  });
});

describe('mapVCardRow', () => {
  it('labels vCard phones by their types and keeps the organisation', () => {
    const mapped = mapVCardRow({
      line: 4,
      fields: {
        name: 'Zoë',
        phones: [
          { value: '+1 201 555 0131', types: ['office'] },
          { value: '+1 201 555 0130', types: ['cell', 'voice'] },
          { value: '(201) 555-0132', types: ['voice'] },
        ],
        email: 'zoe@example.com',
        org: 'Adams',
        note: 'hi',
      },
    });
    expect(mapped.phones.map((p) => p.label)).toEqual(['work', 'mobile', 'other']);
    expect(mapped).toMatchObject({ line: 4, notes: 'hi', custom: { org: 'Adams' } });
  });

  it('names a card with only an organisation after it', () => {
    const fields = { name: '', phones: [{ value: '+44 7400 123456', types: ['cell'] }], email: '', note: '' };
    expect(mapVCardRow({ line: 2, fields: { ...fields, org: 'Padaria Lisboa' } }).name).toBe(
      'Padaria Lisboa',
    );
    expect(mapVCardRow({ line: 2, fields: { ...fields, org: '' } }).name).toBe('');
  });
});
