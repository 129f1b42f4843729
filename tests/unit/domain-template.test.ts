import { describe, expect, it } from 'vitest';
import {
  type ParsedTemplate,
  parseTemplate,
  renderTemplate,
  type TemplateErrorKind,
  WHATSAPP_TEXT_LIMIT,
} from '../../src/domain/template.ts';
import {
  availableVariables,
  isVariableName,
  type TemplateContact,
  toVariableName,
  variableValue,
} from '../../src/domain/variables.ts';

const ada: TemplateContact = {
  name: 'Ada Augusta Lovelace',
  phone: '+447400123456',
  email: 'ada@example.com',
  custom_fields: { company: 'Analytical Engines', 'order.id': 'A-17', blank: '   ' },
};
const nameless: TemplateContact = { name: '', phone: '+12125550123', email: '', custom_fields: {} };

const render = (body: string, contact: TemplateContact = ada) => renderTemplate(parseTemplate(body), contact);
const errorsOf = (parsed: ParsedTemplate) => parsed.errors.map(({ kind, offset }) => [kind, offset]);

describe('parseTemplate', () => {
  it('splits text and placeholders and lists each variable once, in order', () => {
    const parsed = parseTemplate('Hi {{first_name}}, your order {{order.id|soon}} for {{first_name}}.');
    expect(parsed.errors).toEqual([]);
    expect(parsed.variables).toEqual(['first_name', 'order.id']);
    expect(parsed.parts).toEqual([
      { kind: 'text', text: 'Hi ' },
      { kind: 'variable', name: 'first_name', fallback: null, offset: 3 },
      { kind: 'text', text: ', your order ' },
      { kind: 'variable', name: 'order.id', fallback: 'soon', offset: 30 },
      { kind: 'text', text: ' for ' },
      { kind: 'variable', name: 'first_name', fallback: null, offset: 52 },
      { kind: 'text', text: '.' },
    ]);
  });

  it('allows whitespace inside the braces and trims name and fallback', () => {
    const parsed = parseTemplate('{{ first_name | there }}{{\tname\t}}{{  email|  }}');
    expect(parsed.errors).toEqual([]);
    expect(parsed.parts).toEqual([
      { kind: 'variable', name: 'first_name', fallback: 'there', offset: 0 },
      { kind: 'variable', name: 'name', fallback: null, offset: 24 },
      { kind: 'variable', name: 'email', fallback: '', offset: 34 },
    ]);
  });

  it('keeps everything after the first pipe as the fallback', () => {
    const [part] = parseTemplate('{{name|friend | colleague}}').parts;
    expect(part).toMatchObject({ name: 'name', fallback: 'friend | colleague' });
  });

  it('accepts non-Latin variable names and digits', () => {
    expect(parseTemplate('{{имя}} {{1}} {{contact.first_name}}').variables).toEqual([
      'имя',
      '1',
      'contact.first_name',
    ]);
  });

  it('reads single braces as text', () => {
    const parsed = parseTemplate('a {b} c { d } e');
    expect(parsed.errors).toEqual([]);
    expect(parsed.parts).toEqual([{ kind: 'text', text: 'a {b} c { d } e' }]);
  });

  it('handles an empty body and a body with no placeholder', () => {
    expect(parseTemplate('')).toEqual({ parts: [], variables: [], errors: [] });
    expect(parseTemplate('Hello').parts).toEqual([{ kind: 'text', text: 'Hello' }]);
  });

  describe('malformed placeholders', () => {
    const cases: [string, string, [TemplateErrorKind, number][]][] = [
      ['unclosed', 'Hi {{first_name, welcome', [['unclosed', 3]]],
      ['unclosed at the very end', 'Hi {{', [['unclosed', 3]]],
      [
        'empty name',
        'Hi {{}} and {{  |there}}',
        [
          ['empty_name', 3],
          ['empty_name', 12],
        ],
      ],
      ['nested', 'Hi {{first {{name}} x}}', [['nested_braces', 11]]],
      ['triple braces', 'Hi {{{name}}}', [['nested_braces', 5]]],
      ['a brace inside', 'Hi {{na}me}}', [['nested_braces', 7]]],
      ['invalid name', 'Hi {{ first name }}', [['invalid_name', 6]]],
      [
        'invalid name with dots',
        'Hi {{.name}} {{a..b}}',
        [
          ['invalid_name', 5],
          ['invalid_name', 15],
        ],
      ],
      ['close without open', 'Hi name}} there', [['unopened', 7]]],
    ];

    it.each(cases)('reports %s with its offset', (_, body, expected) => {
      expect(errorsOf(parseTemplate(body))).toEqual(expected);
    });

    it('reports every mistake and still parses the good placeholders', () => {
      const parsed = parseTemplate('{{a {{name}} and {{first_name}} {{ }} }}');
      expect(errorsOf(parsed)).toEqual([
        ['unclosed', 0],
        ['empty_name', 32],
        ['unopened', 38],
      ]);
      expect(parsed.variables).toEqual(['name', 'first_name']);
    });

    it('takes a second "{{" inside a placeholder to mean the first was never closed', () => {
      const parsed = parseTemplate('Hi {{a {{b {{first_name}}');
      expect(errorsOf(parsed)).toEqual([
        ['unclosed', 3],
        ['unclosed', 7],
      ]);
      expect(parsed.variables).toEqual(['first_name']);
      expect(renderTemplate(parsed, ada).text).toBe('Hi {{a {{b Ada');
    });

    it('keeps a malformed placeholder as written in the text', () => {
      expect(render('Hi {{first name}}, {{first_name}}').text).toBe('Hi {{first name}}, Ada');
      expect(render('Hi {{first_name').text).toBe('Hi {{first_name');
    });

    it('counts offsets in UTF-16 units, like a textarea', () => {
      const body = '👋🏽 Привет {{ }}';
      expect(errorsOf(parseTemplate(body))).toEqual([['empty_name', body.indexOf('{{')]]);
    });

    it('gives each error a message naming the problem', () => {
      const [error] = parseTemplate('{{first name}}').errors;
      expect(error?.message).toContain('"first name"');
    });
  });
});

describe('renderTemplate', () => {
  it('fills built-in variables from the contact', () => {
    expect(render('{{name}}|{{first_name}}|{{last_name}}|{{phone}}|{{email}}').text).toBe(
      'Ada Augusta Lovelace|Ada|Augusta Lovelace|+447400123456|ada@example.com',
    );
  });

  it('fills custom fields by key, with or without the contact. prefix', () => {
    expect(render('{{company}} / {{contact.company}} / {{order.id}} / {{contact.first_name}}').text).toBe(
      'Analytical Engines / Analytical Engines / A-17 / Ada',
    );
  });

  it('uses the fallback only when the value is missing', () => {
    expect(render('Hi {{first_name|there}}').text).toBe('Hi Ada');
    const result = render('Hi {{ first_name | there }}, {{email|no email}}', nameless);
    expect(result).toMatchObject({ text: 'Hi there, no email', missing: [] });
  });

  it('reports variables with no value and no fallback, once, and leaves nothing in their place', () => {
    const result = render('{{first_name}}, {{shoe_size}}! {{first_name}} {{blank}} {{email|}}', nameless);
    expect(result.text).toBe(', !   ');
    expect(result.missing).toEqual(['first_name', 'shoe_size', 'blank']);
  });

  it('has no last name for a one-word name', () => {
    expect(render('{{last_name|}}-{{first_name}}', { ...nameless, name: '  Cher ' })).toMatchObject({
      text: '-Cher',
      missing: [],
    });
  });

  it('trims values and treats blank ones as missing', () => {
    const contact = { ...nameless, name: '  Ada   King ', custom_fields: { city: ' Paris ', blank: ' ' } };
    expect(render('{{name}}/{{last_name}}/{{city}}/{{blank|none}}', contact).text).toBe(
      'Ada   King/King/Paris/none',
    );
  });

  it('keeps emoji and non-Latin text intact', () => {
    const contact = { ...nameless, name: 'José 山田', custom_fields: { город: 'Москва 🏙️' } };
    expect(render('¡Hola {{first_name}}! 👋 {{last_name}} — {{город}}', contact).text).toBe(
      '¡Hola José! 👋 山田 — Москва 🏙️',
    );
  });

  it('never reads inherited properties as custom fields', () => {
    const result = render('{{constructor}}{{toString}}{{__proto__|x}}', nameless);
    expect(result).toEqual({ text: 'x', missing: ['constructor', 'toString'], length: 1, tooLong: false });
  });

  it('never throws on malformed contact data', () => {
    const broken = {
      name: 42,
      phone: null,
      email: undefined,
      custom_fields: null,
    } as unknown as TemplateContact;
    expect(render('{{name|?}} {{first_name}} {{phone}} {{x}}', broken)).toMatchObject({
      text: '?   ',
      missing: ['first_name', 'phone', 'x'],
    });
    const odd = { ...nameless, custom_fields: { n: 7 } } as unknown as TemplateContact;
    expect(render('{{n|none}}', odd).text).toBe('none');
  });

  it('reports renders over the WhatsApp limit, counting UTF-16 units', () => {
    expect(WHATSAPP_TEXT_LIMIT).toBe(4096);
    const contact = { ...nameless, custom_fields: { long: 'x'.repeat(4000) } };
    expect(render(`${'a'.repeat(96)}{{long}}`, contact)).toMatchObject({ length: 4096, tooLong: false });
    expect(render(`${'a'.repeat(97)}{{long}}`, contact)).toMatchObject({ length: 4097, tooLong: true });
    expect(render('🙂'.repeat(2049), contact)).toMatchObject({ length: 4098, tooLong: true });
  });
});

describe('variables', () => {
  it('defines variable names: letters of any script, digits, _ and dotted segments', () => {
    for (const name of ['name', 'first_name', 'order.id', 'имя', '名前', '1', 'a_1.b_2']) {
      expect(isVariableName(name)).toBe(true);
    }
    for (const name of ['', ' name', 'first name', '.a', 'a.', 'a..b', 'a-b', 'a|b', '{a}']) {
      expect(isVariableName(name)).toBe(false);
    }
  });

  it('turns spreadsheet headers into variable names', () => {
    expect(toVariableName('Company Name')).toBe('company_name');
    expect(toVariableName('  Date of birth (DD/MM) ')).toBe('date_of_birth_dd_mm');
    expect(toVariableName('Straße')).toBe('straße');
    expect(toVariableName('E-mail 2')).toBe('e_mail_2');
    expect(toVariableName('***')).toBe('');
    for (const header of ['Company Name', 'Ünïcödé Ñame', 'a.b'])
      expect(isVariableName(toVariableName(header))).toBe(true);
  });

  it('offers the built-ins and the usable custom field keys', () => {
    const contact = {
      ...nameless,
      custom_fields: { company: 'x', 'bad key': 'y', email: 'z', 'contact.x': 'w' },
    };
    expect(availableVariables(contact)).toEqual([
      'name',
      'first_name',
      'last_name',
      'phone',
      'email',
      'company',
    ]);
  });

  it('lets built-ins win over a custom field of the same name', () => {
    const contact = { ...ada, custom_fields: { email: 'custom@example.com' } };
    expect(variableValue(contact, 'email')).toBe('ada@example.com');
  });

  it('is case-sensitive', () => {
    expect(variableValue(ada, 'Company')).toBeUndefined();
    expect(variableValue(ada, 'company')).toBe('Analytical Engines');
  });
});
