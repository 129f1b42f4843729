/**
 * What the import worker (worker.ts) offers over Comlink: reading, mapping and validating a
 * chosen file. Apart from the worker's entry so that a test can serve it from a MessagePort.
 * Refusals come back as results, not exceptions, so their message reaches the user intact.
 */
import type { Result } from '../../domain/result.ts';
import {
  type ImportOutcome,
  type ImportPreview,
  type ImportRequest,
  type ImportSink,
  previewFile,
  runImport,
} from './pipeline.ts';
import { ImportRefusedError } from './source.ts';
import type { ImportTarget } from './validate.ts';
import { UnreadableWorkbookError } from './xlsx.ts';

let running: AbortController | undefined;

export const importWorkerApi = {
  preview(file: File, target: ImportTarget): Promise<Result<ImportPreview>> {
    return refusable(() => previewFile(file, target));
  },

  run(file: File, request: ImportRequest, sink: ImportSink): Promise<Result<ImportOutcome>> {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    return refusable(() => runImport(file, request, sink, controller.signal));
  },

  /** Stops reading; the batch being saved, if any, is the page's to finish. */
  cancel(): void {
    running?.abort();
  },
};

export type ImportWorkerApi = typeof importWorkerApi;

async function refusable<T>(run: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    if (err instanceof ImportRefusedError || err instanceof UnreadableWorkbookError) {
      return { ok: false, error: err.message };
    }
    throw err;
  }
}
