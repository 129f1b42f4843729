// The two parsers of the import benchmark, in a worker as the app runs them.
import * as Comlink from 'comlink';
import Papa from 'papaparse';
import { runImport } from '../../../src/features/import/pipeline.ts';

const target = { workspaceId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', defaultCountry: 'GB' as const };

const api = {
  /** Rows papaparse reads from the file, streaming, nothing else done with them. */
  papaparse(file: File): Promise<{ rows: number; ms: number }> {
    const started = performance.now();
    let rows = 0;
    return new Promise((resolve, reject) => {
      Papa.parse<string[]>(file, {
        skipEmptyLines: true,
        chunk: (result) => {
          rows += result.data.length;
        },
        // The header is not a contact.
        complete: () => resolve({ rows: rows - 1, ms: performance.now() - started }),
        error: reject,
      });
    });
  },

  /** Pigeon's reading of the file, every contact validated and handed on, none saved. */
  async pigeon(file: File): Promise<{ rows: number; valid: number; ms: number }> {
    const started = performance.now();
    const { progress } = await runImport(
      file,
      { target, batchSize: 500 },
      { save: async () => true, progress: () => undefined },
    );
    return { rows: progress.rowsRead, valid: progress.valid, ms: performance.now() - started };
  },
};

export type ParseBenchWorker = typeof api;
Comlink.expose(api);
