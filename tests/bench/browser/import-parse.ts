// Runs in Chromium: the chosen file parsed in a worker by papaparse alone, then by Pigeon's
// whole reading path (decode, parse, map, validate, dedupe) with nothing saved.
import * as Comlink from 'comlink';
import type { ParseBenchWorker } from './import-parse-worker.ts';

async function run(): Promise<Record<string, number>> {
  const file = document.querySelector<HTMLInputElement>('input[type=file]')?.files?.[0];
  if (!file) throw new Error('choose a file first');
  const worker = new Worker(new URL('./import-parse-worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<ParseBenchWorker>(worker);
  try {
    const papa = await api.papaparse(file);
    const pigeon = await api.pigeon(file);
    return {
      papaparse_rows: papa.rows,
      papaparse_ms: Math.round(papa.ms),
      pigeon_rows: pigeon.rows,
      pigeon_valid: pigeon.valid,
      pigeon_ms: Math.round(pigeon.ms),
    };
  } finally {
    worker.terminate();
  }
}

(window as unknown as { runParseBench: typeof run }).runParseBench = run;
