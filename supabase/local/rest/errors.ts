// PostgREST's error wire format: `{code, message, details, hint}` with the HTTP status
// PostgREST gives each Postgres SQLSTATE or PGRST code.

export interface ErrorBody {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { code: this.code, message: this.message, details: this.details, hint: this.hint };
  }
}

/** PGRST100: a query parameter that does not parse; message in PostgREST's form. */
export function parseError(what: string, input: string, column: number, details: string): RestError {
  return new RestError(
    400,
    'PGRST100',
    `"failed to parse ${what} (${input})" (line 1, column ${column})`,
    details,
  );
}

export function invalidBody(message: string, details: string | null = null): RestError {
  return new RestError(400, 'PGRST102', message, details);
}

export function tableNotFound(name: string): RestError {
  return new RestError(404, 'PGRST205', `Could not find the table 'public.${name}' in the schema cache`);
}

/** A column named in select, filters, order or on_conflict: Postgres's own undefined_column. */
export function columnNotFound(table: string, column: string): RestError {
  return new RestError(400, '42703', `column ${table}.${column} does not exist`);
}

/** A column named in a payload or `columns=`: PostgREST's schema-cache error. */
export function payloadColumnNotFound(table: string, column: string): RestError {
  return new RestError(
    400,
    'PGRST204',
    `Could not find the '${column}' column of '${table}' in the schema cache`,
  );
}

export function functionNotFound(name: string, args: string[], jsonBody: boolean): RestError {
  const params = args.length === 0 ? ' without parameters' : `(${args.join(', ')})`;
  const searched =
    args.length === 0
      ? ' without parameters'
      : ` with parameter${args.length > 1 ? 's' : ''} ${args.join(', ')}`;
  return new RestError(
    404,
    'PGRST202',
    `Could not find the function public.${name}${params} in the schema cache`,
    `Searched for the function public.${name}${searched}${
      jsonBody ? ' or with a single unnamed json/jsonb parameter' : ''
    }, but no matches were found in the schema cache.`,
  );
}

export function rangeError(details: string): RestError {
  return new RestError(416, 'PGRST103', 'Requested range not satisfiable', details);
}

export function singularError(rows: number): RestError {
  return new RestError(
    406,
    'PGRST116',
    'JSON object requested, multiple (or no) rows returned',
    `The result contains ${rows} rows`,
  );
}

/** Shape of a Postgres error as both PGlite and node-postgres throw it. */
interface PgErrorLike {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

function isPgError(err: unknown): err is PgErrorLike {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** PostgREST's SQLSTATE → HTTP status table. `authed` is false for the anon role. */
export function statusForSqlState(code: string, message: string, authed: boolean): number {
  const exact: Record<string, number> = {
    '23503': 409,
    '23505': 409,
    '25006': 405,
    '53400': 500,
    '57P01': 503,
    P0001: 400,
    '42883': 404,
    '42P01': 404,
    '42P17': 500,
    '42501': authed ? 403 : 401,
  };
  if (code in exact) return exact[code] as number;
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500;
  if (code === '22023') return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
  const byClass: Record<string, number> = {
    '08': 503,
    '09': 500,
    '0L': 403,
    '0P': 403,
    '25': 500,
    '28': 403,
    '2D': 500,
    '38': 500,
    '39': 500,
    '3B': 500,
    '40': 500,
    '53': 503,
    '54': 500,
    '55': 500,
    '57': 500,
    '58': 500,
    F0: 500,
    HV: 500,
    P0: 500,
    XX: 500,
  };
  const cls = code.slice(0, 2);
  if (cls in byClass) return byClass[cls] as number;
  // RAISE with SQLSTATE 'PTxyz' chooses the status xyz.
  if (cls === 'PT') {
    const status = Number(code.slice(2));
    return status >= 100 && status <= 599 ? status : 500;
  }
  return 400;
}

/** Turns whatever a request threw into a RestError; unknown failures become an opaque 500. */
export function toRestError(err: unknown, authed: boolean): RestError {
  if (err instanceof RestError) return err;
  if (isPgError(err)) {
    return new RestError(
      statusForSqlState(err.code, err.message, authed),
      err.code,
      err.message,
      err.detail ?? null,
      err.hint ?? null,
    );
  }
  // A bug, not a client error: log it here, never send the stack.
  console.error('rest: unexpected error', err);
  return new RestError(500, 'PGRSTX00', 'Internal server error');
}

export function errorResponse(err: RestError): Response {
  return new Response(JSON.stringify(err.body()), {
    status: err.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...err.headers },
  });
}
