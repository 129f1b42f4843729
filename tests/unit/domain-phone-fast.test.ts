// normalizePhone's fast path against libphonenumber itself: whenever the fast path answers, the
// library must read the same text as the same valid number (E.164, country, type). The inputs
// are every country's example number written many ways (E.164, international and national
// formats, with and without `+`, `00`, a national prefix after the calling code, odd punctuation),
// then altered digit by digit into numbers valid elsewhere, invalid, too short or too long, each
// read with several default countries.
import examples from 'libphonenumber-js/examples.mobile.json';
import {
  type CountryCode,
  getCountries,
  getExampleNumber,
  type PhoneNumber,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { type QuickPhone, readValidQuickly } from '../../src/domain/phone-fast.ts';

function library(text: string, country: CountryCode): QuickPhone | undefined {
  let phone: PhoneNumber;
  try {
    phone = parsePhoneNumberWithError(text, country);
  } catch {
    return undefined;
  }
  const type = phone.getType();
  return phone.isValid() && type ? { number: phone.number, country: phone.country, type } : undefined;
}

// A fixed sequence, so a failure names an input that fails again.
function randomSource(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % below;
  };
}

const random = randomSource(20260512);
const PUNCTUATION = [' ', '-', '.', '/', '(', ')', '  '];
const DEFAULT_COUNTRIES: CountryCode[] = [
  'GB',
  'US',
  'DE',
  'FR',
  'BR',
  'IN',
  'NG',
  'AR',
  'MX',
  'RU',
  'IT',
  'JE',
];

function punctuate(digits: string): string {
  let text = '';
  for (const digit of digits) {
    text += random(3) === 0 ? `${PUNCTUATION[random(PUNCTUATION.length)]}${digit}` : digit;
  }
  return text;
}

function alterDigit(digits: string): string {
  const at = random(digits.length);
  return `${digits.slice(0, at)}${random(10)}${digits.slice(at + 1)}`;
}

function alterations(nsn: string): string[] {
  const altered = [nsn.slice(0, -1), `${nsn}${random(10)}`];
  for (let i = 0; i < 12; i++) {
    let digits = nsn;
    for (let changes = 1 + random(3); changes > 0; changes--) digits = alterDigit(digits);
    altered.push(digits);
  }
  return altered;
}

function pick<T>(items: readonly T[]): T {
  return items[random(items.length)] as T;
}

// Each writing is read with the number's own country and with others picked at random.
function writings(phone: PhoneNumber): [string, CountryCode][] {
  const nsn = phone.nationalNumber;
  const cc = phone.countryCallingCode;
  const own = phone.country as CountryCode;
  const formats = [
    phone.number,
    phone.formatInternational(),
    phone.formatNational(),
    nsn,
    `0${nsn}`,
    `00${cc}${nsn}`,
    `${cc}${nsn}`,
    `+${cc} (0)${nsn}`,
    `+${cc}0${nsn}`,
    ` ${phone.formatNational()} `,
    punctuate(phone.number),
    punctuate(nsn),
  ];
  const altered = alterations(nsn).flatMap((digits) => [
    `+${cc}${digits}`,
    `+${cc} ${punctuate(digits)}`,
    digits,
    `0${digits}`,
  ]);
  return [
    ...formats.flatMap((text): [string, CountryCode][] => [
      [text, own],
      [text, pick(DEFAULT_COUNTRIES)],
      [text, pick(DEFAULT_COUNTRIES)],
    ]),
    ...altered.flatMap((text): [string, CountryCode][] => [
      [text, own],
      [text, pick(DEFAULT_COUNTRIES)],
    ]),
  ];
}

const inputs = getCountries().flatMap((country) => {
  const example = getExampleNumber(country, examples);
  return example ? writings(example) : [];
});

const HAND_WRITTEN: [string, CountryCode][] = [
  ['+44 7400 123456', 'GB'],
  ['07400 123456', 'GB'],
  ['020 7946 0958', 'GB'],
  ['+44 (0)20 7946 0958', 'GB'],
  ['07624 369230', 'GB'],
  ['+44 7624 369230', 'US'],
  ['+44 1534 456789', 'GB'],
  // Another country's leading digits inside the number, not at its start.
  ['+44 7400 162412', 'GB'],
  ['07400 176245', 'GB'],
  ['+1 212 268 4641', 'US'],
  ['+1 268 464 1234', 'US'],
  ['+7 701 234 5678', 'KZ'],
  ['+39 06 698 12345', 'IT'],
  ['+47 79 12 34 56', 'NO'],
  ['+358 18 12345', 'FI'],
  ['(212) 555-0123', 'US'],
  ['212.555.0123', 'US'],
  ['1 212 555 0123', 'US'],
  ['+1 (212) 555-0123', 'GB'],
  ['+1 800 555 0199', 'US'],
  ['+1 242 359 1234', 'US'],
  ['(416) 555-0123', 'CA'],
  ['0171 1234567', 'DE'],
  ['030/12345678', 'DE'],
  ['(0)30 12345678', 'DE'],
  ['+49 (0)30 12345678', 'FR'],
  ['98765 43210', 'IN'],
  ['022-2345-6789', 'IN'],
  ['(11) 91234-5678', 'BR'],
  ['0 21 11 91234 5678', 'BR'],
  ['06 12 34 56 78', 'FR'],
  ['01.23.45.67.89', 'FR'],
  ['0803 123 4567', 'NG'],
  ['011 15 2345-6789', 'AR'],
  ['+54 9 11 2345 6789', 'AR'],
  ['8 (800) 555-35-35', 'RU'],
  ['+7 701 234 5678', 'RU'],
  ['+800 1234 5678', 'US'],
  ['+43 1110', 'AT'],
  ['01 40400', 'AT'],
  ['+999 1234567', 'US'],
  ['+44 7911 12345', 'FR'],
  ['12', 'US'],
  ['+12', 'US'],
  ['+', 'US'],
  ['1234567890123456789', 'US'],
  ['+0 44 7400 123456', 'GB'],
  ['++44 7400 123456', 'GB'],
  ['+44 7400 123456)', 'GB'],
  ['(+44) 7400 123456', 'GB'],
  ['+44-7400-123456-', 'GB'],
];

interface Reading {
  text: string;
  country: CountryCode;
  quick: QuickPhone | undefined;
  library: QuickPhone | undefined;
}

let readings: Reading[] | undefined;
function allReadings(): Reading[] {
  readings ??= [...HAND_WRITTEN, ...inputs].map(([text, country]) => ({
    text,
    country,
    quick: readValidQuickly(text, country),
    library: library(text, country),
  }));
  return readings;
}

describe('normalizePhone fast path', () => {
  // Tens of thousands of libphonenumber readings: seconds on a busy two-core machine.
  it('reads every number it answers for as libphonenumber does', { timeout: 60_000 }, () => {
    const all = allReadings();
    const wrong = all.filter(
      (r) => r.quick !== undefined && JSON.stringify(r.quick) !== JSON.stringify(r.library),
    );
    expect(wrong).toEqual([]);
    expect(all.length).toBeGreaterThan(30_000);
  });

  it('answers for most valid plainly written numbers, so the import takes it', () => {
    const valid = allReadings().filter((r) => /^\+?[0-9 ()./-]*$/.test(r.text) && r.library);
    const answered = valid.filter((r) => r.quick !== undefined);
    expect(answered.length / valid.length).toBeGreaterThan(0.8);
  });

  it.each([
    ['+44 7400 123456', 'GB', '+447400123456', 'GB', 'MOBILE'],
    ['+447400123456', 'US', '+447400123456', 'GB', 'MOBILE'],
    ['07400 123456', 'GB', '+447400123456', 'GB', 'MOBILE'],
    ['+44 7624 369230', 'US', '+447624369230', 'IM', 'MOBILE'],
    ['(212) 555-0123', 'US', '+12125550123', 'US', 'FIXED_LINE_OR_MOBILE'],
    ['030/12345678', 'DE', '+493012345678', 'DE', 'FIXED_LINE'],
  ] as const)('answers for a common form: %s in %s is %s', (text, defaultCountry, number, country, type) => {
    expect(readValidQuickly(text, defaultCountry)).toEqual({ number, country, type });
  });

  it('leaves invalid numbers and the forms it does not mirror to the library', () => {
    expect(readValidQuickly('+44 7911 12345', 'FR')).toBeUndefined();
    expect(readValidQuickly('+44 (0)20 7946 0958', 'GB')).toBeUndefined();
    expect(readValidQuickly('0044 7400 123456', 'GB')).toBeUndefined();
    expect(readValidQuickly('0171 1234567 mobile', 'DE')).toBeUndefined();
    expect(readValidQuickly('+1 212 555 0123 ext. 12', 'US')).toBeUndefined();
    expect(readValidQuickly('٠١٧١ ١٢٣٤٥٦٧', 'DE')).toBeUndefined();
  });
});
