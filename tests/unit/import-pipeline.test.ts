import { describe, expect, it } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import {
  type ImportProgress,
  type ImportSink,
  previewFile,
  runImport,
} from '../../src/features/import/pipeline.ts';
import { MAX_IMPORT_BYTES } from '../../src/features/import/source.ts';
import type { ContactCandidate, ImportTarget } from '../../src/features/import/validate.ts';
import { fixture, xlsxOf } from './import-fixtures.ts';

const target: ImportTarget = { workspaceId: '0b6a3c55-1f1e-4f4e-9d7e-2d6f1c1b9a01', defaultCountry: 'GB' };

const fileOf = (name: string, bytes: Uint8Array<ArrayBuffer> | string, type = '') =>
  new File([bytes], name, { type });

/** A CSV of `rows` contacts with UK mobiles; rows listed in `bad` get an invalid phone. */
function generatedCsv(rows: number, bad: ReadonlySet<number> = new Set()): File {
  const lines = ['Name,Mobile,Company'];
  for (let i = 1; i <= rows; i++) {
    const phone = bad.has(i) ? `12${i}` : `07400 ${String(100000 + i)}`;
    lines.push(`Contact ${i},${phone},Org ${i % 7}`);
  }
  return fileOf('contacts.csv', `${lines.join('\n')}\n`);
}

/** Saves into an array; answers false from the `stopAfter`-th batch on. */
function collector(stopAfter = Number.POSITIVE_INFINITY) {
  const batches: ContactCandidate[][] = [];
  const reports: ImportProgress[] = [];
  const sink: ImportSink = {
    async save(contacts) {
      batches.push(contacts);
      return batches.length < stopAfter;
    },
    progress: (p) => reports.push(p),
  };
  return { sink, batches, reports };
}

describe('previewFile', () => {
  it('shows the first rows and the guessed mapping of a CSV', async () => {
    const preview = await previewFile(fileOf('google.csv', fixture('google.csv')), target);
    expect(preview.kind).toBe('csv');
    expect(preview.encoding).toBe('utf-8');
    expect(preview.rows[0]?.fields.Name).toBe('Alice Smith');
    const roles = Object.fromEntries(preview.mapping?.columns.map((c) => [c.header, c.role]) ?? []);
    expect(roles).toMatchObject({ Name: 'name', 'Phone 1 - Value': 'phone', 'E-mail 1 - Value': 'email' });
  });

  it('reads vCards with their fixed fields', async () => {
    const preview = await previewFile(fileOf('contacts.vcf', fixture('contacts-3.0.vcf')), target);
    expect(preview.kind).toBe('vcard');
    expect(preview.mapping).toBeNull();
    expect(preview.headers).toEqual(['name', 'phones', 'email', 'org', 'note']);
  });

  it('reads an .xlsx through the same mapping', async () => {
    const bytes = xlsxOf([
      ['Nombre', 'Móvil'],
      ['Ana', '07400 123456'],
    ]);
    const preview = await previewFile(fileOf('libro.xlsx', bytes), target);
    expect(preview.kind).toBe('xlsx');
    expect(preview.mapping?.columns.map((c) => c.role)).toEqual(['name', 'phone']);
  });

  it('refuses, naming the file: no phone column, no rows, wrong type, too large, old Excel', async () => {
    await expect(previewFile(fileOf('no-phone.csv', fixture('no-phone.csv')), target)).rejects.toThrow(
      /No column looks like a phone number \(columns: Name, Email, Company\)/,
    );
    await expect(previewFile(fileOf('empty.csv', 'Name,Phone\n\n'), target)).rejects.toThrow(
      /“empty.csv” has no rows of contacts/,
    );
    await expect(previewFile(fileOf('scan.pdf', '%PDF-1.7'), target)).rejects.toThrow(
      /“scan.pdf” is not a contacts file Pigeon reads/,
    );
    await expect(previewFile(fileOf('old.xls', 'x'), target)).rejects.toThrow(/old Excel format \(\.xls\)/);
    await expect(previewFile(fileOf('nothing.csv', ''), target)).rejects.toThrow(/“nothing.csv” is empty/);
    const huge = { name: 'huge.csv', size: MAX_IMPORT_BYTES + 1, type: 'text/csv' } as File;
    await expect(previewFile(huge, target)).rejects.toThrow(/“huge.csv” is 50 MB; .* up to 50 MB/);
  });
});

describe('runImport', () => {
  it('hands on every valid contact in batches of the asked size, and reports the rest by row', async () => {
    const bad = new Set([3, 250, 999]);
    const { sink, batches, reports } = collector();
    const outcome = await runImport(generatedCsv(1000, bad), { target, batchSize: 300 }, sink);
    expect(batches.map((b) => b.length)).toEqual([300, 300, 300, 97]);
    const saved = batches.flat();
    expect(saved[0]).toMatchObject({
      id: contactId(target.workspaceId, '+447400100001'),
      line: 2,
      name: 'Contact 1',
      custom_fields: { company: 'Org 1' },
    });
    expect(new Set(saved.map((c) => c.id)).size).toBe(997);
    expect(outcome).toMatchObject({
      cancelled: false,
      progress: { rowsRead: 1000, valid: 997, rejected: 3, duplicates: 0 },
    });
    // Data row i is line i + 1.
    expect(outcome.firstProblems.map((p) => p.line)).toEqual([4, 251, 1000]);
    expect(outcome.rejectedCsv.split('\r\n')[1]).toBe('4,"phone ""123"": too short",Contact 3,123,Org 3');
    expect(reports.at(-1)).toMatchObject({ rowsRead: 1000, bytesRead: reports.at(-1)?.totalBytes });
  });

  it('reports repeats of a phone as duplicates of the first row, and imports the first', async () => {
    const csv = 'Name,Phone\nA,07400 123456\nB,+44 7400 123456\nC,07400 123457\n';
    const { sink, batches } = collector();
    const outcome = await runImport(fileOf('d.csv', csv), { target, batchSize: 10 }, sink);
    expect(batches.flat().map((c) => c.name)).toEqual(['A', 'C']);
    expect(outcome.firstProblems).toEqual([
      {
        line: 3,
        name: 'B',
        reason: 'same phone (+447400123456) as row 2',
        raw: { Name: 'B', Phone: '+44 7400 123456' },
      },
    ]);
  });

  it('rejects a row the server would refuse, naming the field; a malformed email only costs the email', async () => {
    const csv = `Name,Phone,Email\nA,07400 123456,not-an-email\n${'N'.repeat(201)},07400 123457,\n`;
    const { sink, batches } = collector();
    const outcome = await runImport(fileOf('f.csv', csv), { target, batchSize: 10 }, sink);
    expect(outcome.firstProblems.map((p) => [p.line, p.name.length, p.reason])).toEqual([
      [3, 201, 'Name: at most 200 characters'],
    ]);
    expect(batches.flat()).toMatchObject([{ name: 'A', phone: '+447400123456', email: '' }]);
    expect(outcome.progress).toMatchObject({ valid: 1, rejected: 1, warnings: 1 });
    expect(outcome.firstWarnings).toEqual([
      { line: 2, name: 'A', message: 'Email: "not-an-email" is not an email address; imported without it' },
    ]);
  });

  it("reads a second number in national format with the country of the row's first valid number", async () => {
    const csv = 'Name,Mobile,Work\nLoja,+55 11 98888-7777,(11) 3333-4444\n';
    const { sink, batches } = collector();
    const mapping = {
      columns: [
        { header: 'Name', role: 'name' as const },
        { header: 'Mobile', role: 'phone' as const, phoneLabel: 'mobile' },
        { header: 'Work', role: 'phone' as const, phoneLabel: 'work' },
      ],
    };
    // The workspace is in Great Britain, where "(11) 3333-4444" is no number.
    await runImport(fileOf('br.csv', csv), { target, mapping, batchSize: 10 }, sink);
    const [contact] = batches.flat();
    expect(contact?.phone).toBe('+5511988887777');
    expect(Object.values(contact?.custom_fields ?? {})).toContain('+551133334444');
  });

  it('uses the mapping the user chose', async () => {
    const csv = 'Who,Number,Ref\nAna,07400 123456,R1\n';
    const { sink, batches } = collector();
    const mapping = {
      columns: [
        { header: 'Who', role: 'name' as const },
        { header: 'Number', role: 'phone' as const, phoneLabel: 'mobile' },
        { header: 'Ref', role: 'custom' as const, customKey: 'reference' },
      ],
    };
    await runImport(fileOf('m.csv', csv), { target, mapping, batchSize: 10 }, sink);
    expect(batches.flat()[0]).toMatchObject({
      name: 'Ana',
      phone: '+447400123456',
      custom_fields: { reference: 'R1' },
    });
    await expect(
      runImport(
        fileOf('m.csv', csv),
        { target, mapping: { columns: [{ header: 'Who', role: 'name' }] }, batchSize: 10 },
        sink,
      ),
    ).rejects.toThrow(/No column looks like a phone number/);
  });

  it('Cancel: nothing is handed on after the batch the saver refused, and the run says it was cancelled', async () => {
    const { sink, batches } = collector(2);
    const outcome = await runImport(generatedCsv(5000), { target, batchSize: 500 }, sink);
    expect(outcome.cancelled).toBe(true);
    expect(batches.map((b) => b.length)).toEqual([500, 500]);
    // The batches are the file's first rows, in order.
    expect(batches.flat().map((c) => c.line)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 2));
  });

  it('Cancel by signal stops reading before the next batch', async () => {
    const controller = new AbortController();
    const batches: number[] = [];
    const sink: ImportSink = {
      async save(contacts) {
        batches.push(contacts.length);
        controller.abort();
        return true;
      },
      progress: () => undefined,
    };
    const outcome = await runImport(generatedCsv(5000), { target, batchSize: 500 }, sink, controller.signal);
    expect(outcome.cancelled).toBe(true);
    expect(batches).toEqual([500]);
  });

  it('imports an .xlsx like a CSV', async () => {
    const bytes = xlsxOf([
      ['Name', 'Mobile', 'Company'],
      ['Ana 🎉', 7400123456, 'ACME'],
      ['Bad', '12', null],
    ]);
    const { sink, batches } = collector();
    const outcome = await runImport(fileOf('c.xlsx', bytes), { target, batchSize: 10 }, sink);
    expect(batches.flat()).toMatchObject([
      { line: 2, name: 'Ana 🎉', phone: '+447400123456', custom_fields: { company: 'ACME' } },
    ]);
    expect(outcome.firstProblems.map((p) => p.line)).toEqual([3]);
  });
});
