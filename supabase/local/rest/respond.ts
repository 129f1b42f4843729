// The HTTP response for a statement's result row: status, Content-Range and body as
// PostgREST sends them.
import type { Preferences } from './ast.ts';
import { rangeError, singularError } from './errors.ts';
import type { Plan } from './plans.ts';
import type { ResultRow } from './sql.ts';

/** `0-9/123`, `*\/0`, `0-9/*`: PostgREST's Content-Range for a page starting at lower. */
export function contentRange(lower: number, page: number, total: number | null): string {
  const upper = lower + page - 1;
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
  return `${range}/${total ?? '*'}`;
}

/** 206 for a partial page of a counted result, 416 past its end. */
export function rangeStatus(lower: number, page: number, total: number | null): number {
  if (total === null) return 200;
  if (lower > total) return 416;
  return page < total ? 206 : 200;
}

/** A result that must be exactly one row (vnd.pgrst.object+json, or a function returning one row). */
export function checkSingular(plan: Plan, row: ResultRow): void {
  if (plan.shape === 'object' && row.page !== 1) throw singularError(row.page);
}

export interface Outcome {
  /** 'read' for GET/HEAD and rpc; otherwise the mutation. */
  action: 'read' | 'insert' | 'update' | 'delete';
  head: boolean;
  offset: number;
  prefer: Preferences;
  relation: string;
}

function contentType(plan: Plan): string {
  return plan.shape === 'object'
    ? 'application/vnd.pgrst.object+json; charset=utf-8'
    : 'application/json; charset=utf-8';
}

function location(relation: string, pk: string[], body: string | null): string | undefined {
  const [first] = JSON.parse(body ?? '[]') as Record<string, unknown>[];
  if (!first) return undefined;
  const query = pk.map((c) => `${encodeURIComponent(c)}=eq.${encodeURIComponent(String(first[c]))}`);
  return `/${encodeURIComponent(relation)}?${query.join('&')}`;
}

export function buildResponse(plan: Plan, row: ResultRow, out: Outcome): Response {
  const total = out.prefer.count && row.total !== null ? Number(row.total) : null;
  const headers: Record<string, string> = {};
  let status: number;
  if (out.action === 'read') {
    status = plan.shape === 'none' ? 204 : rangeStatus(out.offset, row.page, total);
    if (status === 416)
      throw rangeError(`An offset of ${out.offset} was requested, but there are only ${total} rows.`);
    headers['content-range'] = contentRange(out.offset, row.page, total);
  } else {
    const counted = out.prefer.count ? row.page : null;
    if (out.action === 'insert') {
      status = 201;
      // PostgREST reports no range for inserts, only the count.
      headers['content-range'] = `*/${counted ?? '*'}`;
    } else {
      status = plan.shape === 'none' ? 204 : 200;
      headers['content-range'] = contentRange(0, row.page, counted);
    }
    const loc = plan.location && location(out.relation, plan.location, row.body);
    if (loc) headers.location = loc;
  }
  if (plan.shape === 'none' || out.head) {
    return new Response(null, { status, headers });
  }
  const text = row.body ?? 'null';
  headers['content-type'] = contentType(plan);
  // json_agg of one row is `[{...}]`: the object is that text without the brackets.
  return new Response(plan.shape === 'object' ? text.slice(1, -1) : text, { status, headers });
}
