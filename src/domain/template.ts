/**
 * WhatsApp text templates: `{{variable}}` and `{{variable|fallback}}`, with optional whitespace
 * inside the braces (`{{ first_name | there }}`). Variable names: see variables.ts.
 *
 * The fallback is everything after the first `|`, trimmed; `{{name|}}` is an explicit empty
 * fallback, so the variable is optional and never reported missing. There is no escape: a lone
 * `{` or `}` is text, but braces inside a placeholder and a `}}` with no `{{` are errors, since
 * they are almost always typos. Parsing is lenient: a malformed placeholder stays in the text as
 * written, so a preview still shows something, and every error is listed with its offset.
 */
import { isVariableName, type TemplateContact, variableValue } from './variables.ts';

/**
 * WhatsApp's limit for a text message. Lengths here count UTF-16 code units (an emoji is 2), a
 * conservative reading: whatever Pigeon accepts, WhatsApp accepts.
 */
export const WHATSAPP_TEXT_LIMIT = 4096;

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'variable'; name: string; fallback: string | null; offset: number };

export type TemplateErrorKind = 'unclosed' | 'unopened' | 'empty_name' | 'invalid_name' | 'nested_braces';

export interface TemplateError {
  kind: TemplateErrorKind;
  /** Index in the body (UTF-16 code units, like a textarea's selectionStart). */
  offset: number;
  message: string;
}

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** Each variable used, once, in order of first use, as written. */
  variables: string[];
  errors: TemplateError[];
}

export interface RenderedTemplate {
  text: string;
  /** Variables with no value and no fallback, once each; the text has nothing in their place. */
  missing: string[];
  length: number;
  tooLong: boolean;
}

const OPEN = '{{';
const CLOSE = '}}';

export function parseTemplate(body: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const errors: TemplateError[] = [];
  let textStart = 0;
  let index = 0;

  while (index < body.length) {
    const open = body.indexOf(OPEN, index);
    const stray = body.indexOf(CLOSE, index);
    if (stray !== -1 && (open === -1 || stray < open)) {
      errors.push(error('unopened', stray));
      index = stray + CLOSE.length;
      continue;
    }
    if (open === -1) break;

    const close = findClose(body, open + OPEN.length);
    if (!close) {
      errors.push(error('unclosed', open));
      // Later placeholders may be fine: keep reading after this "{{".
      index = open + OPEN.length;
      continue;
    }
    index = close.end + CLOSE.length;
    if (close.braceAt !== -1) {
      errors.push(error('nested_braces', close.braceAt));
      continue;
    }

    const inner = body.slice(open + OPEN.length, close.end);
    const pipe = inner.indexOf('|');
    const written = pipe === -1 ? inner : inner.slice(0, pipe);
    const name = written.trim();
    if (name === '') {
      errors.push(error('empty_name', open));
      continue;
    }
    if (!isVariableName(name)) {
      errors.push(error('invalid_name', open + OPEN.length + written.indexOf(name), name));
      continue;
    }

    if (open > textStart) parts.push({ kind: 'text', text: body.slice(textStart, open) });
    parts.push({
      kind: 'variable',
      name,
      fallback: pipe === -1 ? null : inner.slice(pipe + 1).trim(),
      offset: open,
    });
    textStart = index;
  }
  if (textStart < body.length) parts.push({ kind: 'text', text: body.slice(textStart) });

  const variables = [...new Set(parts.flatMap((part) => (part.kind === 'variable' ? [part.name] : [])))];
  return { parts, variables, errors };
}

/** Fills the placeholders for one contact. Never throws on user data. */
export function renderTemplate(template: ParsedTemplate, contact: TemplateContact): RenderedTemplate {
  let text = '';
  const missing = new Set<string>();
  for (const part of template.parts) {
    if (part.kind === 'text') {
      text += part.text;
      continue;
    }
    const value = variableValue(contact, part.name) ?? part.fallback;
    if (value === null) missing.add(part.name);
    else text += value;
  }
  return { text, missing: [...missing], length: text.length, tooLong: text.length > WHATSAPP_TEXT_LIMIT };
}

/**
 * The `}}` that closes a placeholder opened just before `from`, and the first brace inside it
 * (-1 if none). One nested `{{ }}` is taken as a mistake inside this placeholder, so it gives one
 * error; a second `{{` means this one was never closed (placeholders do not hold placeholders).
 */
function findClose(body: string, from: number): { end: number; braceAt: number } | undefined {
  let nested: 'none' | 'open' | 'closed' = 'none';
  let braceAt = -1;
  let index = from;
  while (index < body.length) {
    if (body.startsWith(CLOSE, index)) {
      if (nested !== 'open') return { end: index, braceAt };
      nested = 'closed';
      index += CLOSE.length;
    } else if (body.startsWith(OPEN, index)) {
      if (nested !== 'none') return undefined;
      nested = 'open';
      if (braceAt === -1) braceAt = index;
      index += OPEN.length;
    } else {
      if (braceAt === -1 && (body[index] === '{' || body[index] === '}')) braceAt = index;
      index += 1;
    }
  }
  return undefined;
}

function error(kind: TemplateErrorKind, offset: number, name = ''): TemplateError {
  const messages: Record<TemplateErrorKind, string> = {
    unclosed: '"{{" is never closed with "}}"',
    unopened: '"}}" has no "{{" before it',
    empty_name: 'a placeholder has no variable name',
    invalid_name: `"${name}" is not a variable name: use letters, digits, _ and .`,
    nested_braces: 'braces inside a placeholder',
  };
  return { kind, offset, message: messages[kind] };
}
