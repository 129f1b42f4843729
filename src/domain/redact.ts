/**
 * What a diagnostics report must never carry, whatever an error message picked up: tokens
 * (JWTs, `Bearer …`, `apikey=…`). Applied to every string of the report, keys included.
 */
const JWT = /\beyJ[\w-]+\.[\w-]+\.[\w-]+/g;
const BEARER = /\bBearer\s+[\w.~+/-]+=*/gi;
const KEY_PARAM = /\b(apikey|access_token|refresh_token|token)=[^&\s"[]+/gi;

export function redactSecrets(text: string): string {
  return text
    .replace(JWT, '[token removed]')
    .replace(BEARER, 'Bearer [token removed]')
    .replace(KEY_PARAM, '$1=[token removed]');
}

/** `value` with every string redacted (objects and arrays copied, other values as they are). */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactSecrets(k), redactDeep(v)]));
  }
  return value;
}
