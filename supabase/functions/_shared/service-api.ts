// /rest/v1 as service_role: calls of Postgres functions and plain reads. Plain fetch, no
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

export function serviceApi(env: Record<string, string | undefined>): ServiceApi {
  const url = env.SUPABASE_URL;
  const key = env.SUPABASE_SERVICE_ROLE_KEY;
  if (!url || !key) throw new Error('SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY must be set');
  const headers = { apikey: key, authorization: `Bearer ${key}`, 'content-type': 'application/json' };

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
