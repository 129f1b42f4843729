// The per-recipient campaign report (src/domain/campaign-report.ts): one row per recipient,
// the filter, the counts and the CSV export with its escaping.
import Papa from 'papaparse';
import { describe, expect, test } from 'vitest';
import {
  filterReport,
  type ReportMessage,
  reportCounts,
  reportCsv,
  reportRows,
} from '../../src/domain/campaign-report.ts';

const message = (fields: Partial<ReportMessage>): ReportMessage => ({
  contact_id: 'c1',
  phone: '+447400123456',
  status: 'sent',
  error: null,
  created_at: '2026-05-01T10:00:00+00:00',
  sent_at: null,
  delivered_at: null,
  read_at: null,
  failed_at: null,
  ...fields,
});

describe('rows', () => {
  test('one row per recipient: the newest message (a retry), in the order recipients were first queued', () => {
    const rows = reportRows(
      [
        message({
          contact_id: 'b',
          phone: '+447400000002',
          created_at: '2026-05-01T10:00:01.5+00:00',
          status: 'read',
        }),
        message({
          contact_id: 'a',
          phone: '+447400000001',
          created_at: '2026-05-01T10:00:00.45+00:00',
          status: 'failed',
          error: 'provider said no',
          failed_at: '2026-05-01T10:00:03+00:00',
        }),
        // The retry of a, a day later.
        message({
          contact_id: 'a',
          phone: '+447400000001',
          created_at: '2026-05-02T10:00:00+00:00',
          status: 'delivered',
          sent_at: '2026-05-02T10:00:02+00:00',
          delivered_at: '2026-05-02T10:00:05+00:00',
        }),
        // A recipient whose contact was deleted since: keyed by phone, no name.
        message({ contact_id: null, phone: '+447400000003', created_at: '2026-05-01T10:00:02+00:00' }),
      ],
      new Map([
        ['a', 'Ada'],
        ['b', 'Bo'],
      ]),
    );
    expect(rows.map((r) => [r.name, r.phone, r.status, r.error])).toEqual([
      ['Ada', '+447400000001', 'delivered', null],
      ['Bo', '+447400000002', 'read', null],
      ['', '+447400000003', 'sent', null],
    ]);
    expect(rows[0]).toMatchObject({
      queuedAt: '2026-05-02T10:00:00+00:00',
      sentAt: '2026-05-02T10:00:02+00:00',
      deliveredAt: '2026-05-02T10:00:05+00:00',
    });
    expect(reportCounts(rows)).toEqual({ queued: 0, sending: 0, sent: 1, delivered: 1, read: 1, failed: 0 });
    expect(filterReport(rows, 'read').map((r) => r.name)).toEqual(['Bo']);
    expect(filterReport(rows, 'all')).toBe(rows);
  });

  test('100,000 recipients with a retry round are reported within five seconds on a busy machine (one pass and a sort, no quadratic work)', () => {
    const messages: ReportMessage[] = [];
    for (let i = 0; i < 100_000; i++) {
      const at = new Date(Date.UTC(2026, 4, 1) + i * 1000).toISOString();
      messages.push(
        message({ contact_id: `c${i}`, created_at: at, status: i % 10 === 0 ? 'failed' : 'delivered' }),
      );
    }
    for (let i = 0; i < 100_000; i += 10)
      messages.push(message({ contact_id: `c${i}`, created_at: '2026-06-01T00:00:00Z' }));
    const started = performance.now();
    const rows = reportRows(messages, new Map());
    expect(performance.now() - started).toBeLessThan(5000);
    expect(rows).toHaveLength(100_000);
    expect(reportCounts(rows)).toMatchObject({ failed: 0, sent: 10_000, delivered: 90_000 });
  });
});

describe('CSV', () => {
  const row = (name: string, error: string | null = null) =>
    reportRows([message({ status: error ? 'failed' : 'sent', error })], new Map([['c1', name]]))[0]!;

  test('quotes what CSV needs quoted, and reads back the same cells', () => {
    const csv = reportCsv([row('Lovelace, "Ada"', 'line one\nline two')]);
    expect(csv.split('\r\n')[0]).toBe('Name,Phone,Status,Queued,Sent,Delivered,Read,Failed,Error');
    expect(csv).toContain('"Lovelace, ""Ada"""');
    const parsed = Papa.parse<string[]>(csv).data;
    expect(parsed[1]).toEqual([
      'Lovelace, "Ada"',
      "'+447400123456",
      'failed',
      '2026-05-01T10:00:00.000Z',
      '',
      '',
      '',
      '',
      'line one\nline two',
    ]);
  });

  test.each([
    ['=HYPERLINK("http://evil.test","x")'],
    ['+1+cmd|/C calc!A0'],
    ['-2+3'],
    ['@SUM(A1:A2)'],
    ['\t=1+1'],
  ])('a cell starting like a formula is written as text: %j', (name) => {
    const parsed = Papa.parse<string[]>(reportCsv([row(name, name)])).data;
    expect(parsed[1]![0]).toBe(`'${name}`);
    expect(parsed[1]![8]).toBe(`'${name}`);
  });
});
