// Words and numbers of the import page. No rules here: the worker and the services decide.
import type { ColumnRole, ExistingPolicy } from '../../features/import/api.ts';

/** What a column can be, in the order the select lists them. */
export const ROLE_LABELS: Record<ColumnRole, string> = {
  phone: 'Phone',
  name: 'Full name',
  first_name: 'First name',
  middle_name: 'Middle name',
  last_name: 'Last name',
  email: 'Email',
  tags: 'Tags',
  notes: 'Notes',
  custom: 'Custom field',
  ignore: 'Ignore',
};

/** The choices for phones already in the workspace, default first. */
export const EXISTING_CHOICES: readonly { value: ExistingPolicy; title: string; hint: string }[] = [
  {
    value: 'fill',
    title: 'Fill empty fields only',
    hint: 'Existing contacts keep their names and details; the file adds what they lack, and tags.',
  },
  {
    value: 'update',
    title: 'Update existing contacts',
    hint: "The file's names, emails, notes and fields replace theirs where the file has a value.",
  },
  { value: 'skip', title: 'Skip existing contacts', hint: 'Only new phones are imported.' },
];

export const KIND_LABELS = { csv: 'CSV', vcard: 'vCard', xlsx: 'Excel workbook' } as const;

export function count(n: number): string {
  return n.toLocaleString('en');
}

/** "45 s", "3 min 05 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** The rejected-rows file's name: after the imported file, so several reports stay apart. */
export function reportFileName(imported: string): string {
  const base = imported.replace(/\.[^.]+$/, '') || 'import';
  return `${base}-rejected-rows.csv`;
}
