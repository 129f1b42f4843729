// `npm run bench [name...]`: runs the benchmarks and writes their JSON figures to
// bench-results/<name>.json. Each benchmark measures Pigeon against a baseline run in the
// same process, so figures compare like with like on whatever machine runs them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { campaignPrepare } from './campaign-prepare.ts';
import { contactImport } from './contact-import.ts';
import { contactsBrowser } from './contacts-browser.ts';
import { contactsPush } from './contacts-push.ts';
import { inbox } from './inbox.ts';
import { outboxThroughput } from './outbox-throughput.ts';
import { pullThroughput } from './pull-throughput.ts';
import type { BenchResult } from './result.ts';

const benches: Record<string, () => Promise<BenchResult>> = {
  'pull-throughput': pullThroughput,
  'contacts-browser': contactsBrowser,
  'outbox-throughput': outboxThroughput,
  'contact-import': contactImport,
  'contacts-push': contactsPush,
  'campaign-prepare': campaignPrepare,
  inbox,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !(n in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
const outDir = join(import.meta.dirname, '..', '..', 'bench-results');
await mkdir(outDir, { recursive: true });
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  const result = await benches[name]!();
  const file = join(outDir, `${name}.json`);
  await writeFile(file, `${JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2)}\n`);
  console.log(`${name}:`, result.figures, `→ ${file}`);
  for (const goal of result.missed ?? []) {
    console.error(`${name}: missed ${goal}`);
    process.exitCode = 1;
  }
}
