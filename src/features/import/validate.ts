/**
 * Mapped rows to contact candidates for one workspace: phones to E.164, the mobile one as the
 * contact's phone, the rest as custom fields; rows without a usable phone rejected, rows repeating
 * an earlier row's phone reported as duplicates. State spans batches, so a file is validated as it
 * is read.
 */

import { checkCustomFields, checkEmail, checkTags, checkText } from '../../domain/field-checks.ts';
import { contactId } from '../../domain/ids.ts';
import {
  type CountryCode,
  isMobileType,
  mobileFirst,
  type NormalizedPhone,
  normalizePhone,
  type PhoneResult,
} from '../../domain/phone.ts';
import { toVariableName } from '../../domain/variables.ts';
import type { MappedPhone, MappedRow } from './mapping.ts';

export interface ContactCandidate {
  /** From the workspace and the phone (UUID v5): importing the same number again updates it. */
  id: string;
  line: number;
  phone: string;
  name: string;
  email: string;
  tags: string[];
  notes: string;
  custom_fields: Record<string, string>;
}

export interface RejectedRow {
  line: number;
  /** The row's name as mapped, so the report says whose row it was. */
  name: string;
  reason: string;
  raw: Record<string, string>;
}

/** A row imported without something it held (e.g. a malformed email), and why. */
export interface RowWarning {
  line: number;
  name: string;
  message: string;
}

export interface DuplicateRow {
  line: number;
  /** The row whose contact this one repeats. */
  firstLine: number;
  phone: string;
}

export interface ValidationResult {
  accepted: ContactCandidate[];
  rejected: RejectedRow[];
  duplicates: DuplicateRow[];
  warnings: RowWarning[];
}

export interface ImportTarget {
  workspaceId: string;
  /** National numbers are read as this country's. */
  defaultCountry: CountryCode;
}

interface ValidPhone extends NormalizedPhone {
  label: string;
}

export class ContactValidator {
  private readonly firstLineByPhone = new Map<string, number>();

  constructor(private readonly target: ImportTarget) {}

  /** Validates one batch; duplicates are found against every batch validated before. */
  validate(rows: readonly MappedRow[]): ValidationResult {
    const result: ValidationResult = { accepted: [], rejected: [], duplicates: [], warnings: [] };
    for (const row of rows) this.validateRow(row, result);
    return result;
  }

  private validateRow(row: MappedRow, result: ValidationResult): void {
    const valid: ValidPhone[] = [];
    const invalid: { phone: MappedPhone; message: string }[] = [];
    // A national number beside an international one is most likely of the same country
    // ("(11) 3333-4444" beside +55 …): read with the row's first valid number's country first.
    const { defaultCountry } = this.target;
    // Each number read once with the workspace's country (the parse is most of the import's
    // reading time); again with the row's only where that differs.
    const asDefault = row.phones.map((phone) => normalizePhone(phone.value, defaultCountry));
    const rowCountry =
      asDefault.find((n): n is NormalizedPhone => n.ok && n.country !== null)?.country ?? defaultCountry;
    row.phones.forEach((phone, i) => {
      const byDefault = asDefault[i] as PhoneResult;
      const asRow = rowCountry === defaultCountry ? byDefault : normalizePhone(phone.value, rowCountry);
      const normalized = asRow.ok ? asRow : byDefault;
      if (normalized.ok) valid.push({ ...normalized, label: phone.label });
      else invalid.push({ phone, message: normalized.message });
    });
    const ranked = valid.length > 1 ? rankPhones(valid) : valid;
    const best = ranked[0];
    if (!best) {
      const reason =
        invalid.length === 0
          ? 'no phone number'
          : invalid.map(({ phone, message }) => `phone "${phone.value}": ${message}`).join('; ');
      result.rejected.push({ line: row.line, name: row.name, reason, raw: row.raw });
      return;
    }
    let custom_fields = row.custom;
    if (ranked.length > 1 || invalid.length > 0) {
      custom_fields = { ...row.custom };
      // The other numbers stay with the contact: valid ones in E.164, invalid ones as written.
      const extra = [
        ...ranked
          .slice(1)
          .filter((p) => p.e164 !== best.e164)
          .map((p) => ({ label: p.label, value: p.e164 })),
        ...invalid.map(({ phone }) => ({ label: phone.label, value: phone.value })),
      ];
      for (const { label, value } of extra) {
        if (Object.values(custom_fields).includes(value)) continue;
        custom_fields[freeKey(custom_fields, toVariableName(`phone ${label}`) || 'phone')] = value;
      }
    }
    // A malformed email costs the email, not the contact: the phone is what Pigeon needs.
    const email = checkEmail(row.email);
    const kept = email.ok ? row : { ...row, email: '' };
    const fields = checkFields(kept, custom_fields);
    if (!fields.ok) {
      result.rejected.push({ line: row.line, name: row.name, reason: fields.error, raw: row.raw });
      return;
    }
    const firstLine = this.firstLineByPhone.get(best.e164);
    if (firstLine !== undefined) {
      result.duplicates.push({ line: row.line, firstLine, phone: best.e164 });
      return;
    }
    this.firstLineByPhone.set(best.e164, row.line);
    if (!email.ok) {
      result.warnings.push({
        line: row.line,
        name: fields.value.name,
        message: `${email.error}; imported without it`,
      });
    }
    result.accepted.push({
      id: contactId(this.target.workspaceId, best.e164),
      line: row.line,
      phone: best.e164,
      ...fields.value,
    });
  }
}

type CheckedFields = Pick<ContactCandidate, 'name' | 'email' | 'tags' | 'notes' | 'custom_fields'>;

/**
 * The checks the contact form makes (and the server's table), so that no imported row is
 * refused by the server later, where it would hold up the sync of everything after it.
 */
function checkFields(
  row: MappedRow,
  customFields: Record<string, string>,
): { ok: true; value: CheckedFields } | { ok: false; error: string } {
  const name = checkText('Name', row.name, { max: 200 });
  if (!name.ok) return name;
  const email = checkEmail(row.email);
  if (!email.ok) return email;
  const tags = checkTags(row.tags);
  if (!tags.ok) return tags;
  const notes = checkText('Notes', row.notes, { max: 10000 });
  if (!notes.ok) return notes;
  const custom = checkCustomFields(customFields);
  if (!custom.ok) return custom;
  const value = { name: name.value, email: email.value, tags: tags.value, notes: notes.value };
  return { ok: true, value: { ...value, custom_fields: custom.value } };
}

// Mobile numbers first (what WhatsApp reaches); among numbers libphonenumber cannot tell apart
// (all North American ones), the one the file labels mobile.
function rankPhones(phones: ValidPhone[]): ValidPhone[] {
  const labelledMobileFirst = [...phones].sort(
    (a, b) =>
      Number(b.label === 'mobile' && isMobileType(b.type)) -
      Number(a.label === 'mobile' && isMobileType(a.type)),
  );
  return mobileFirst(labelledMobileFirst);
}

function freeKey(fields: Record<string, string>, base: string): string {
  let key = base;
  for (let n = 2; key in fields; n++) key = `${base}_${n}`;
  return key;
}
