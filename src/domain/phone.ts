/**
 * Phone numbers to E.164, the form contact ids derive from and WhatsApp addresses.
 * The `max` metadata is needed to tell mobile from fixed-line numbers.
 */
import {
  type CountryCode,
  findPhoneNumbersInText,
  type PhoneNumber,
  type PhoneNumberType,
  parseIncompletePhoneNumber,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import { readValidQuickly } from './phone-fast.ts';

export type { CountryCode };

/** What a valid number is, as far as reaching it on WhatsApp goes. */
export type PhoneType = 'mobile' | 'fixed_line' | 'fixed_line_or_mobile' | 'other';

export type PhoneErrorReason =
  | 'empty'
  | 'not_a_number'
  | 'multiple_numbers'
  | 'too_short'
  | 'too_long'
  | 'invalid_for_country'
  | 'unknown_country_code'
  | 'has_extension';

export interface NormalizedPhone {
  ok: true;
  e164: string;
  /** Null for non-geographic numbers (e.g. +800). */
  country: CountryCode | null;
  type: PhoneType;
}

export interface PhoneError {
  ok: false;
  reason: PhoneErrorReason;
  /** For people: names what is wrong, e.g. "invalid for United Kingdom". */
  message: string;
}

export type PhoneResult = NormalizedPhone | PhoneError;

// Characters a written number may hold besides digits (any script's, libphonenumber maps them):
// spaces, full-width plus, the dash family, dots, parentheses, slashes (German "030/1234").
const NUMBER_CHARS = /^[\p{Nd}\s+\uFF0B\-\u2010-\u2015\u2212.()/]*$/u;
// A trailing extension: "ext. 12", "extension 12", "x12", "#12", ";ext=12".
const EXTENSION = /\s*(?:;\s*ext=|[,;]?\s*(?:extension|extn|ext|x)\s*[.:]?|#)\s*\p{Nd}{1,10}\s*#?\s*$/iu;
// 7 to 15 digits, as the contacts table checks. A few valid Austrian and German fixed lines are
// shorter: nobody reaches those on WhatsApp, and refusing them keeps every accepted number storable.
const E164 = /^\+[1-9]\d{6,14}$/;

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** True for a string already in E.164 form (`+` and 7 to 15 digits, no leading zero). */
export function isE164(value: string): boolean {
  return E164.test(value);
}

/**
 * Reads a number as typed or exported by a phone, CRM or spreadsheet. National formats are read
 * as `defaultCountry`'s; `+`, a leading `00` and the country's own international prefix (`011`
 * from North America) start an international one.
 */
export function normalizePhone(input: string, defaultCountry: CountryCode): PhoneResult {
  const text = input.trim();
  if (text === '') return failure('empty');

  const withoutExtension = text.replace(EXTENSION, '');
  const hasExtension = withoutExtension !== text;
  if (withoutExtension.trim() === '' || !NUMBER_CHARS.test(withoutExtension)) {
    return failure(severalNumbers(text, defaultCountry) ? 'multiple_numbers' : 'not_a_number');
  }

  const result = parse(withoutExtension, defaultCountry);
  if (!result.ok) {
    return severalNumbers(text, defaultCountry) ? failure('multiple_numbers') : result;
  }
  return hasExtension ? failure('has_extension') : result;
}

/** Whether the number may be a mobile one: North American numbers are all `fixed_line_or_mobile`. */
export function isMobileType(type: PhoneType): boolean {
  return type === 'mobile' || type === 'fixed_line_or_mobile';
}

const TYPE_RANK: Record<PhoneType, number> = { mobile: 0, fixed_line_or_mobile: 1, fixed_line: 2, other: 3 };

/**
 * A contact's several numbers, the one most likely on WhatsApp first ("the mobile one wins"):
 * mobile, then maybe-mobile, then fixed line, then the rest (VoIP, toll-free...). Stable otherwise.
 */
export function mobileFirst<T extends { type: PhoneType }>(phones: readonly T[]): T[] {
  return [...phones].sort((a, b) => TYPE_RANK[a.type] - TYPE_RANK[b.type]);
}

function phoneErrorMessage(reason: PhoneErrorReason, country?: string): string {
  switch (reason) {
    case 'empty':
      return 'empty';
    case 'not_a_number':
      return 'not a phone number';
    case 'multiple_numbers':
      return 'more than one number';
    case 'too_short':
      return 'too short';
    case 'too_long':
      return 'too long';
    case 'invalid_for_country':
      return country ? `invalid for ${country}` : 'invalid number';
    case 'unknown_country_code':
      return 'unknown country code';
    case 'has_extension':
      return "has an extension — WhatsApp can't reach extensions";
  }
}

function parse(text: string, defaultCountry: CountryCode): NormalizedPhone | PhoneError {
  const first = parseOnce(text, defaultCountry);
  if (first.ok) return first;
  // libphonenumber only knows the default country's own international prefix; "00" is the most
  // common one worldwide, so read it as "+" when the national reading does not give a number.
  const digits = parseIncompletePhoneNumber(text);
  if (!digits.startsWith('00')) return first;
  return parseOnce(`+${digits.slice(2)}`, defaultCountry);
}

function parseOnce(text: string, defaultCountry: CountryCode): NormalizedPhone | PhoneError {
  // The valid case first: one parse. Only an invalid number pays for finding out why.
  const quick = readValidQuickly(text, defaultCountry);
  if (quick) return valid(quick.number, quick.country, quick.type);
  let phone: PhoneNumber | undefined;
  try {
    phone = parsePhoneNumberWithError(text, defaultCountry);
  } catch {
    phone = undefined;
  }
  if (phone?.isValid()) return valid(phone.number, phone.country, phone.getType());

  const length = validatePhoneNumberLength(text, defaultCountry);
  if (length === 'TOO_SHORT') return failure('too_short');
  if (length === 'TOO_LONG') return failure('too_long');
  if (length === 'INVALID_COUNTRY') return failure('unknown_country_code');
  if (length === 'NOT_A_NUMBER' || !phone) return failure('not_a_number');
  const country = phone.country ?? phone.getPossibleCountries()[0] ?? defaultCountry;
  return failure('invalid_for_country', regionNames.of(country) ?? country);
}

function valid(
  e164: string,
  country: CountryCode | undefined,
  type: PhoneNumberType | undefined,
): NormalizedPhone | PhoneError {
  if (!isE164(e164)) return failure('too_short');
  return { ok: true, e164, country: country ?? null, type: phoneType(type) };
}

function severalNumbers(text: string, defaultCountry: CountryCode): boolean {
  return findPhoneNumbersInText(text, defaultCountry).length > 1;
}

function phoneType(type: PhoneNumberType | undefined): PhoneType {
  if (type === 'MOBILE') return 'mobile';
  if (type === 'FIXED_LINE') return 'fixed_line';
  if (type === 'FIXED_LINE_OR_MOBILE') return 'fixed_line_or_mobile';
  return 'other';
}

function failure(reason: PhoneErrorReason, country?: string): PhoneError {
  return { ok: false, reason, message: phoneErrorMessage(reason, country) };
}

/** An E.164 number as people read it (`+49 171 1234567`); the input back when unreadable. */
export function formatPhone(e164: string): string {
  try {
    return parsePhoneNumberWithError(e164).formatInternational();
  } catch {
    return e164;
  }
}
