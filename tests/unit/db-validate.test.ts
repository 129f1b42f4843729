// Input checks of src/domain/field-checks.ts: what the tables would refuse is refused with a
// message naming the field.
import { describe, expect, test } from 'vitest';
import {
  checkCategory,
  checkColor,
  checkCustomFields,
  checkEmail,
  checkGroupIds,
  checkLanguage,
  checkPhone,
  checkTags,
  checkTemplateBody,
  checkText,
} from '../../src/domain/field-checks.ts';

const value = <T>(r: { ok: true; value: T } | { ok: false; error: string }) => (r.ok ? r.value : r.error);

describe('text and email', () => {
  test('trims, counts characters (not UTF-16 units), names the field', () => {
    expect(value(checkText('Name', '  Ann  ', { max: 200 }))).toBe('Ann');
    expect(value(checkText('Name', '😀'.repeat(100), { max: 100 }))).toBe('😀'.repeat(100));
    expect(value(checkText('Name', 'x'.repeat(201), { max: 200 }))).toBe('Name: at most 200 characters');
    expect(value(checkText('Name', '   ', { min: 1, max: 100 }))).toBe('Name: required');
  });
  test('email: empty is fine, otherwise something@something', () => {
    expect(value(checkEmail(' '))).toBe('');
    expect(value(checkEmail(' ann@example.com '))).toBe('ann@example.com');
    expect(value(checkEmail('ann at example'))).toBe('Email: "ann at example" is not an email address');
  });
});

describe('phone', () => {
  test('E.164 from national and international forms, the reason when invalid', () => {
    expect(value(checkPhone('07400 123456', 'GB'))).toBe('+447400123456');
    expect(value(checkPhone('0044 7400 123456', 'US'))).toBe('+447400123456');
    expect(value(checkPhone('12', 'GB'))).toBe('Phone: too short');
    expect(value(checkPhone('call me', 'GB'))).toBe('Phone: not a phone number');
  });
});

describe('lists and records', () => {
  test('tags: trimmed, no blanks or repeats, at most 100', () => {
    expect(value(checkTags([' vip ', 'vip', '', 'new']))).toEqual(['vip', 'new']);
    expect(value(checkTags(Array.from({ length: 101 }, (_, i) => `t${i}`)))).toBe('Tags: at most 100');
  });
  test('group ids must be uuids', () => {
    const id = 'A0A0A0A0-0000-4000-8000-000000000001';
    expect(value(checkGroupIds([id, id.toLowerCase()]))).toEqual([id.toLowerCase()]);
    expect(value(checkGroupIds(['vip']))).toBe('Groups: "vip" is not a group id');
  });
  test('custom fields: named, text, at most 16 KB as Postgres prints them', () => {
    expect(value(checkCustomFields({ ' city ': 'Leeds' }))).toEqual({ city: 'Leeds' });
    expect(value(checkCustomFields({ ' ': 'x' }))).toBe('Custom fields: a field has no name');
    expect(value(checkCustomFields({ big: 'x'.repeat(16_400) }))).toBe(
      'Custom fields: too large (at most 16 KB in all)',
    );
  });
  test('colour: empty is none, else #rrggbb', () => {
    expect(value(checkColor(''))).toBeNull();
    expect(value(checkColor('#3b82f6'))).toBe('#3b82f6');
    expect(value(checkColor('blue'))).toBe('Color: "blue" is not a colour like #3b82f6');
  });
});

describe('templates', () => {
  test('body: required, at most 4096 characters, placeholders well formed', () => {
    expect(value(checkTemplateBody('Hi {{name|there}}'))).toBe('Hi {{name|there}}');
    expect(value(checkTemplateBody(' '))).toBe('Body: required');
    expect(value(checkTemplateBody('x'.repeat(4097)))).toBe('Body: at most 4096 characters');
    expect(value(checkTemplateBody('Hi {{name'))).toBe(
      'Body: "{{" is never closed with "}}", at character 4',
    );
    expect(value(checkTemplateBody('{{}} and }}'))).toMatch(/^Body: .+ \(and 1 more\)$/);
  });
  test('language and category as the table checks them', () => {
    expect(value(checkLanguage('pt-BR'))).toBe('pt-BR');
    expect(value(checkLanguage('English'))).toBe(
      'Language: "English" is not a language code like en or pt-BR',
    );
    expect(value(checkCategory('utility'))).toBe('utility');
    expect(value(checkCategory('promo'))).toBe('Category: must be one of marketing, utility, authentication');
  });
});
