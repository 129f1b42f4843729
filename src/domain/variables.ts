/**
 * The variables a template can use and their values for one contact.
 *
 * A name is letters (any script), digits and `_`, in segments joined by dots. Built-ins: `name`,
 * `first_name` (the first word of the name), `last_name` (every word after the first), `phone`
 * (E.164) and `email`; every other name is a custom field key. Built-ins win over a custom field
 * of the same name. `contact.` in front is optional (`contact.first_name` = `first_name`).
 * Names are case-sensitive: the editor inserts them, it does not guess.
 */
import type { Contact } from './types.ts';

export type TemplateContact = Pick<Contact, 'name' | 'phone' | 'email' | 'custom_fields'>;

export const BUILT_IN_VARIABLES = ['name', 'first_name', 'last_name', 'phone', 'email'] as const;

const VARIABLE_NAME = /^[\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]+)*$/u;
const CONTACT_PREFIX = 'contact.';

export function isVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

/**
 * A usable variable name for a label such as a spreadsheet header ("Company Name" →
 * `company_name`); empty when the label has no letter or digit.
 */
export function toVariableName(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/** The names the editor offers for this contact: built-ins, then its usable custom field keys. */
export function availableVariables(contact: TemplateContact): string[] {
  const custom = Object.keys(contact.custom_fields).filter(
    (key) => isVariableName(key) && !isBuiltIn(key) && !key.startsWith(CONTACT_PREFIX),
  );
  return [...BUILT_IN_VARIABLES, ...custom];
}

/**
 * The contact's value for a variable, trimmed; undefined when it has none (blank counts as none).
 * Reads defensively: documents come from storage and other devices, and rendering must not throw.
 */
export function variableValue(contact: TemplateContact, name: string): string | undefined {
  const key = name.startsWith(CONTACT_PREFIX) ? name.slice(CONTACT_PREFIX.length) : name;
  switch (key) {
    case 'name':
      return text(contact.name);
    case 'first_name':
      return words(contact.name)[0];
    case 'last_name':
      return text(words(contact.name).slice(1).join(' '));
    case 'phone':
      return text(contact.phone);
    case 'email':
      return text(contact.email);
  }
  const fields: unknown = contact.custom_fields;
  if (typeof fields !== 'object' || fields === null) return undefined;
  // Inherited members (`constructor`, `__proto__`) are never strings, so they read as missing.
  return text((fields as Record<string, unknown>)[key]);
}

function isBuiltIn(name: string): boolean {
  return (BUILT_IN_VARIABLES as readonly string[]).includes(name);
}

function words(value: unknown): string[] {
  return text(value)?.split(/\s+/) ?? [];
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
