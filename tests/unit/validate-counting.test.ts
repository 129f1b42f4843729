// The counting shortcuts of src/domain/field-checks.ts against the plain counts they replace: code
// points as `[...text]` counts them, and custom fields' size as UTF-8 JSON, for texts at and
// around every limit, of every kind of character.
import { describe, expect, it } from 'vitest';
import { checkCustomFields, checkText } from '../../src/domain/field-checks.ts';

const CUSTOM_FIELDS_BYTES = 16384;

// Characters of 1 to 4 UTF-8 bytes, one JSON escapes as 6 (\u001f), and lone surrogates.
const CHARACTERS = ['a', 'é', '€', '😀', '\u001f', '"', '\uD800', '\uDC00', ' '];

function texts(): string[] {
  let state = 11;
  const next = (below: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % below;
  };
  const list = [
    '',
    'Ann',
    '😀'.repeat(100),
    '\uD800'.repeat(100),
    `${'😀'.repeat(99)}\uD800`,
    `\uDC00${'😀'.repeat(99)}`,
  ];
  for (let i = 0; i < 400; i++) {
    const length = 90 + next(30);
    list.push(Array.from({ length }, () => CHARACTERS[next(CHARACTERS.length)]).join(''));
  }
  return list;
}

describe('checkText counts code points as [...text] does', () => {
  it.each([
    [0, 100],
    [1, 100],
    [50, 101],
  ])('with min %i and max %i', (min, max) => {
    for (const text of texts()) {
      const count = [...text.trim()].length;
      const expected = count < min || count > max ? 'refused' : 'accepted';
      expect([text, checkText('Field', text, { min, max }).ok ? 'accepted' : 'refused']).toEqual([
        text,
        expected,
      ]);
    }
  });
});

describe('checkCustomFields measures fields as UTF-8 JSON, plus two bytes a field', () => {
  const fits = (fields: Record<string, string>) => {
    if (Object.keys(fields).some((key) => key.trim() === '')) return false;
    const clean = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key.trim(), value]));
    const bytes = new TextEncoder().encode(JSON.stringify(clean)).length + 2 * Object.keys(fields).length;
    return bytes <= CUSTOM_FIELDS_BYTES;
  };

  const layouts: [string, (character: string, size: number) => Record<string, string>][] = [
    ['one field', (character, size) => ({ note: character.repeat(size) })],
    [
      'forty fields',
      (character, size) =>
        Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, character.repeat(size)])),
    ],
    [
      'forty fields named in the character',
      (character, size) =>
        Object.fromEntries(
          Array.from({ length: 40 }, (_, i) => [character.repeat(i + 1), character.repeat(size)]),
        ),
    ],
  ];

  it.each(layouts)('refuses exactly the fields too large, in %s, whatever their characters', (_, layout) => {
    for (const character of CHARACTERS) {
      // The largest size that fits, found the slow way, then the sizes around it.
      let largest = 0;
      for (let step = 1 << 14; step >= 1; step >>= 1) {
        if (fits(layout(character, largest + step))) largest += step;
      }
      for (let size = Math.max(0, largest - 3); size <= largest + 3; size++) {
        const fields = layout(character, size);
        expect([character, size, checkCustomFields(fields).ok]).toEqual([character, size, fits(fields)]);
      }
    }
  });

  it('counts a field named twice once trimmed, as the stored object holds it', () => {
    const doubled = { ' note': 'x'.repeat(16_000), note: 'y' };
    expect(checkCustomFields(doubled)).toEqual({ ok: true, value: { note: 'y' } });
  });
});
