// Issue 15, item 17: both themes meet WCAG AA. Reads src/ui/tokens.css, resolves each token's
// light-dark() pair, and computes the contrast ratio of every text/background pair the UI uses
// (WCAG 2.2 relative luminance): 4.5:1 for text, 3:1 for the focus ring.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const css = readFileSync(join(import.meta.dirname, '../../src/ui/tokens.css'), 'utf8');

type Scheme = 'light' | 'dark';

function token(name: string, scheme: Scheme): string {
  const match = new RegExp(`--${name}:\\s*([^;]+);`).exec(css);
  if (!match?.[1]) throw new Error(`tokens.css has no --${name}`);
  const value = match[1].trim();
  const pair = /^light-dark\(\s*(#[0-9a-f]{6})\s*,\s*(#[0-9a-f]{6})\s*\)$/i.exec(value);
  if (pair) return (scheme === 'light' ? pair[1] : pair[2]) as string;
  if (/^#[0-9a-f]{6}$/i.test(value)) return value;
  throw new Error(`--${name}: ${value} is not a colour or a light-dark() pair of colours`);
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** [foreground, background, minimum ratio]. */
const PAIRS: [string, string, number][] = [
  ...['bg', 'surface', 'surface-2', 'selected', 'chat-bg', 'bubble', 'bubble-in', 'note'].map(
    (bg) => ['text', bg, 4.5] as [string, string, number],
  ),
  ...['bg', 'surface', 'surface-2'].flatMap((bg) => [
    ['muted', bg, 4.5] as [string, string, number],
    ['link', bg, 4.5] as [string, string, number],
    ['danger', bg, 4.5] as [string, string, number],
    ['focus', bg, 3] as [string, string, number],
  ]),
  ['placeholder', 'surface', 4.5],
  ['green-text', 'green-soft', 4.5],
  ['neutral-text', 'neutral-soft', 4.5],
  ['neutral-text', 'avatar', 4.5],
  ['neutral-text', 'surface', 4.5],
  ['danger', 'danger-soft', 4.5],
  ['warning-text', 'warning-soft', 4.5],
  ['warning-text', 'surface', 4.5],
  ['on-accent', 'green', 4.5],
  ['on-accent', 'green-dark', 4.5],
  ['on-accent', 'danger-fill', 4.5],
  ['on-accent', 'danger-fill-hover', 4.5],
  ['surface', 'text', 4.5], // the update prompt, inverted
];

describe.each(['light', 'dark'] as const)('the %s theme', (scheme) => {
  test.each(PAIRS)('--%s on --%s reaches %s:1', (fg, bg, min) => {
    expect(contrast(token(fg, scheme), token(bg, scheme))).toBeGreaterThanOrEqual(min);
  });
});

test('the ratio is computed as WCAG does', () => {
  expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
  expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
});
