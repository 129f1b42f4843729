/**
 * Checks of user input before it is written locally, mirroring the checks of the tables
 * (supabase/migrations): an edit the server would refuse must be refused here, with a message
 * naming the field, because a refused push would block the replication. Lengths count
 * characters as Postgres' char_length does (code points).
 */
import { validate as isUuid } from 'uuid';
import { type CountryCode, normalizePhone } from './phone.ts';
import type { Result } from './result.ts';
import { parseTemplate } from './template.ts';
import type { TemplateCategory } from './types.ts';

type Checked<T> = Result<T>;

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = (field: string, message: string): { ok: false; error: string } => ({
  ok: false,
  error: `${field}: ${message}`,
});

// Code points, as `[...text].length` counts them (a lone surrogate is one), without the array.
function length(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) {
      count--;
      i++;
    }
  }
  return count;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** A trimmed text of at most `max` characters; `min` 1 makes it required. */
export function checkText(
  field: string,
  value: string,
  { min = 0, max }: { min?: number; max: number },
): Checked<string> {
  const text = value.trim();
  if (length(text) < min) return fail(field, min === 1 ? 'required' : `at least ${min} characters`);
  if (length(text) > max) return fail(field, `at most ${max} characters`);
  return ok(text);
}

export function checkPhone(value: string, country: CountryCode): Checked<string> {
  const phone = normalizePhone(value, country);
  return phone.ok ? ok(phone.e164) : fail('Phone', phone.message);
}

// The contacts table's check: something@something, no spaces.
const EMAIL = /^[^@\s]+@[^@\s]+$/;

export function checkEmail(value: string): Checked<string> {
  const email = value.trim();
  if (email === '') return ok('');
  if (length(email) > 320) return fail('Email', 'at most 320 characters');
  return EMAIL.test(email) ? ok(email) : fail('Email', `"${email}" is not an email address`);
}

/** Trimmed, without empty or repeated ones, at most 100 (the column's limit). */
export function checkTags(tags: readonly string[]): Checked<string[]> {
  if (tags.length === 0) return ok([]);
  const clean = [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))];
  return clean.length > 100 ? fail('Tags', 'at most 100') : ok(clean);
}

export function checkGroupIds(ids: readonly string[]): Checked<string[]> {
  const bad = ids.find((id) => !isUuid(id));
  if (bad !== undefined) return fail('Groups', `"${bad}" is not a group id`);
  const clean = [...new Set(ids.map((id) => id.toLowerCase()))];
  return clean.length > 100 ? fail('Groups', 'at most 100') : ok(clean);
}

// The column's limit is on Postgres' text form of the jsonb, which puts a space after each
// ':' and ','. Counting two bytes per entry over JSON.stringify's size keeps under it.
const CUSTOM_FIELDS_BYTES = 16384;
const utf8 = new TextEncoder();

export function checkCustomFields(fields: Readonly<Record<string, string>>): Checked<Record<string, string>> {
  const entries: [string, string][] = [];
  for (const [rawKey, value] of Object.entries(fields)) {
    const key = rawKey.trim();
    if (key === '') return fail('Custom fields', 'a field has no name');
    if (typeof value !== 'string') return fail('Custom fields', `"${key}" is not text`);
    entries.push([key, value]);
  }
  const clean = Object.fromEntries(entries);
  return fitsCustomFieldsBytes(entries, clean)
    ? ok(clean)
    : fail('Custom fields', 'too large (at most 16 KB in all)');
}

// Most rows are far under the limit: a character takes at most 6 bytes in JSON's UTF-8 (`\u001f`;
// other characters up to 3 bytes per UTF-16 unit), so only fields near it are encoded to count.
function fitsCustomFieldsBytes(entries: readonly [string, string][], clean: Record<string, string>): boolean {
  const spaces = 2 * entries.length;
  let characters = 0;
  for (const [key, value] of entries) characters += key.length + value.length;
  // Per entry: two pairs of quotes, ':' and ','; then the braces.
  if (6 * characters + 6 * entries.length + 2 + spaces <= CUSTOM_FIELDS_BYTES) return true;
  return utf8.encode(JSON.stringify(clean)).length + spaces <= CUSTOM_FIELDS_BYTES;
}

const COLOR = /^#[0-9A-Fa-f]{6}$/;

export function checkColor(value: string | null | undefined): Checked<string | null> {
  if (value === null || value === undefined || value.trim() === '') return ok(null);
  const color = value.trim();
  return COLOR.test(color) ? ok(color) : fail('Color', `"${color}" is not a colour like #3b82f6`);
}

/** The body WhatsApp will get: 1 to 4096 characters, every placeholder well formed. */
export function checkTemplateBody(value: string): Checked<string> {
  const body = value.trim();
  if (body === '') return fail('Body', 'required');
  if (length(body) > 4096) return fail('Body', 'at most 4096 characters');
  const [first, ...more] = parseTemplate(body).errors;
  if (first) {
    const others = more.length > 0 ? ` (and ${more.length} more)` : '';
    return fail('Body', `${first.message}, at character ${first.offset + 1}${others}`);
  }
  return ok(body);
}

// The templates table's check: a BCP 47-ish tag such as en, pt_BR or zh-Hant.
const LANGUAGE = /^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$/;

export function checkLanguage(value: string): Checked<string> {
  const language = value.trim();
  return LANGUAGE.test(language)
    ? ok(language)
    : fail('Language', `"${language}" is not a language code like en or pt-BR`);
}

const CATEGORIES: readonly TemplateCategory[] = ['marketing', 'utility', 'authentication'];

export function checkCategory(value: string): Checked<TemplateCategory> {
  const category = CATEGORIES.find((c) => c === value);
  return category ? ok(category) : fail('Category', `must be one of ${CATEGORIES.join(', ')}`);
}
