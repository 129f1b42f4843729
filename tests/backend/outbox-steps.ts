// One run of process-outbox, as the local timer makes it, checked: the processor answered
// and every report it made was taken.
import { expect } from 'vitest';
import { runOutbox } from '../../supabase/local/outbox-run.ts';
import type { Backend } from './harness.ts';

export async function processOutboxOnce(backend: Backend) {
  const run = await runOutbox(backend.url, backend.config.serviceRoleKey);
  expect(run.status).toBe(200);
  expect(run.summary!.errors).toEqual([]);
  return run.summary!;
}
