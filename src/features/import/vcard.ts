/**
 * Contacts from vCard files (2.1, 3.0 and 4.0, as phones and address books export them), read
 * line by line from decoded text chunks. Only what a Pigeon contact can hold is kept.
 */
import type { DecodedChunk } from './encoding.ts';

export interface VCardPhone {
  /** As written, minus a `tel:` URI scheme. */
  value: string;
  /** Lower-case types and labels, e.g. `['cell', 'voice']` or `['mobile']` from an Apple label. */
  types: string[];
}

export interface VCardFields {
  name: string;
  phones: VCardPhone[];
  email: string;
  org: string;
  note: string;
}

export interface VCardRow {
  /** The line of the card's `BEGIN:VCARD`, 1-based. */
  line: number;
  fields: VCardFields;
}

export interface VCardBatch {
  rows: VCardRow[];
  bytesRead: number;
}

interface Property {
  group: string;
  name: string;
  params: Map<string, string[]>;
  value: string;
}

/** Yields the cards completed by each decoded chunk. */
export async function* readVCards(chunks: AsyncIterable<DecodedChunk>): AsyncGenerator<VCardBatch> {
  const reader = new VCardReader();
  let partial = '';
  let bytesRead = 0;
  for await (const chunk of chunks) {
    bytesRead = chunk.bytesRead;
    const lines = (partial + chunk.text).split(/\r\n|\r|\n/);
    // The text after the last line break may be the start of a longer line.
    partial = lines.pop() ?? '';
    yield { rows: lines.flatMap((line) => reader.line(line)), bytesRead };
  }
  yield { rows: [...reader.line(partial), ...reader.end()], bytesRead };
}

class VCardReader {
  private lineNumber = 0;
  private logical: { text: string; line: number } | null = null;
  private card: CardBuilder | null = null;

  /** Takes one physical line; returns the cards it completed (none or one). */
  line(text: string): VCardRow[] {
    this.lineNumber++;
    const logical = this.logical;
    if (logical && /^[ \t]/.test(text)) {
      logical.text += text.slice(1);
      return [];
    }
    // Quoted-printable values end a line with `=` where the value goes on ("soft line break").
    if (logical?.text.endsWith('=') && isQuotedPrintable(logical.text)) {
      logical.text = logical.text.slice(0, -1) + text;
      return [];
    }
    const rows = this.flush();
    this.logical = { text, line: this.lineNumber };
    return rows;
  }

  end(): VCardRow[] {
    return this.flush();
  }

  private flush(): VCardRow[] {
    const logical = this.logical;
    this.logical = null;
    if (!logical || logical.text.trim() === '') return [];
    const property = parseProperty(logical.text);
    if (!property) return [];
    if (property.name === 'BEGIN' && property.value.trim().toUpperCase() === 'VCARD') {
      this.card = new CardBuilder(logical.line);
    } else if (property.name === 'END' && property.value.trim().toUpperCase() === 'VCARD') {
      const row = this.card?.build();
      this.card = null;
      if (row) return [row];
    } else {
      this.card?.add(property);
    }
    return [];
  }
}

class CardBuilder {
  private fullName = '';
  private structuredName = '';
  private readonly phones: { group: string; phone: VCardPhone }[] = [];
  private readonly labels = new Map<string, string>();
  private readonly emails: string[] = [];
  private org = '';
  private note = '';

  constructor(private readonly line: number) {}

  add(property: Property): void {
    const value = decodeValue(property);
    switch (property.name) {
      case 'FN':
        this.fullName = unescapeText(value);
        break;
      case 'N':
        this.structuredName = nameFromParts(splitUnescaped(value));
        break;
      case 'TEL':
        this.phones.push({
          group: property.group,
          phone: { value: telValue(value), types: types(property) },
        });
        break;
      case 'EMAIL':
        this.emails.push(unescapeText(value).trim());
        break;
      case 'ORG':
        this.org = splitUnescaped(value).filter(Boolean).join(', ');
        break;
      case 'NOTE':
        this.note = unescapeText(value);
        break;
      case 'X-ABLABEL':
        if (property.group) this.labels.set(property.group, appleLabel(unescapeText(value)));
        break;
    }
  }

  build(): VCardRow {
    const phones = this.phones.map(({ group, phone }) => {
      const label = group ? this.labels.get(group) : undefined;
      return label ? { ...phone, types: [...phone.types, label] } : phone;
    });
    return {
      line: this.line,
      fields: {
        name: (this.fullName || this.structuredName).trim(),
        phones,
        email: this.emails.find(Boolean) ?? '',
        org: this.org,
        note: this.note,
      },
    };
  }
}

// `group.NAME;PARAM=a,b;BARE:value`; a `:` inside a quoted parameter value is not the separator.
function parseProperty(text: string): Property | null {
  let inQuotes = false;
  let colon = -1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') inQuotes = !inQuotes;
    else if (char === ':' && !inQuotes) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return null;
  const [head = '', ...rawParams] = splitOutsideQuotes(text.slice(0, colon), ';');
  const dot = head.lastIndexOf('.');
  const params = new Map<string, string[]>();
  for (const raw of rawParams) {
    const eq = raw.indexOf('=');
    // vCard 2.1 writes bare types: `TEL;CELL;VOICE:`.
    const key = eq < 0 ? 'TYPE' : raw.slice(0, eq).trim().toUpperCase();
    const values = (eq < 0 ? raw : raw.slice(eq + 1)).replaceAll('"', '').split(',');
    params.set(key, [...(params.get(key) ?? []), ...values.map((v) => v.trim()).filter(Boolean)]);
  }
  return {
    group: dot < 0 ? '' : head.slice(0, dot).toLowerCase(),
    name: head
      .slice(dot + 1)
      .trim()
      .toUpperCase(),
    params,
    value: text.slice(colon + 1),
  };
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inQuotes = false;
  for (const char of text) {
    if (char === '"') inQuotes = !inQuotes;
    if (char === separator && !inQuotes) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function isQuotedPrintable(text: string): boolean {
  const colon = text.indexOf(':');
  return colon > 0 && /QUOTED-PRINTABLE/i.test(text.slice(0, colon));
}

function decodeValue(property: Property): string {
  const encoding = property.params.get('ENCODING') ?? [];
  const bare = property.params.get('TYPE') ?? [];
  const qp = [...encoding, ...bare].some((v) => v.toUpperCase() === 'QUOTED-PRINTABLE');
  if (!qp) return property.value;
  const charset = property.params.get('CHARSET')?.[0] ?? 'utf-8';
  return decodeQuotedPrintable(property.value, charset);
}

const utf8 = new TextEncoder();

/** `=C3=A9` escapes to bytes, then the bytes as `charset` (UTF-8 when the label is unknown). */
export function decodeQuotedPrintable(value: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value.slice(i + 1, i + 3);
    if (value[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      // Unescaped characters in QP are ASCII; anything else is kept as UTF-8.
      bytes.push(...utf8.encode(value[i]));
    }
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(new Uint8Array(bytes));
}

function types(property: Property): string[] {
  const all = (property.params.get('TYPE') ?? []).map((t) => t.toLowerCase());
  return all.filter((t) => t !== 'quoted-printable' && t !== 'pref');
}

function telValue(value: string): string {
  const trimmed = value.trim();
  return trimmed.toLowerCase().startsWith('tel:') ? trimmed.slice(4) : unescapeText(trimmed);
}

// Apple writes its built-in labels as `_$!<Mobile>!$_`, custom ones as plain text.
function appleLabel(label: string): string {
  return label
    .replace(/^_\$!<(.*)>!\$_$/, '$1')
    .trim()
    .toLowerCase();
}

// N is family;given;additional;prefix;suffix.
function nameFromParts(parts: string[]): string {
  const [family = '', given = '', additional = '', prefix = '', suffix = ''] = parts;
  return [prefix, given, additional, family, suffix]
    .map((p) => p.trim())
    .filter(Boolean)
    .join(' ');
}

function splitUnescaped(value: string): string[] {
  return value.split(/(?<!\\);/).map((part) => unescapeText(part));
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\,;nN])/g, (_, char: string) => (char === 'n' || char === 'N' ? '\n' : char));
}
