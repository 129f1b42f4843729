// The UI's CSS modules and the components that use them agree: every class a component takes
// from a module is defined there, and every class a module defines is used. A module's classes
// are typed as a plain string map, so a misspelt name would otherwise leave an element
// unstyled without a word, and a renamed one would leave a dead rule behind.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { classes } from '../../src/ui/class-names.ts';

const UI = resolve(import.meta.dirname, '../../src/ui');

function filesEndingWith(suffixes: string[]): string[] {
  return readdirSync(UI, { recursive: true, encoding: 'utf8' })
    .filter((path) => suffixes.some((suffix) => path.endsWith(suffix)))
    .map((path) => join(UI, path))
    .sort();
}

/** The classes a stylesheet's selectors name (what precedes each `{`, comments aside). */
function definedClasses(css: string): Set<string> {
  const selectors = [...css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{};]*)\{/g)].map((m) => m[1]);
  return new Set(
    selectors.flatMap((s) => [...(s ?? '').matchAll(/\.(-?[_a-zA-Z][\w-]*)/g)].map((m) => m[1]!)),
  );
}

/** Each CSS module a source file imports, with the classes it reads from it (`name.class`). */
function moduleUses(source: string, file: string): { module: string; used: Set<string> }[] {
  const code = source.replace(/^import .*$/gm, '');
  return [...source.matchAll(/^import (\w+) from '(\.[^']+\.module\.css)';$/gm)].map(([, name, path]) => ({
    module: resolve(dirname(file), path!),
    used: new Set([...code.matchAll(new RegExp(`\\b${name}\\.(\\w+)`, 'g'))].map((m) => m[1]!)),
  }));
}

const modules = new Map(
  filesEndingWith(['.module.css']).map((f) => [f, definedClasses(readFileSync(f, 'utf8'))]),
);
const uses = filesEndingWith(['.tsx', '.ts']).flatMap((file) =>
  moduleUses(readFileSync(file, 'utf8'), file).map((use) => ({ file: relative(UI, file), ...use })),
);

describe('CSS modules of src/ui', () => {
  test('the scan finds the modules and their users', () => {
    expect(modules.size).toBeGreaterThan(20);
    expect(uses.length).toBeGreaterThan(modules.size);
    expect(modules.get(join(UI, 'messages/Conversation.module.css'))).toContain('bubble');
  });

  test('every class a component uses is defined in the module it imports', () => {
    const missing = uses.flatMap(({ file, module, used }) => {
      const defined = modules.get(module);
      if (!defined) return [`${file}: ${relative(UI, module)} does not exist`];
      return [...used].filter((name) => !defined.has(name)).map((name) => `${file}: ${name}`);
    });
    expect(missing).toEqual([]);
  });

  test('every class a module defines is used by a component', () => {
    const unused = [...modules].flatMap(([module, defined]) => {
      const used = new Set(uses.filter((use) => use.module === module).flatMap((use) => [...use.used]));
      return [...defined]
        .filter((name) => !used.has(name))
        .map((name) => `${relative(UI, module)}: .${name}`);
    });
    expect(unused).toEqual([]);
  });
});

describe('classes', () => {
  test('joins the classes that apply', () => {
    expect(classes('a', false, undefined, 'b')).toBe('a b');
    expect(classes(false)).toBe('');
  });
});
