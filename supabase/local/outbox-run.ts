// One call of the process-outbox function with the service_role key: what pg_cron does on
// hosted Supabase, and what the local timer, tests and benchmarks do here.
import type { RunSummary } from '../functions/process-outbox/handler.ts';

export interface OutboxRun {
  status: number;
  /** The function's summary; null when it answered something else (e.g. a crash). */
  summary: RunSummary | null;
}

export async function runOutbox(apiUrl: string, serviceRoleKey: string): Promise<OutboxRun> {
  const res = await fetch(`${apiUrl}/functions/v1/process-outbox`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serviceRoleKey}` },
  });
  const body = (await res.json().catch(() => null)) as RunSummary | null;
  return { status: res.status, summary: body && typeof body.worker === 'string' ? body : null };
}
