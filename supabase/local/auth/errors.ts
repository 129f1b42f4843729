// GoTrue's error responses. Clients that send `X-Supabase-Api-Version: 2024-01-01` (auth-js
// does) get `{code, message}` and the version echoed back, which is what makes auth-js read
// `code` as the error code; older clients get `{code: <status>, error_code, msg}`.

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION_2024 = '2024-01-01';

export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra top-level fields GoTrue adds for some errors (weak_password reasons). */
    readonly extra: Record<string, unknown> = {},
    /** Response headers, e.g. Retry-After on 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

function wantsVersion2024(req: Request): boolean {
  const requested = req.headers.get(API_VERSION_HEADER);
  // Versions are ISO dates, so string order is date order.
  return requested !== null && /^\d{4}-\d{2}-\d{2}$/.test(requested) && requested >= API_VERSION_2024;
}

export function errorResponse(req: Request, err: AuthError): Response {
  if (wantsVersion2024(req)) {
    return Response.json(
      { code: err.code, message: err.message, ...err.extra },
      { status: err.status, headers: { ...err.headers, [API_VERSION_HEADER]: API_VERSION_2024 } },
    );
  }
  return Response.json(
    { code: err.status, error_code: err.code, msg: err.message, ...err.extra },
    { status: err.status, headers: err.headers },
  );
}

/** Any other failure: logged here, answered without internals. */
export function unexpectedFailure(err: unknown): AuthError {
  // The message and stack only: database errors carry the query's parameters (password hashes).
  console.error('auth: unexpected failure:', err instanceof Error ? (err.stack ?? err.message) : String(err));
  return new AuthError(
    500,
    'unexpected_failure',
    'Unexpected failure, please check server logs for more information',
  );
}
