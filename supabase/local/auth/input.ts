// Request bodies and the field checks GoTrue applies to them. Type errors answer `bad_json`
// (GoTrue fails them while decoding); rule violations answer the code GoTrue uses for each.
import { AuthError } from './errors.ts';
import { fitsBcrypt, MAX_PASSWORD_BYTES } from './passwords.ts';

export type JsonObject = Record<string, unknown>;

function badJson(detail: string): AuthError {
  return new AuthError(400, 'bad_json', `Could not parse request body as JSON: ${detail}`);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body as a JSON object; an empty body is `{}` only when the route allows it. */
export async function readJson(req: Request, opts: { optional?: boolean } = {}): Promise<JsonObject> {
  const text = await req.text();
  if (text.trim() === '') {
    if (opts.optional) return {};
    throw badJson('the request body is empty');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badJson(err instanceof Error ? err.message : String(err));
  }
  if (!isObject(value)) throw badJson('the request body must be a JSON object');
  return value;
}

/** A string field; null and absent both read as undefined. */
export function stringField(body: JsonObject, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badJson(`"${name}" must be a string`);
  return value;
}

export function objectField(body: JsonObject, name: string): JsonObject | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw badJson(`"${name}" must be a JSON object`);
  return value;
}

export function booleanField(body: JsonObject, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badJson(`"${name}" must be true or false`);
  return value;
}

const EMAIL_RE =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A valid email address, lower-cased as GoTrue stores it. */
export function validEmail(email: string | undefined): string {
  if (!email) throw new AuthError(400, 'validation_failed', 'An email address is required');
  if (email.length > 255) throw new AuthError(400, 'validation_failed', 'An email address is too long');
  if (!EMAIL_RE.test(email)) {
    throw new AuthError(400, 'email_address_invalid', 'Unable to validate email address: invalid format');
  }
  return email.toLowerCase();
}

export const MIN_PASSWORD_LENGTH = 6;

export function validPassword(password: string | undefined): string {
  if (!password) throw new AuthError(422, 'validation_failed', 'A password is required');
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new AuthError(
      422,
      'weak_password',
      `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`,
      { weak_password: { reasons: ['length'] } },
    );
  }
  if (!fitsBcrypt(password)) {
    throw new AuthError(
      422,
      'validation_failed',
      `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`,
    );
  }
  return password;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/** GoTrue's metadata update: keys merge in, a null value removes its key. */
export function mergeMetadata(current: JsonObject, patch: JsonObject): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
