/**
 * Contact import for the UI: the worker (worker.ts) reads, maps and validates
 * the file off the page's thread and hands accepted contacts over in batches; this side has
 * each batch saved (by the storage worker in the browser, save.ts) before the worker reads on.
 *
 * Cancel: the batch being written when Cancel is pressed is finished (each batch is one bulk
 * write of whole documents) and nothing after it is written. What Cancel leaves is exactly the
 * batches reported as saved: every contact in them whole, none of the rest.
 */
import * as Comlink from 'comlink';
import type { Result } from '../../domain/result.ts';
import { awaitScope, NO_SCOPE, type ScopeSource } from '../shared/scope.ts';
import type { ImportApi, ImportReport, ImportStatus } from './api.ts';
import type { ImportOutcome, ImportPreview, ImportProgress } from './pipeline.ts';
import { perSecond, secondsLeft } from './progress.ts';
import { type BatchCounts, type ContactChanges, saveBatch } from './save.ts';
import type { ImportWorkerApi } from './worker.ts';

/**
 * Contacts per write. RxDB's work for a write runs on the page's thread: 500 keeps each write's
 * share of it short while the per-write overhead stays small against IndexedDB's own cost.
 */
export const IMPORT_BATCH = 500;

/** Changed contacts the report lists: enough to check the import, small enough to show. */
const LISTED_CHANGES = 200;

/** Starts the import worker: the bundled one in a browser; Node tests serve it in-process. */
export type ImportWorkerFactory = () => Worker;

const defaultWorker: ImportWorkerFactory = () =>
  new Worker(new URL('./worker.ts', import.meta.url), {
    type: 'module',
    name: 'pigeon-import',
  });

export function createImportApi(
  source: ScopeSource,
  createWorker: ImportWorkerFactory = defaultWorker,
): ImportApi {
  /** Runs `use` with a fresh worker, ended afterwards: an import is rare, a worker cheap. */
  async function withWorker<T>(use: (api: Comlink.Remote<ImportWorkerApi>) => Promise<T>): Promise<T> {
    const worker = createWorker();
    const api = Comlink.wrap<ImportWorkerApi>(worker);
    try {
      return await use(api);
    } finally {
      api[Comlink.releaseProxy]();
      worker.terminate();
    }
  }

  return {
    async preview(file) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const target = { workspaceId: scope.workspace.id, defaultCountry: scope.workspace.default_country };
      return withWorker<Result<ImportPreview>>((api) => api.preview(file, target));
    },

    start(file, choice, onStatus) {
      let cancelled = false;
      let cancelWorker: (() => void) | undefined;
      const done = (async (): Promise<Result<ImportReport>> => {
        const scope = await awaitScope(source);
        if (!scope) return NO_SCOPE;
        const target = { workspaceId: scope.workspace.id, defaultCountry: scope.workspace.default_country };
        const started = performance.now();
        const counts: BatchCounts = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
        const changed: ContactChanges[] = [];
        let saved = 0;
        let last: ImportProgress = {
          bytesRead: 0,
          totalBytes: file.size,
          rowsRead: 0,
          valid: 0,
          rejected: 0,
          duplicates: 0,
          warnings: 0,
        };
        const status = (progress: ImportProgress): ImportStatus => {
          last = progress;
          const elapsedMs = performance.now() - started;
          return {
            ...progress,
            ...counts,
            saved,
            elapsedMs,
            rowsPerSecond: perSecond(progress.rowsRead, elapsedMs),
            secondsLeft: secondsLeft(progress.bytesRead / Math.max(1, progress.totalBytes), elapsedMs),
          };
        };
        const sink = {
          async save(contacts: Parameters<typeof saveBatch>[1], progress: ImportProgress): Promise<boolean> {
            if (cancelled) return false;
            onStatus(status(progress));
            // The first batch, and any after mostly new contacts, is added before it is looked up.
            const mostlyNew = counts.created >= counts.updated + counts.unchanged + counts.skipped;
            const batch = await saveBatch(scope, contacts, choice, mostlyNew);
            counts.created += batch.created;
            counts.updated += batch.updated;
            counts.unchanged += batch.unchanged;
            counts.skipped += batch.skipped;
            changed.push(...batch.changed.slice(0, LISTED_CHANGES - changed.length));
            saved += contacts.length;
            onStatus(status(progress));
            // A turn for input and painting between writes.
            await new Promise((resolve) => setTimeout(resolve, 0));
            return !cancelled;
          },
          progress(progress: ImportProgress): void {
            onStatus(status(progress));
          },
        };
        // Pushes wait for the whole import, not only for each batch: pushed between batches,
        // every row cost a second write (the replication's record of what the server holds)
        // competing with the import for the storage; after it, they go up 1,000 at a time.
        // Until then the rows are stored and counted as waiting to sync (a crash loses nothing:
        // the replication pushes them from its checkpoint at the next start).
        const outcome = await scope.writes.run(() =>
          withWorker<Result<ImportOutcome>>((api) => {
            cancelWorker = () => void api.cancel();
            if (cancelled) cancelWorker();
            const request = { target, mapping: choice.mapping ?? undefined, batchSize: IMPORT_BATCH };
            return api.run(file, request, Comlink.proxy(sink));
          }),
        );
        if (!outcome.ok) return outcome;
        const { progress, firstProblems, firstWarnings, rejectedCsv } = outcome.value;
        return {
          ok: true,
          value: {
            ...status(cancelled || outcome.value.cancelled ? last : progress),
            cancelled: cancelled || outcome.value.cancelled,
            firstProblems,
            firstWarnings,
            rejectedCsv,
            changed,
          },
        };
      })();
      return {
        cancel() {
          cancelled = true;
          cancelWorker?.();
        },
        done,
      };
    },
  };
}
