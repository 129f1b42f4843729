// `npm run fuzz -- --seeds 10000 [--from 1] [--steps 24] [--lanes 3] (TEST_DATABASE_URL: on PostgreSQL)`: the convergence fuzz
// test (tests/backend/app-fuzz.test.ts) with more seeds than CI runs.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10000' },
    from: { type: 'string', default: '1' },
    steps: { type: 'string', default: '24' },
    lanes: { type: 'string', default: '3' },
  },
});
const project = process.env.TEST_DATABASE_URL ? 'backend-postgres' : 'backend-pglite';
const result = spawnSync('npx', ['vitest', 'run', '--project', project, 'tests/backend/app-fuzz.test.ts'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    FUZZ_SEEDS: values.seeds,
    FUZZ_FIRST_SEED: values.from,
    FUZZ_STEPS: values.steps,
    FUZZ_LANES: values.lanes,
  },
});
process.exit(result.status ?? 1);
