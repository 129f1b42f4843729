/**
 * normalizePhone's fast path: libphonenumber's reading of a valid number, from the same metadata
 * and the same steps, with each numbering plan's patterns compiled once. libphonenumber builds a
 * RegExp from the pattern text at every test (several per number, some over a kilobyte long),
 * which made it most of an import's time. Only plainly written numbers take this path (ASCII
 * digits, spaces, `-`, `.`, `/`, brackets, a leading `+`); it answers only for a valid number,
 * and gives up (undefined) at every step whose outcome it does not mirror, so that the full
 * library reads the number instead: invalid numbers, national prefixes written after a `+`,
 * carrier codes, prefixes rewritten by the plan, international numbers without `+`.
 * tests/unit/domain-phone-fast.test.ts holds it to the library's answers.
 */
import { type CountryCode, isSupportedCountry, Metadata, type PhoneNumberType } from 'libphonenumber-js/max';

/** A valid number as libphonenumber reads it. */
export interface QuickPhone {
  /** E.164 as libphonenumber writes it (not checked against Pigeon's 7-15 digits). */
  number: string;
  country: CountryCode | undefined;
  type: PhoneNumberType;
}

// The metadata accessors this mirrors, typed here: upstream types declare only a few of them.
interface NumberingPlanAccess {
  callingCode(): string;
  IDDPrefix(): string;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(name: PhoneNumberType): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}
interface MetadataAccess {
  numberingPlan: NumberingPlanAccess;
  selectNumberingPlan(countryOrCallingCode: string): void;
  getCountryCodesForCallingCode(callingCode: string): CountryCode[] | undefined;
}

interface TypeRule {
  /** The pattern as written: an empty one means "same as fixed line" for mobiles. */
  text: string;
  entire: RegExp;
  lengths: number[] | undefined;
}

interface Plan {
  callingCode: string;
  idd: RegExp;
  national: RegExp;
  possibleLengths: number[] | undefined;
  prefixForParsing: RegExp | undefined;
  leadingDigits: RegExp | undefined;
  hasTypes: boolean;
  types: Partial<Record<PhoneNumberType, TypeRule>>;
}

const TYPES_AFTER_FIXED_LINE: PhoneNumberType[] = [
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
];
const ALL_TYPES: PhoneNumberType[] = ['FIXED_LINE', ...TYPES_AFTER_FIXED_LINE];

// libphonenumber's bounds: national (significant) numbers of 2 to 17 digits, calling codes of up
// to 3, inputs of up to 250 characters.
const MIN_NATIONAL_LENGTH = 2;
const MAX_NATIONAL_LENGTH = 17;
const MAX_CALLING_CODE_LENGTH = 3;
const MAX_INPUT_LENGTH = 250;

// Characters libphonenumber treats as punctuation that cannot start an extension, an RFC 3966
// URI or a second number; at least 3 digits, as it requires before reading further.
const PLAIN_NUMBER = /^\+?[0-9 ()./-]*$/;

const metadata = new Metadata() as unknown as MetadataAccess;
const plans = new Map<string, Plan>();

/**
 * The number `text` is when libphonenumber reads it as valid, with `defaultCountry` for national
 * formats; undefined when it may not be valid or this path does not read it.
 */
export function readValidQuickly(text: string, defaultCountry: CountryCode): QuickPhone | undefined {
  if (text.length > MAX_INPUT_LENGTH || !PLAIN_NUMBER.test(text) || !isSupportedCountry(defaultCountry)) {
    return undefined;
  }
  const digits = text.replace(/\D/g, '');
  if (digits.length < 3) return undefined;
  const read = text[0] === '+' ? international(digits) : national(digits, defaultCountry);
  if (
    !read ||
    read.nationalNumber.length < MIN_NATIONAL_LENGTH ||
    read.nationalNumber.length > MAX_NATIONAL_LENGTH
  ) {
    return undefined;
  }
  const plan = planOf(read.country ?? read.callingCode);
  if (!plan.hasTypes) return undefined;
  const type = numberType(plan, read.nationalNumber);
  if (!type) return undefined;
  return { number: `+${read.callingCode}${read.nationalNumber}`, country: read.country, type };
}

interface Reading {
  callingCode: string;
  nationalNumber: string;
  country: CountryCode | undefined;
}

// `+` then the calling code: the first 1 to 3 digits that are one (no calling code starts another).
function international(digits: string): Reading | undefined {
  if (digits[0] === '0') return undefined;
  for (let length = 1; length <= MAX_CALLING_CODE_LENGTH && length < digits.length; length++) {
    const callingCode = digits.slice(0, length);
    if (!metadata.getCountryCodesForCallingCode(callingCode)) continue;
    const nationalNumber = digits.slice(length);
    // A national prefix after the calling code ("+44 (0)20…") is the library's to strip.
    if (planOf(callingCode).prefixForParsing?.test(nationalNumber)) return undefined;
    return { callingCode, nationalNumber, country: countryOf(callingCode, nationalNumber) };
  }
  return undefined;
}

// Digits without `+`, read as `defaultCountry`'s unless they start with its international prefix
// or its calling code (those the library reads).
function national(digits: string, defaultCountry: CountryCode): Reading | undefined {
  const plan = planOf(defaultCountry);
  if (digits.search(plan.idd) === 0 || digits.startsWith(plan.callingCode)) return undefined;
  const nationalNumber = withoutNationalPrefix(digits, defaultCountry, plan);
  if (nationalNumber === undefined) return undefined;
  const country = countryOf(plan.callingCode, nationalNumber) ?? defaultCountry;
  return { callingCode: plan.callingCode, nationalNumber, country };
}

// The national prefix stripped as the library does it for a complete number: only when what is
// left still fits the plan and has a possible length. Undefined for carrier codes and rewrites.
function withoutNationalPrefix(digits: string, defaultCountry: CountryCode, plan: Plan): string | undefined {
  const match = plan.prefixForParsing?.exec(digits);
  if (!match) return digits;
  const lastGroup = match.length > 1 ? match[match.length - 1] : undefined;
  if (lastGroup) return undefined;
  const stripped = digits.slice(match[0].length);
  if (stripped === digits) return digits;
  if (plan.national.test(digits) && !plan.national.test(stripped)) return digits;
  if (!plan.possibleLengths) return stripped;
  const lengths = planOf(countryOf(plan.callingCode, stripped) ?? defaultCountry).possibleLengths;
  return lengths && !isPossibleLength(stripped.length, lengths) ? digits : stripped;
}

// libphonenumber's checkNumberLength, where only TOO_SHORT and INVALID_LENGTH say no.
function isPossibleLength(length: number, lengths: readonly number[]): boolean {
  const shortest = lengths[0] ?? 0;
  if (length === shortest) return true;
  if (length < shortest) return false;
  if ((lengths[lengths.length - 1] ?? 0) < length) return true;
  return lengths.indexOf(length, 1) >= 0;
}

// The country of a calling code shared by several: the first whose leading digits start the
// number or, for those without, whose patterns take it.
function countryOf(callingCode: string, nationalNumber: string): CountryCode | undefined {
  const countries = metadata.getCountryCodesForCallingCode(callingCode);
  if (!countries) return undefined;
  if (countries.length === 1) return countries[0];
  for (const country of countries) {
    const plan = planOf(country);
    if (plan.leadingDigits) {
      if (nationalNumber !== '' && nationalNumber.search(plan.leadingDigits) === 0) return country;
    } else if (numberType(plan, nationalNumber)) {
      return country;
    }
  }
  return undefined;
}

function numberType(plan: Plan, nationalNumber: string): PhoneNumberType | undefined {
  if (!plan.national.test(nationalNumber)) return undefined;
  if (isOfType(plan.types.FIXED_LINE, nationalNumber)) {
    const mobile = plan.types.MOBILE;
    if (!mobile || mobile.text === '' || isOfType(mobile, nationalNumber)) return 'FIXED_LINE_OR_MOBILE';
    return 'FIXED_LINE';
  }
  return TYPES_AFTER_FIXED_LINE.find((type) => isOfType(plan.types[type], nationalNumber));
}

function isOfType(rule: TypeRule | undefined, nationalNumber: string): boolean {
  if (!rule?.text) return false;
  if (rule.lengths && !rule.lengths.includes(nationalNumber.length)) return false;
  return rule.entire.test(nationalNumber);
}

/** A country's plan, or the main country's for a calling code, compiled on first use. */
function planOf(countryOrCallingCode: string): Plan {
  let plan = plans.get(countryOrCallingCode);
  if (!plan) {
    metadata.selectNumberingPlan(countryOrCallingCode);
    plan = compile(metadata.numberingPlan);
    plans.set(countryOrCallingCode, plan);
  }
  return plan;
}

function compile(source: NumberingPlanAccess): Plan {
  const types: Plan['types'] = {};
  for (const name of ALL_TYPES) {
    const type = source.type(name);
    if (type) {
      const text = type.pattern();
      types[name] = { text, entire: entirely(text), lengths: type.possibleLengths() };
    }
  }
  const prefixForParsing = source.nationalPrefixForParsing();
  const leadingDigits = source.leadingDigits();
  return {
    callingCode: source.callingCode(),
    idd: new RegExp(source.IDDPrefix()),
    national: entirely(source.nationalNumberPattern()),
    possibleLengths: source.possibleLengths(),
    prefixForParsing: prefixForParsing ? new RegExp(`^(?:${prefixForParsing})`) : undefined,
    leadingDigits: leadingDigits ? new RegExp(leadingDigits) : undefined,
    hasTypes: source.hasTypes(),
    types,
  };
}

function entirely(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}
