/**
 * Shrinks a failing step list: drops chunks (halves, then quarters, … single steps) while the
 * run still fails. Replication timing varies between runs, so a run that passes may just have
 * been lucky: the result is the shortest list seen failing, within a budget of runs.
 */
import type { Step } from './steps.ts';

export async function shrink(
  steps: readonly Step[],
  fails: (steps: readonly Step[]) => Promise<boolean>,
  budget: number,
): Promise<Step[]> {
  let best = [...steps];
  let runs = 0;
  for (let size = Math.ceil(best.length / 2); size >= 1 && runs < budget; size = Math.floor(size / 2)) {
    for (let start = 0; start < best.length && runs < budget; ) {
      const candidate = [...best.slice(0, start), ...best.slice(start + size)];
      runs++;
      if (candidate.length > 0 && (await fails(candidate))) best = candidate;
      else start += size;
    }
  }
  return best;
}
