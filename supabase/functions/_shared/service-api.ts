// /rest/v1 from a function: calls of Postgres functions and plain reads, as service_role or
// as the calling user (their own token, so RLS and auth.uid() decide). Plain fetch, no
// supabase-js, for the reason given in supabase/functions/outbox/handler.ts.

export class ServiceApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ServiceApi {
  rpc<T>(fn: string, args: Record<string, unknown>): Promise<T>;
  /** Rows of `table` matching PostgREST query parameters, e.g. {id: 'eq.…', select: 'id'}. */
  select<T>(table: string, query: Record<string, string>): Promise<T[]>;
}

function restApi(url: string, apikey: string, authorization: string): ServiceApi {
  const headers = { apikey, authorization, 'content-type': 'application/json' };

  async function call<T>(what: string, path: string, init: RequestInit): Promise<T> {
    const res = await fetch(`${url}/rest/v1/${path}`, { ...init, headers });
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    if (!res.ok) throw new ServiceApiError(res.status, `${what}: ${body?.message ?? `HTTP ${res.status}`}`);
    return body as T;
  }

  return {
    rpc: (fn, args) => call(fn, `rpc/${fn}`, { method: 'POST', body: JSON.stringify(args) }),
    select: (table, query) => call(table, `${table}?${new URLSearchParams(query)}`, { method: 'GET' }),
  };
}

export function serviceApi(env: Record<string, string | undefined>): ServiceApi {
  const url = env.SUPABASE_URL;
  const key = env.SUPABASE_SERVICE_ROLE_KEY;
  if (!url || !key) throw new Error('SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY must be set');
  return restApi(url, key, `Bearer ${key}`);
}

/** /rest/v1 as the user whose `authorization` header (Bearer <access token>) the request carried. */
export function callerApi(env: Record<string, string | undefined>, authorization: string): ServiceApi {
  const url = env.SUPABASE_URL;
  const anonKey = env.SUPABASE_ANON_KEY;
  if (!url || !anonKey) throw new Error('SUPABASE_URL and SUPABASE_ANON_KEY must be set');
  return restApi(url, anonKey, authorization);
}
