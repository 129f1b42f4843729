// Builds the app once per test run, for every e2e test file. Each file serves this build
// against its own backend: the app finds the backend through /config.json at run time
// (src/sync/runtime-config.ts), so no rebuild per port.
//
// PIGEON_E2E_APP_DIR=<a built dist> skips the build (handy while iterating on tests).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp } from '../../supabase/local/serve-app.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built app every e2e test file serves. */
    e2eAppDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const prebuilt = process.env.PIGEON_E2E_APP_DIR;
  if (prebuilt) {
    project.provide('e2eAppDir', prebuilt);
    return async () => {};
  }
  const outDir = await mkdtemp(join(tmpdir(), 'pigeon-e2e-app-'));
  const { ms } = await buildApp({
    outDir,
    verbose: false,
    // Unreachable on purpose: an app that ignored /config.json would fail loudly here
    // instead of quietly talking to a developer's `npm start` backend on 54321.
    env: { VITE_SUPABASE_URL: 'http://127.0.0.1:9', VITE_SUPABASE_ANON_KEY: 'e2e-build-has-no-key' },
  });
  console.log(`e2e: app built in ${(ms / 1000).toFixed(1)} s`);
  project.provide('e2eAppDir', outDir);
  return async () => {
    await rm(outDir, { recursive: true, force: true });
  };
}
