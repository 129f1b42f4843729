import { describe, expect, it } from 'vitest';
import {
  type CountryCode,
  isE164,
  isMobileType,
  mobileFirst,
  normalizePhone,
  type PhoneErrorReason,
  type PhoneResult,
  type PhoneType,
} from '../../src/domain/phone.ts';

function expectOk(result: PhoneResult) {
  if (!result.ok) throw new Error(`expected a valid number, got ${result.reason}: ${result.message}`);
  return result;
}

function expectReason(result: PhoneResult, reason: PhoneErrorReason) {
  if (result.ok) throw new Error(`expected ${reason}, got ${result.e164}`);
  expect(result.reason).toBe(reason);
  expect(result.message.length).toBeGreaterThan(0);
  return result;
}

describe('normalizePhone: national formats', () => {
  const cases: [string, CountryCode, string, PhoneType][] = [
    ['(212) 555-0123', 'US', '+12125550123', 'fixed_line_or_mobile'],
    ['212.555.0123', 'US', '+12125550123', 'fixed_line_or_mobile'],
    ['1 212 555 0123', 'US', '+12125550123', 'fixed_line_or_mobile'],
    ['07400 123456', 'GB', '+447400123456', 'mobile'],
    ['020 7946 0958', 'GB', '+442079460958', 'fixed_line'],
    ['0171 1234567', 'DE', '+491711234567', 'mobile'],
    ['030/12345678', 'DE', '+493012345678', 'fixed_line'],
    ['(0)30 12345678', 'DE', '+493012345678', 'fixed_line'],
    ['98765 43210', 'IN', '+919876543210', 'mobile'],
    ['022-2345-6789', 'IN', '+912223456789', 'fixed_line'],
    ['(11) 91234-5678', 'BR', '+5511912345678', 'mobile'],
    ['(11) 3123-4567', 'BR', '+551131234567', 'fixed_line'],
    ['06 12 34 56 78', 'FR', '+33612345678', 'mobile'],
    ['01.23.45.67.89', 'FR', '+33123456789', 'fixed_line'],
    ['0803 123 4567', 'NG', '+2348031234567', 'mobile'],
    ['0201 234 5678', 'NG', '+2342012345678', 'fixed_line'],
  ];

  it.each(cases)('%s in %s is %s (%s)', (input, country, e164, type) => {
    const result = expectOk(normalizePhone(input, country));
    expect(result.e164).toBe(e164);
    expect(result.type).toBe(type);
    expect(result.country).toBe(country);
    expect(isE164(result.e164)).toBe(true);
  });

  it('ignores surrounding whitespace and reads digits of other scripts', () => {
    expect(expectOk(normalizePhone('  0171 1234567 \n', 'DE')).e164).toBe('+491711234567');
    expect(expectOk(normalizePhone('٠١٧١ ١٢٣٤٥٦٧', 'DE')).e164).toBe('+491711234567');
    expect(expectOk(normalizePhone('＋４９ ３０ １２３４５６７８', 'DE')).e164).toBe('+493012345678');
  });
});

describe('normalizePhone: international formats', () => {
  it('reads "+" numbers whatever the default country', () => {
    const result = expectOk(normalizePhone('+44 7400 123456', 'US'));
    expect(result).toEqual({ ok: true, e164: '+447400123456', country: 'GB', type: 'mobile' });
    expect(expectOk(normalizePhone('+1 (212) 555-0123', 'GB')).country).toBe('US');
    expect(expectOk(normalizePhone('+49 (0)30 12345678', 'FR')).e164).toBe('+493012345678');
  });

  it('reads a leading 00 as "+", also where 00 is not the national international prefix', () => {
    expect(expectOk(normalizePhone('0044 7400 123456', 'US')).e164).toBe('+447400123456');
    expect(expectOk(normalizePhone('0044 7400 123456', 'FR')).e164).toBe('+447400123456');
    expect(expectOk(normalizePhone('00 44 20 7946 0958', 'DE')).e164).toBe('+442079460958');
  });

  it('reads 011 from the US and Canada', () => {
    expect(expectOk(normalizePhone('011 44 7400 123456', 'US')).e164).toBe('+447400123456');
    expect(expectOk(normalizePhone('011-49-171-1234567', 'CA')).e164).toBe('+491711234567');
  });

  it("keeps the default country's own international prefix (Brazil's 00 + carrier code)", () => {
    expect(expectOk(normalizePhone('0021 1 212 555 0123', 'BR')).e164).toBe('+12125550123');
  });

  it('reports the country a number belongs to, not the default one', () => {
    expect(expectOk(normalizePhone('+91 22 2345 6789', 'US')).country).toBe('IN');
  });

  it('types non-geographic and toll-free numbers as other', () => {
    expect(expectOk(normalizePhone('+1 800 555 0199', 'US')).type).toBe('other');
    expect(expectOk(normalizePhone('+800 1234 5678', 'US'))).toMatchObject({ type: 'other', country: null });
  });
});

describe('normalizePhone: refused input', () => {
  it('refuses empty input', () => {
    expectReason(normalizePhone('', 'US'), 'empty');
    expectReason(normalizePhone('   ', 'US'), 'empty');
  });

  it('refuses numbers too short or too long', () => {
    expectReason(normalizePhone('12', 'US'), 'too_short');
    expectReason(normalizePhone('+12', 'US'), 'too_short');
    expectReason(normalizePhone('1234567890123456789', 'US'), 'too_long');
    expectReason(normalizePhone('+44 20 7946 095812345', 'GB'), 'too_long');
  });

  it('refuses valid numbers shorter than 7 digits, which the contacts table cannot store', () => {
    expectReason(normalizePhone('+43 1110', 'AT'), 'too_short');
    expect(expectOk(normalizePhone('01 40400', 'AT')).e164).toBe('+43140400');
  });

  it('refuses letters and symbols', () => {
    expectReason(normalizePhone('555-CALL-NOW', 'US'), 'not_a_number');
    expectReason(normalizePhone('call me', 'US'), 'not_a_number');
    expectReason(normalizePhone('0171 1234567 mobile', 'DE'), 'not_a_number');
    expectReason(normalizePhone('+', 'US'), 'not_a_number');
    expectReason(normalizePhone('0171*1234567', 'DE'), 'not_a_number');
  });

  it('refuses several numbers in one field', () => {
    expectReason(normalizePhone('+49 171 1234567, +49 172 7654321', 'DE'), 'multiple_numbers');
    expectReason(normalizePhone('0171 1234567 / 0172 7654321', 'DE'), 'multiple_numbers');
    expectReason(normalizePhone('+4917112345678 +4917287654321', 'DE'), 'multiple_numbers');
    expectReason(normalizePhone('0171 1234567; 0172 7654321', 'DE'), 'multiple_numbers');
  });

  it('refuses an unknown country calling code', () => {
    expect(expectReason(normalizePhone('+999 1234567', 'US'), 'unknown_country_code').message).toMatch(
      /country code/,
    );
  });

  it('names the country a number is invalid for', () => {
    expect(expectReason(normalizePhone('98765 43210', 'US'), 'invalid_for_country').message).toBe(
      'invalid for United States',
    );
    expect(expectReason(normalizePhone('+44 7911 12345', 'FR'), 'invalid_for_country').message).toBe(
      'invalid for United Kingdom',
    );
  });

  it('refuses a national number read in the wrong country', () => {
    expect(normalizePhone('07400 123456', 'GB').ok).toBe(true);
    expect(normalizePhone('07400 123456', 'US').ok).toBe(false);
  });
});

describe('normalizePhone: extensions', () => {
  it.each([
    '+1 212 555 0123 ext. 12',
    '+1 212 555 0123 ext 12',
    '212-555-0123 x12',
    '212 555 0123 extension 7',
    '+1 212 555 0123;ext=12',
    '+44 20 7946 0958#123',
    '+44 20 7946 0958 # 123',
  ])('refuses %s because WhatsApp cannot reach it', (input) => {
    const error = expectReason(normalizePhone(input, 'US'), 'has_extension');
    expect(error.message).toBe("has an extension — WhatsApp can't reach extensions");
  });

  it('reports what is wrong with the number itself first', () => {
    expectReason(normalizePhone('12 ext. 5', 'US'), 'too_short');
    expectReason(normalizePhone('ext. 5', 'US'), 'not_a_number');
  });

  it('does not take a trailing x without digits for an extension', () => {
    expectReason(normalizePhone('212 555 0123 x', 'US'), 'not_a_number');
  });
});

describe('isE164', () => {
  it('accepts only "+" and digits with no leading zero', () => {
    expect(isE164('+447400123456')).toBe(true);
    expect(isE164('447400123456')).toBe(false);
    expect(isE164('+44 7400 123456')).toBe(false);
    expect(isE164('+0447400123456')).toBe(false);
    expect(isE164('+1234567890123456')).toBe(false);
    expect(isE164('+123456')).toBe(false);
    expect(isE164('+1234567')).toBe(true);
    expect(isE164('')).toBe(false);
  });
});

describe('mobile preference', () => {
  it('counts mobile and maybe-mobile numbers as mobile', () => {
    expect(isMobileType('mobile')).toBe(true);
    expect(isMobileType('fixed_line_or_mobile')).toBe(true);
    expect(isMobileType('fixed_line')).toBe(false);
    expect(isMobileType('other')).toBe(false);
  });

  it('puts the mobile number of a contact first and keeps the others in order', () => {
    const numbers = [
      '030 12345678',
      '+1 800 555 0199',
      '0171 1234567',
      '030 87654321',
      '+1 212 555 0123',
    ].map((input) => expectOk(normalizePhone(input, 'DE')));
    expect(mobileFirst(numbers).map((phone) => phone.e164)).toEqual([
      '+491711234567',
      '+12125550123',
      '+493012345678',
      '+493087654321',
      '+18005550199',
    ]);
    expect(numbers[0]?.e164).toBe('+493012345678');
  });
});
