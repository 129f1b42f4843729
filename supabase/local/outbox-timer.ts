// The local stand-in for pg_cron: runs process-outbox every `intervalMs`, as hosted
// Supabase does on schedule (README: sending on hosted Supabase). A tick that finds the
// previous run still going is skipped.
import { runOutbox } from './outbox-run.ts';

export interface OutboxTimer {
  /** Resolves when the run in progress (if any) has finished. */
  stop(): Promise<void>;
}

export function startOutboxTimer(opts: {
  url: string;
  serviceRoleKey: string;
  intervalMs: number;
}): OutboxTimer {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = runOutbox(opts.url, opts.serviceRoleKey)
      .then(({ status, summary }) => {
        if (status !== 200 || summary?.errors.length) {
          console.error(`process-outbox: HTTP ${status}`, summary?.errors ?? '');
        }
      })
      .catch((err: Error) => console.error('process-outbox could not be called:', err.message))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
