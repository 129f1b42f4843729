// A CPU profile of a page's main thread through the Chrome DevTools protocol, and where its
// time went: self time per function (the .cpuprofile opens in DevTools' Performance panel).
// Used by the browser benches when PIGEON_BENCH_PROFILE=<dir> names where to write it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Starts profiling `page`; `stop` writes `<name>.cpuprofile` and returns the top self times. */
export async function profilePage(
  page: Page,
  dir: string,
  name: string,
): Promise<{ stop(): Promise<{ file: string; top: string[] }> }> {
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
  return {
    async stop() {
      const { profile } = (await session.send('Profiler.stop')) as unknown as { profile: CpuProfile };
      await session.detach();
      const file = join(dir, `${name}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      return { file, top: selfTimes(profile, 15) };
    },
  };
}

/** The `n` functions with the most self time, as "ms  function  file:line". */
export function selfTimes(profile: CpuProfile, n: number): string[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id)?.callFrame;
    const key = `${frame?.functionName || '(anonymous)'}  ${frame?.url.split('/').at(-1) ?? ''}:${frame?.lineNumber ?? 0}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${key}`);
}
