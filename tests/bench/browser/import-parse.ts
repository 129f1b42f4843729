// Runs in Chromium: the chosen file parsed in a worker by papaparse alone, then by Pigeon's
// whole reading path (decode, parse, map, validate, dedupe) with nothing saved, in turns, several
// times: each figure is the median run, since other work on the machine slows single runs. The
// worker lives as long as the page, so a profiler attached to it can still be read after the run.
import * as Comlink from 'comlink';
import type { ParseBenchWorker } from './import-parse-worker.ts';

async function run(rounds: number): Promise<Record<string, number>> {
  const file = document.querySelector<HTMLInputElement>('input[type=file]')?.files?.[0];
  if (!file) throw new Error('choose a file first');
  const worker = new Worker(new URL('./import-parse-worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<ParseBenchWorker>(worker);
  const papa: Awaited<ReturnType<typeof api.papaparse>>[] = [];
  const pigeon: Awaited<ReturnType<typeof api.pigeon>>[] = [];
  for (let round = 0; round < rounds; round++) {
    papa.push(await api.papaparse(file));
    pigeon.push(await api.pigeon(file));
  }
  const papaRun = median(papa);
  const pigeonRun = median(pigeon);
  return {
    rounds,
    papaparse_rows: papaRun.rows,
    papaparse_ms: Math.round(papaRun.ms),
    pigeon_rows: pigeonRun.rows,
    pigeon_valid: pigeonRun.valid,
    pigeon_ms: Math.round(pigeonRun.ms),
  };
}

function median<T extends { ms: number }>(runs: T[]): T {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (!middle) throw new Error('no runs');
  return middle;
}

(window as unknown as { runParseBench: typeof run }).runParseBench = run;
