// Randomized convergence (issue 16): three devices of one workspace and direct server writes go
// through seeded random steps (tests/backend/fuzz/steps.ts); at the end every device equals the
// server field by field, nothing waits to sync, and a model of the merge rules written apart
// from the code (fuzz/model.ts) allows each field's final value. A failure prints the seed and
// a shrunk step list. FUZZ_SEEDS sets how many seeds run (`npm run fuzz -- --seeds 10000`).
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { shrink } from './fuzz/shrink.ts';
import { describeStep, generateSteps } from './fuzz/steps.ts';
import { FuzzWorld } from './fuzz/world.ts';
import { type Backend, startBackend } from './harness.ts';

vi.mock('solid-js', () => vi.importActual('solid-js/dist/solid.js'));

const SEEDS = Number(process.env.FUZZ_SEEDS ?? 200);
const FIRST_SEED = Number(process.env.FUZZ_FIRST_SEED ?? 1);
const STEPS = Number(process.env.FUZZ_STEPS ?? 24);
/** Seeds that found a bug, kept as regression cases (each names its fix's commit). */
const REGRESSIONS: number[] = [];

let backend: Backend;
let world: FuzzWorld;

beforeAll(async () => {
  backend = await startBackend();
  world = new FuzzWorld(backend, await backend.user());
  await world.open();
});

afterAll(async () => {
  await world?.close();
  await backend?.close();
});

async function check(seed: number): Promise<void> {
  const steps = generateSteps(seed, STEPS);
  const failure = await world.run(steps);
  if (!failure) return;
  const minimal = await shrink(steps, async (candidate) => (await world.run(candidate)) !== undefined, 40);
  const again = (await world.run(minimal)) ?? failure;
  expect.fail(
    `seed ${seed} failed:\n${failure.message}\n\nshrunk to ${minimal.length} steps (of ${steps.length}):\n` +
      `${minimal.map((s, i) => `  ${i}. ${describeStep(s)}`).join('\n')}\nwhich fails with:\n${again.message}`,
  );
}

test.each(REGRESSIONS)('regression seed %i converges', check, 120_000);

test(`${SEEDS} random seeds converge`, async () => {
  const started = Date.now();
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) await check(seed);
  const ms = Date.now() - started;
  console.info(`fuzz: ${SEEDS} seeds × ${STEPS} steps in ${ms} ms (${(ms / SEEDS).toFixed(0)} ms a seed)`);
}, 3_600_000);
