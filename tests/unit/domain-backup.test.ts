// The pure parts of backups: the CSV writer (quoting, formula injection), the contacts and
// templates CSVs, a backup file's checks (each names what is wrong) and the restore plan
// (add, change, equal, revived, the opt-out and launched-campaign rules).
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  BACKUP_FORMAT,
  BACKUP_KIND,
  type BackupData,
  backupManifest,
  backupRecord,
  dataFile,
  MANIFEST_FILE,
  readBackup,
} from '../../src/domain/backup.ts';
import { type HeldRecords, planRestore } from '../../src/domain/backup-plan.ts';
import { csvCell, toCsv } from '../../src/domain/csv-write.ts';
import { contactId } from '../../src/domain/ids.ts';
import { contactsCsv, templatesCsv } from '../../src/domain/records-csv.ts';

const workspaceId = randomUUID();
const groupId = randomUUID();

function contact(phone: string, patch: Record<string, unknown> = {}) {
  return {
    id: contactId(workspaceId, phone),
    phone,
    name: 'Ann',
    email: '',
    tags: ['vip'],
    group_ids: [groupId],
    custom_fields: { city: 'Porto' },
    notes: '',
    opted_out: false,
    ...patch,
  };
}

function data(): BackupData {
  return {
    contacts: [contact('+447400123456'), contact('+447400123457', { name: 'Bob' })],
    contact_groups: [{ id: groupId, name: 'Friends', description: '', color: null }],
    templates: [
      { id: randomUUID(), name: 'Hello', body: 'Hi {{name}}', language: 'en', category: 'marketing' },
    ],
    campaigns: [],
  };
}

function files(d: BackupData, manifest: Record<string, unknown> = {}): Map<string, string> {
  const out = new Map<string, string>([
    [
      MANIFEST_FILE,
      JSON.stringify({
        ...backupManifest({ id: workspaceId, name: 'Acme' }, d, '2026-12-03T10:00:00.000Z'),
        ...manifest,
      }),
    ],
  ]);
  for (const [collection, records] of Object.entries(d))
    out.set(`${collection}.json`, JSON.stringify(records));
  return out;
}

const held = (d: BackupData, extra: Record<string, unknown> = {}): HeldRecords => ({
  contacts: d.contacts.map((r) => ({ ...r, workspace_id: workspaceId, _deleted: false, ...extra })),
  contact_groups: d.contact_groups.map((r) => ({ ...r, _deleted: false })),
  templates: d.templates.map((r) => ({ ...r, _deleted: false })),
  campaigns: d.campaigns.map((r) => ({ ...r, _deleted: false, status: 'draft' })),
});

describe('CSV writer', () => {
  test('cells a spreadsheet would run as a formula get a leading apostrophe', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(csvCell(`${start}HYPERLINK("http://x")`).replace(/^"/, '')).toMatch(/^'/);
    }
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+34 612')).toBe("'+34 612");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a=b')).toBe('a=b');
  });

  test('quotes commas, quotes, line breaks and edge spaces; doubles quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('one\ntwo')).toBe('"one\ntwo"');
    expect(csvCell(' x')).toBe('" x"');
    expect(csvCell('Zoë')).toBe('Zoë');
    expect(csvCell('=a,"b"')).toBe(`"'=a,""b"""`);
  });

  test('a document: BOM, CRLF rows', () => {
    expect(
      toCsv([
        ['a', 'b'],
        ['1', '2,3'],
      ]),
    ).toBe('\uFEFFa,b\r\n1,"2,3"\r\n');
  });

  test('contacts: group names, tags, a column per custom field, phones kept readable', () => {
    const csv = contactsCsv(
      [
        contact('+447400123456', { name: '=cmd|calc', custom_fields: { city: 'Porto' } }),
        contact('+447400123457', {
          group_ids: [],
          tags: [],
          custom_fields: { plan: 'gold' },
          opted_out: true,
        }),
      ],
      new Map([[groupId, 'Friends']]),
    );
    expect(csv.split('\r\n')).toEqual([
      '\uFEFFphone,name,email,tags,groups,notes,opted_out,city,plan',
      "'+447400123456,'=cmd|calc,,vip,Friends,,no,Porto,",
      "'+447400123457,Ann,,,,,yes,,gold",
      '',
    ]);
  });

  test('templates', () => {
    expect(templatesCsv(data().templates)).toBe(
      '\uFEFFname,language,category,body\r\nHello,en,marketing,Hi {{name}}\r\n',
    );
  });
});

describe('reading a backup', () => {
  test('a good file reads whole', () => {
    const read = readBackup(files(data()), workspaceId);
    expect(read.ok && read.value.data.contacts.length).toBe(2);
    expect(read.ok && read.value.manifest.kind).toBe(BACKUP_KIND);
  });

  test('each wrong file is refused with what is wrong', () => {
    const good = files(data());
    const without = (name: string) => new Map([...good].filter(([n]) => n !== name));
    const replaced = (name: string, text: string) => new Map([...good, [name, text]]);
    const cases: [Map<string, string>, string][] = [
      [without(MANIFEST_FILE), 'not a Pigeon backup: it has no manifest.json'],
      [replaced(MANIFEST_FILE, '{"kind":'), 'manifest.json is not valid JSON'],
      [replaced(MANIFEST_FILE, '{"kind":"other"}'), 'not a Pigeon manifest'],
      [
        files(data(), { format: 99 }),
        `format (version 99) is unknown to this version of Pigeon, which reads version ${BACKUP_FORMAT}`,
      ],
      [files(data(), { workspace: { id: randomUUID(), name: 'Other' } }), 'another workspace (“Other”)'],
      [without(dataFile('templates')), 'incomplete: templates.json is missing'],
      [replaced(dataFile('contacts'), '[{'), 'contacts.json is not valid JSON'],
      [replaced(dataFile('contacts'), '{}'), 'contacts.json is not a list of records'],
      [
        files(data(), { counts: { contacts: 3, contact_groups: 1, templates: 1, campaigns: 0 } }),
        'contacts.json holds 2 records where the manifest says 3',
      ],
    ];
    for (const [input, error] of cases) {
      const read = readBackup(input, workspaceId);
      expect(read.ok ? 'read' : read.error).toContain(error);
    }
  });

  test('a bad record names its file, number and field', () => {
    const cases: [Partial<BackupData>, string][] = [
      [{ contacts: [contact('+447400123456', { name: 5 })] }, 'contacts.json, record 1: name is not text'],
      [{ contacts: [contact('+447400123456', { tags: undefined })] }, 'record 1: tags is missing'],
      [
        { contacts: [{ ...contact('+447400123456'), id: contactId(randomUUID(), '+447400123456') }] },
        'its id is not that of +447400123456 in this workspace',
      ],
      [
        { contacts: [contact('+447400123456'), contact('+447400123456')] },
        'contacts.json, record 2: its id is repeated',
      ],
      [
        { contact_groups: [{ id: 'x', name: 'A', description: '', color: null }] },
        'contact_groups.json, record 1: its id is missing or not an id',
      ],
    ];
    for (const [patch, error] of cases) {
      const d = { ...data(), ...patch } as BackupData;
      const read = readBackup(files(d), workspaceId);
      expect(read.ok ? 'read' : read.error).toContain(error);
    }
  });

  test('a record keeps only the restored fields', () => {
    const record = backupRecord('contact_groups', {
      id: groupId,
      name: 'A',
      description: '',
      color: null,
      updated_at: 'x',
      _deleted: false,
    });
    expect(record).toEqual({ id: groupId, name: 'A', description: '', color: null });
  });
});

describe('restore plan', () => {
  test('equal records are left: restoring twice writes nothing', () => {
    const d = data();
    const plan = planRestore(d, held(d));
    expect(plan.steps).toEqual([]);
    expect(plan.counts.contacts).toEqual({ add: 0, change: 0, same: 2, kept: 0 });
  });

  test('custom fields in another key order are equal', () => {
    const d = data();
    const h = held(d);
    d.contacts[0] = contact('+447400123456', { custom_fields: { b: '2', a: '1' } });
    h.contacts = h.contacts.map((c, i) => (i === 0 ? { ...c, custom_fields: { a: '1', b: '2' } } : c));
    expect(planRestore(d, h).steps).toEqual([]);
    // A field more, or a tag's order, is a change.
    h.contacts = h.contacts.map((c, i) =>
      i === 0 ? { ...c, custom_fields: { a: '1', b: '2', c: '' } } : { ...c, tags: ['b', 'a'] },
    );
    d.contacts[1] = contact('+447400123457', { name: 'Bob', tags: ['a', 'b'] });
    expect(planRestore(d, h).steps.map((s) => s.fields)).toEqual([['custom_fields'], ['tags']]);
  });

  test('missing and deleted records are added, differing ones changed with their fields', () => {
    const d = data();
    const h = held(d);
    h.contacts = [{ ...h.contacts[0]!, _deleted: true }];
    h.contact_groups = [{ ...h.contact_groups[0]!, name: 'Renamed', color: '#ff0000' }];
    const plan = planRestore(d, h);
    expect(plan.steps.map((s) => [s.collection, s.kind, s.revives, s.label])).toEqual([
      ['contacts', 'add', true, 'Ann (+447400123456)'],
      ['contacts', 'add', false, 'Bob (+447400123457)'],
      ['contact_groups', 'change', false, 'Friends'],
    ]);
    expect(plan.steps[2]?.fields).toEqual(['name', 'color']);
    expect(plan.counts.templates).toEqual({ add: 0, change: 0, same: 1, kept: 0 });
  });

  test('an opt-out held now is never cleared; one in the backup is set', () => {
    const d = data();
    expect(planRestore(d, held(d, { opted_out: true })).steps).toEqual([]);
    const before = held(d);
    d.contacts[0] = contact('+447400123456', { opted_out: true });
    expect(planRestore(d, before).steps.map((s) => s.fields)).toEqual([['opted_out']]);
  });

  test('a campaign launched since the backup is kept as it is', () => {
    const d = data();
    const campaign = backupRecord('campaigns', {
      id: randomUUID(),
      name: 'Promo',
      body: 'x',
      group_ids: [],
      tags: [],
      contact_ids: [],
    });
    d.campaigns = [campaign];
    const h = held(d);
    h.campaigns = [{ ...campaign, name: 'Promo launched', _deleted: false, status: 'running' }];
    expect(planRestore(d, h).counts.campaigns).toEqual({ add: 0, change: 0, same: 0, kept: 1 });
  });
});
