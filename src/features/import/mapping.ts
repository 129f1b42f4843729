/**
 * What each column of an imported file holds, guessed from its header as Google Contacts, Outlook,
 * phone exports and spreadsheets in several languages write it; the user may then change it. Also
 * turns a CSV row or a vCard into the one shape validation reads.
 */
import { type CountryCode, normalizePhone } from '../../domain/phone.ts';
import { toVariableName } from '../../domain/variables.ts';
import type { CsvRow } from './csv.ts';
import type { VCardRow } from './vcard.ts';

export type ColumnRole =
  | 'name'
  | 'first_name'
  | 'middle_name'
  | 'last_name'
  | 'phone'
  | 'email'
  | 'tags'
  | 'notes'
  | 'custom'
  | 'ignore';

export interface ColumnAssignment {
  header: string;
  role: ColumnRole;
  /** For a phone: what kind it is (`mobile`, `home`, `work`, `other`), from the header. */
  phoneLabel?: string;
  /** For a phone: the column naming each row's kind (Google's `Phone 1 - Type`), which wins. */
  typeColumn?: string;
  /** For a custom field: its key, usable as a template variable. */
  customKey?: string;
}

export interface ColumnMapping {
  columns: ColumnAssignment[];
}

export interface MappedPhone {
  value: string;
  /** Lower case: `mobile`, `home`, `work`, `other`, or the file's own label. */
  label: string;
}

/** A row of any format, ready for validation. */
export interface MappedRow {
  line: number;
  name: string;
  phones: MappedPhone[];
  email: string;
  tags: string[];
  notes: string;
  custom: Record<string, string>;
  /** The row as read, for the rejected-rows report. */
  raw: Record<string, string>;
}

export class NoPhoneColumnError extends Error {
  constructor(readonly headers: readonly string[]) {
    super(
      `No column looks like a phone number (columns: ${headers.join(', ') || 'none'}). ` +
        'Pigeon needs one phone per contact: choose the phone column, or add one to the file.',
    );
    this.name = 'NoPhoneColumnError';
  }
}

// Headers are compared lower-cased, without accents and with punctuation as single spaces,
// so `Téléphone`, `E-mail 1 - Value` and `Phone : mobile` read as `telephone`, `e mail 1 value`, `phone mobile`.
function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const PHONE_WORDS =
  /\b(phone|telephone|tel|telefono|telefone|telefon|telefonnummer|rufnummer|mobile|mobil|mobilnummer|mobiltelefon|movil|cell|cellphone|celular|cellulare|portable|handy|whatsapp|telemovel|iphone)\b/;
const NOT_A_PHONE = /\b(fax|pager|type|label|tipo|typ)\b/;
const MOBILE_WORDS =
  /\b(mobile|mobil|mobilnummer|mobiltelefon|movil|cell|cellphone|celular|cellulare|portable|handy|whatsapp|telemovel|iphone)\b/;
const HOME_WORDS = /\b(home|casa|particular|residencial|domicile|maison|privat|private)\b/;
const WORK_WORDS =
  /\b(business|work|company|office|trabajo|oficina|comercial|trabalho|travail|professionnel|bureau|geschaftlich|geschaeftlich|dienstlich|buro|ufficio|lavoro)\b/;
const GOOGLE_PHONE_TYPE = /^phone (\d+) (type|label)$/;
const GOOGLE_PHONE_VALUE = /^phone (\d+) value$/;

const EMAIL_WORDS = /\b(e ?mail|correo|courriel)\b/;
const NOT_AN_EMAIL = /\b(display|type|label|tipo|typ)\b/;

const ROLE_BY_HEADER: [RegExp, ColumnRole][] = [
  [
    /^(first name|given name|firstname|first|forename|vorname|prenom|nombre de pila|primeiro nome|nome proprio)$/,
    'first_name',
  ],
  [/^(middle name|additional name|second name|segundo nombre|zweiter vorname|secondo nome)$/, 'middle_name'],
  [
    /^(last name|family name|surname|lastname|last|nachname|familienname|apellidos?|sobrenome|apelido|nom de famille|cognome)$/,
    'last_name',
  ],
  [
    /^(name|full name|fullname|display name|contact name|contact|nombre|nombre completo|nome|nome completo|nom|nom complet|vollstandiger name|nominativo)$/,
    'name',
  ],
  [
    /^(tags?|labels|group membership|groups?|categories|etiquetas?|grupos?|categorias|etiquettes?|groupes?|kategorien|gruppen?|gruppi|etichette|categorie)$/,
    'tags',
  ],
  [
    /^(notes?|notas?|remarques?|commentaires?|comments?|observaciones|observacoes|bemerkungen?|notizen?|anmerkungen?)$/,
    'notes',
  ],
];

// Where a first-name column exists, a bare "name" is the family name (German `Vorname`/`Name`,
// French `Prénom`/`Nom`); where a last-name column exists, it is the given name (`Nombre`/`Apellidos`).
const NAME_AS_LAST = new Set(['name', 'nom', 'nome']);
const NAME_AS_FIRST = new Set(['name', 'nombre', 'nome']);

/** The first rows of a file, to find a phone column its header does not name. */
export interface MappingSample {
  rows: readonly CsvRow[];
  defaultCountry: CountryCode;
}

/**
 * The mapping guessed from a file's headers, or, when no header names a phone, from the sample's
 * values. Throws NoPhoneColumnError when no column can be a phone.
 */
export function detectMapping(headers: readonly string[], sample?: MappingSample): ColumnMapping {
  const normalized = headers.map(normalizeHeader);
  const columns = headers.map((header, i) => assign(header, normalized[i] ?? '', headers, normalized));
  const roles = new Set(columns.map((c) => c.role));
  for (const [i, column] of columns.entries()) {
    if (column.role !== 'name') continue;
    const key = normalized[i] ?? '';
    if (roles.has('first_name') && !roles.has('last_name') && NAME_AS_LAST.has(key)) {
      column.role = 'last_name';
    } else if (roles.has('last_name') && !roles.has('first_name') && NAME_AS_FIRST.has(key)) {
      column.role = 'first_name';
    }
  }
  if (sample && !columns.some((c) => c.role === 'phone')) {
    for (const column of columns) {
      if (column.role === 'custom' && mostlyPhones(column.header, sample)) {
        Object.assign(column, { role: 'phone', phoneLabel: 'other' });
      }
    }
  }
  const mapping = { columns: withCustomKeys(columns) };
  assertHasPhone(mapping);
  return mapping;
}

/** For a mapping the user edited: refuses one with no phone column. */
export function assertHasPhone(mapping: ColumnMapping): void {
  if (!mapping.columns.some((c) => c.role === 'phone')) {
    throw new NoPhoneColumnError(mapping.columns.map((c) => c.header));
  }
}

function assign(
  header: string,
  key: string,
  headers: readonly string[],
  normalized: readonly string[],
): ColumnAssignment {
  if (GOOGLE_PHONE_TYPE.test(key)) return { header, role: 'ignore' };
  const googleValue = GOOGLE_PHONE_VALUE.exec(key);
  if (googleValue) {
    const typeIndex = normalized.findIndex((other) => GOOGLE_PHONE_TYPE.exec(other)?.[1] === googleValue[1]);
    const typeColumn = headers[typeIndex];
    return { header, role: 'phone', phoneLabel: 'other', ...(typeColumn ? { typeColumn } : {}) };
  }
  if (PHONE_WORDS.test(key) && !NOT_A_PHONE.test(key))
    return { header, role: 'phone', phoneLabel: phoneLabel(key) };
  if (EMAIL_WORDS.test(key)) return { header, role: NOT_AN_EMAIL.test(key) ? 'custom' : 'email' };
  const role = ROLE_BY_HEADER.find(([pattern]) => pattern.test(key))?.[1];
  return { header, role: role ?? 'custom' };
}

const KINDS = ['mobile', 'home', 'work'] as const;

/** A phone's kind in Pigeon's words (`Móvil`, `cell` → `mobile`), else as the file wrote it. */
function labelOf(text: string): string {
  // Google marks its own labels with `* ` (`* Mobile`).
  const key = normalizeHeader(text.replace(/^\*\s*/, ''));
  const kind = phoneLabel(key);
  return kind === 'other' && key !== '' ? key : kind;
}

// Only a fallback: ids and amounts can read as valid numbers too, so a named phone column wins.
function mostlyPhones(header: string, sample: MappingSample): boolean {
  const values = sample.rows.map((row) => row.fields[header]?.trim() ?? '').filter(Boolean);
  const phones = values.filter((value) => normalizePhone(value, sample.defaultCountry).ok);
  return phones.length > 0 && phones.length * 2 >= values.length;
}

function phoneLabel(key: string): string {
  if (MOBILE_WORDS.test(key)) return 'mobile';
  if (HOME_WORDS.test(key)) return 'home';
  if (WORK_WORDS.test(key)) return 'work';
  return 'other';
}

// Every column may become a custom field (the user can switch any to `custom`), so each gets a
// unique key now: `Company Name` → `company_name`, a second one `company_name_2`.
function withCustomKeys(columns: ColumnAssignment[]): ColumnAssignment[] {
  const used = new Set<string>();
  return columns.map((column, i) => {
    const base = toVariableName(column.header) || `column_${i + 1}`;
    let customKey = base;
    for (let n = 2; used.has(customKey); n++) customKey = `${base}_${n}`;
    used.add(customKey);
    return { ...column, customKey };
  });
}

// Google puts several values in one cell joined by ` ::: `.
const MULTI_VALUE = /\s*:::\s*/;
const TAG_SEPARATOR = /\s*(?::::|[;,])\s*/;

/** A CSV row as the mapping reads it. */
export function mapCsvRow(row: CsvRow, mapping: ColumnMapping): MappedRow {
  return csvRowMapper(mapping)(row);
}

/**
 * mapCsvRow for the rows of one file: the columns of each role are found once, and each kind
 * written in a phone type column is read once.
 */
export function csvRowMapper(mapping: ColumnMapping): (row: CsvRow) => MappedRow {
  const columnsOf = (...roles: ColumnRole[]) =>
    roles.flatMap((role) => mapping.columns.filter((c) => c.role === role));
  const phoneColumns = columnsOf('phone');
  const emailColumns = columnsOf('email');
  const customColumns = columnsOf('custom');
  const nameColumns = columnsOf('name');
  const namePartColumns = columnsOf('first_name', 'middle_name', 'last_name');
  const tagColumns = columnsOf('tags');
  const noteColumns = columnsOf('notes');
  const mapped = new Set(mapping.columns.map((c) => c.header));
  const labels = new Map<string, string>();
  const labelFor = (typed: string) => {
    let label = labels.get(typed);
    if (label === undefined) {
      label = labelOf(typed);
      labels.set(typed, label);
    }
    return label;
  };

  return (row) => {
    const value = (header: string | undefined) =>
      header === undefined ? '' : (row.fields[header] ?? '').trim();

    const phones: MappedPhone[] = [];
    for (const column of phoneColumns) {
      const text = value(column.header);
      const typed = value(column.typeColumn);
      const label = typed ? labelFor(typed) : (column.phoneLabel ?? 'other');
      for (const part of splitValues(text)) if (part !== '') phones.push({ value: part, label });
    }

    const custom: Record<string, string> = {};
    for (const column of customColumns) {
      const text = value(column.header);
      if (text !== '' && column.customKey) custom[column.customKey] = text;
    }
    // One email per contact: further ones are kept as custom fields.
    let email: string | undefined;
    for (const column of emailColumns) {
      const text = value(column.header);
      if (text === '') continue;
      if (email === undefined) email = splitValues(text)[0] ?? '';
      else if (column.customKey) custom[column.customKey] = text;
    }

    // Values past the header's width (a row with extra fields) are kept, not dropped.
    for (const header of Object.keys(row.fields)) {
      if (mapped.has(header)) continue;
      const text = (row.fields[header] ?? '').trim();
      const key = toVariableName(header);
      if (key !== '' && text !== '') custom[key] = text;
    }

    const fullName = nameColumns.map((c) => value(c.header)).find((text) => text !== '');
    return {
      line: row.line,
      name:
        fullName ??
        namePartColumns
          .map((c) => value(c.header))
          .filter(Boolean)
          .join(' '),
      phones,
      email: email ?? '',
      tags: tagColumns.flatMap((c) => splitTags(value(c.header))),
      notes: noteColumns
        .map((c) => value(c.header))
        .filter(Boolean)
        .join('\n'),
      custom,
      raw: row.fields,
    };
  };
}

function splitValues(text: string): string[] {
  return text.includes(':::') ? text.split(MULTI_VALUE) : [text];
}

// Google marks its own system groups with `* ` (`* myContacts`, `* starred`): not the user's tags.
function splitTags(text: string): string[] {
  return text.split(TAG_SEPARATOR).filter((tag) => tag !== '' && !tag.startsWith('*'));
}

// vCard 4.0's `text`: the number takes SMS, so it is a mobile one.
const VCARD_MOBILE_TYPES = new Set(['text', 'textphone']);

/** A vCard as validation reads it: its organisation becomes the `org` custom field. */
export function mapVCardRow(row: VCardRow): MappedRow {
  const { name, phones, email, org, note } = row.fields;
  return {
    line: row.line,
    // A card with only an organisation (a business's number) is named after it.
    name: name || org,
    phones: phones.map((phone) => ({ value: phone.value, label: vcardPhoneLabel(phone.types) })),
    email,
    tags: [],
    notes: note,
    custom: org ? { org } : {},
    raw: { name, phones: phones.map((p) => p.value).join(' ; '), email, org, note },
  };
}

function vcardPhoneLabel(types: readonly string[]): string {
  if (types.some((t) => VCARD_MOBILE_TYPES.has(t))) return 'mobile';
  const labels = types.map(labelOf).filter((label) => label !== 'voice' && label !== 'other');
  return KINDS.find((kind) => labels.includes(kind)) ?? labels[0] ?? 'other';
}
