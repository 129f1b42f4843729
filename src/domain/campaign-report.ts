/**
 * A campaign's per-recipient report (issue 15 item 6): one row per recipient, the latest
 * round's message (a retried recipient shows its retry), the time of each step, why it failed;
 * a status filter and its CSV export.
 */
import Papa from 'papaparse';
import type { MessageStatus } from './types.ts';

/** A campaign message as the report reads it (the server's columns of the step times). */
export interface ReportMessage {
  contact_id: string | null;
  phone: string;
  status: MessageStatus;
  error: string | null;
  created_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  failed_at: string | null;
}

export interface ReportRow {
  /** The contact's id, or the phone when the contact is gone. */
  key: string;
  name: string;
  phone: string;
  status: MessageStatus;
  queuedAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  failedAt: string | null;
  error: string | null;
}

export type ReportFilter = MessageStatus | 'all';

export const REPORT_STATUSES: readonly MessageStatus[] = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
];

/**
 * One row per recipient: of its messages the newest (a retry is created after the message it
 * retries), in the order the recipients were first queued. `names` maps contact ids to names.
 */
export function reportRows(
  messages: Iterable<ReportMessage>,
  names: ReadonlyMap<string, string>,
): ReportRow[] {
  // The server writes timestamps with varying fractions of a second: compared as instants.
  const latest = new Map<string, { message: ReportMessage; at: number }>();
  const firstQueued = new Map<string, number>();
  for (const m of messages) {
    const key = m.contact_id ?? m.phone;
    const at = Date.parse(m.created_at);
    const seen = latest.get(key);
    if (!seen || at > seen.at) latest.set(key, { message: m, at });
    const first = firstQueued.get(key);
    if (first === undefined || at < first) firstQueued.set(key, at);
  }
  const rows: ReportRow[] = [];
  for (const [key, { message: m }] of latest) {
    rows.push({
      key,
      name: (m.contact_id && names.get(m.contact_id)) || '',
      phone: m.phone,
      status: m.status,
      queuedAt: m.created_at,
      sentAt: m.sent_at,
      deliveredAt: m.delivered_at,
      readAt: m.read_at,
      failedAt: m.failed_at,
      error: m.error,
    });
  }
  const order = (row: ReportRow) => firstQueued.get(row.key) ?? 0;
  return rows.sort((a, b) => order(a) - order(b) || (a.key < b.key ? -1 : 1));
}

export function filterReport(rows: readonly ReportRow[], filter: ReportFilter): readonly ReportRow[] {
  return filter === 'all' ? rows : rows.filter((row) => row.status === filter);
}

/** How many recipients are at each status. */
export function reportCounts(rows: readonly ReportRow[]): Record<MessageStatus, number> {
  const counts = Object.fromEntries(REPORT_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
  for (const row of rows) counts[row.status] += 1;
  return counts;
}

const CSV_HEADER = ['Name', 'Phone', 'Status', 'Queued', 'Sent', 'Delivered', 'Read', 'Failed', 'Error'];

/**
 * The rows as CSV (RFC 4180: quotes, commas and line breaks quoted; CRLF lines), times in ISO
 * 8601 UTC. A cell starting with =, +, -, @, tab or carriage return is prefixed with ' so a
 * spreadsheet shows it as text instead of running it as a formula (CSV injection): names and
 * provider errors come from outside.
 */
export function reportCsv(rows: readonly ReportRow[]): string {
  return Papa.unparse(
    {
      fields: CSV_HEADER,
      data: rows.map((r) => [
        r.name,
        r.phone,
        r.status,
        iso(r.queuedAt),
        iso(r.sentAt),
        iso(r.deliveredAt),
        iso(r.readAt),
        iso(r.failedAt),
        r.error ?? '',
      ]),
    },
    { escapeFormulae: true, newline: '\r\n' },
  );
}

const iso = (at: string | null) => (at ? new Date(at).toISOString() : '');
