// Request bodies: read within the size limit (counted as the bytes arrive, whatever
// Content-Length claims), then checked for the shapes PostgREST accepts.
import { BodyTooLargeError, readBodyWithin } from '../body.ts';
import { invalidBody, RestError } from './errors.ts';

export interface JsonBody {
  /** The text as sent: Postgres parses it again, so big numbers keep their precision. */
  raw: string;
  value: unknown;
}

function tooLarge(limit: number): RestError {
  // 54000 is Postgres's program_limit_exceeded; the status is the gateway's 413.
  return new RestError(
    413,
    '54000',
    `Request body is larger than the limit of ${limit} bytes`,
    `Send at most ${limit} bytes per request; split large inserts into several.`,
  );
}

/** Reads the body as JSON; undefined when there is none. */
export async function readJsonBody(req: Request, limit: number): Promise<JsonBody | undefined> {
  const bytes = await readBodyWithin(req, limit).catch((err: unknown) => {
    throw err instanceof BodyTooLargeError ? tooLarge(limit) : err;
  });
  if (!bytes) return undefined;
  let raw: string;
  try {
    raw = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalidBody('Empty or invalid json', 'The body is not valid UTF-8');
  }
  if (raw.trim() === '') return undefined;
  try {
    return { raw, value: JSON.parse(raw) as unknown };
  } catch (err) {
    throw invalidBody('Empty or invalid json', err instanceof Error ? err.message : String(err));
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/** Insert payloads: one object or an array of objects. */
export function insertRows(body: JsonBody | undefined): JsonObject[] {
  if (!body)
    throw invalidBody('Empty or invalid json', 'An insert needs a JSON object or an array of objects');
  const { value } = body;
  if (isObject(value)) return [value];
  if (!Array.isArray(value))
    throw invalidBody('Expected a JSON object or an array of JSON objects', `The body is ${describe(value)}`);
  value.forEach((row, i) => {
    if (!isObject(row))
      throw invalidBody(
        'Expected a JSON object or an array of JSON objects',
        `Element ${i} is ${describe(row)}`,
      );
  });
  return value as JsonObject[];
}

/** PATCH payloads and rpc arguments: one object. */
export function singleObject(body: JsonBody | undefined, what: string): JsonObject {
  if (!body) return {};
  if (!isObject(body.value))
    throw invalidBody(`Expected a JSON object as the ${what}`, `The body is ${describe(body.value)}`);
  return body.value;
}

/** Without `columns=`, every object must have the same keys (PostgREST's rule). */
export function uniformKeys(rows: JsonObject[]): string[] {
  const first = Object.keys(rows[0] ?? {});
  const key = [...first].sort().join('\u0000');
  rows.forEach((row, i) => {
    if (Object.keys(row).sort().join('\u0000') !== key)
      throw invalidBody(
        'All object keys must match',
        `Object ${i} has keys (${Object.keys(row).join(', ')}) but object 0 has (${first.join(', ')})`,
      );
  });
  return first;
}
