// The layout's import rules (.dependency-cruiser.cjs, run by `npm test`): a planted cycle and
// imports against the layers fail the check, the allowed directions pass, and so does this
// repository.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const config = join(root, '.dependency-cruiser.cjs');
const cli = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function run(command: string, args: string[], cwd: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code: err ? Number(err.code) : 0, stdout });
    });
  });
}

/**
 * The check with the project's rules over `dirs` of `cwd`, as `npm test` runs it: its exit
 * code (the number of errors), and each violation as one line, "rule: a.ts → b.ts" (a cycle
 * goes on, "→ c.ts → a.ts").
 */
async function check(cwd: string, dirs: string[]): Promise<{ code: number; violations: string[] }> {
  const { code, stdout } = await run(process.execPath, [cli, '--config', config, ...dirs], cwd);
  const violations = stdout
    .split(/^\s*error /m)
    .slice(1)
    .map((report) => (report.split(/\n\s*\n/)[0] ?? '').replace(/\s+/g, ' ').trim());
  return { code, violations };
}

let dir: string | undefined;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A fixture tree in a fresh temporary directory: path → source. */
async function tree(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'pigeon-layout-'));
  for (const [path, source] of Object.entries(files)) {
    await mkdir(join(dir, dirname(path)), { recursive: true });
    await writeFile(join(dir, path), source);
  }
  return dir;
}

/** A fixture module importing the values of `values` and the types of `types`. */
function mod(values: string[] = [], types: string[] = []): string {
  const imports = [
    ...values.map((path, i) => `import * as v${i} from '${path}';`),
    ...types.map((path, i) => `import type * as t${i} from '${path}';`),
  ];
  const exports = [
    `export const value = [${values.map((_, i) => `v${i}`).join(', ')}];`,
    `export type Value = [${types.map((_, i) => `typeof t${i}`).join(', ')}];`,
  ];
  return `${[...imports, ...exports].join('\n')}\n`;
}

describe('the layout check', () => {
  test('fails on two modules that import each other, even for types only', { timeout: 60_000 }, async () => {
    const cwd = await tree({
      'src/domain/a.ts': mod([], ['./b.ts']),
      'src/domain/b.ts': mod([], ['./a.ts']),
      'src/domain/c.ts': mod(['./a.ts']),
    });
    const { code, violations } = await check(cwd, ['src']);
    expect(code).toBe(1);
    expect(violations).toHaveLength(1);
    expect([
      'no-circular: src/domain/a.ts → src/domain/b.ts → src/domain/a.ts',
      'no-circular: src/domain/b.ts → src/domain/a.ts → src/domain/b.ts',
    ]).toContain(violations[0]);
  });

  test('fails on each import against the layers, with no module cycle, and passes the allowed ones', {
    timeout: 60_000,
  }, async () => {
    const cwd = await tree({
      // Allowed: each layer on those below it; the UI on the contract and the APIs, for types.
      'src/domain/rule.ts': mod(),
      'src/db/database.ts': mod(['../domain/rule.ts']),
      'src/sync/engine.ts': mod(['../db/database.ts']),
      'src/features/shared/scope.ts': mod(['../../sync/engine.ts']),
      'src/features/contacts/api.ts': mod(),
      'src/features/contacts/service.ts': mod(['../shared/scope.ts'], ['./api.ts']),
      'src/app/services.ts': mod([], ['../features/contacts/api.ts']),
      'src/app/create-services.ts': mod(['../features/contacts/service.ts'], ['./services.ts']),
      'src/ui/Page.tsx': mod(['../domain/rule.ts'], ['../app/services.ts', '../features/contacts/api.ts']),
      'src/main.tsx': mod(['./app/create-services.ts', './ui/Page.tsx']),
      'sw/sw.ts': mod(['../src/sync/engine.ts']),
      'supabase/functions/_shared/provider.ts': mod(),
      'supabase/functions/outbox/handler.ts': mod(['../_shared/provider.ts']),
      'supabase/local/server.ts': mod(['../functions/outbox/handler.ts']),
      // Against the layers: one import per rule.
      'src/domain/impure.ts': mod(['../db/database.ts']),
      'src/db/above.ts': mod(['../sync/engine.ts']),
      'src/sync/knows-feature.ts': mod(['../features/contacts/service.ts']),
      'src/features/campaigns/service.ts': mod(['../contacts/service.ts']),
      'src/features/quota/service.ts': mod([], ['../../app/services.ts']),
      'src/app/shows.ts': mod(['../ui/Page.tsx']),
      'src/ui/Raw.tsx': mod(['../db/database.ts']),
      'src/ui/Running.tsx': mod(['../features/contacts/service.ts']),
      'src/ui/Valued.tsx': mod(['../app/services.ts']),
      'sw/page.ts': mod(['../src/ui/Page.tsx']),
      'supabase/functions/webhooks/handler.ts': mod(['../../local/server.ts']),
      'supabase/local/uses-app.ts': mod(['../../src/domain/rule.ts']),
    });
    const { code, violations } = await check(cwd, ['src', 'sw', 'supabase']);
    expect(code).toBe(violations.length);
    expect(violations.sort()).toEqual(
      [
        'domain-is-pure: src/domain/impure.ts → src/db/database.ts',
        'db-only-domain: src/db/above.ts → src/sync/engine.ts',
        'engine-below-features: src/sync/knows-feature.ts → src/features/contacts/service.ts',
        'features-apart: src/features/campaigns/service.ts → src/features/contacts/service.ts',
        'features-below-app: src/features/quota/service.ts → src/app/services.ts',
        'app-below-ui: src/app/shows.ts → src/ui/Page.tsx',
        'ui-through-contract: src/ui/Raw.tsx → src/db/database.ts',
        'ui-through-contract: src/ui/Running.tsx → src/features/contacts/service.ts',
        'ui-types-only: src/ui/Running.tsx → src/features/contacts/service.ts',
        'ui-types-only: src/ui/Valued.tsx → src/app/services.ts',
        'sw-engine-only: sw/page.ts → src/ui/Page.tsx',
        'functions-deploy-alone: supabase/functions/webhooks/handler.ts → supabase/local/server.ts',
        'local-backend-apart: supabase/local/uses-app.ts → src/domain/rule.ts',
      ].sort(),
    );
  });

  test("passes on this repository (npm test's lint:deps)", async () => {
    const { code, stdout } = await run('npm', ['run', '--silent', 'lint:deps'], root);
    expect(stdout).toContain('no dependency violations found');
    expect(code).toBe(0);
  }, 120_000);
});
