// Pushing an import's contacts in bulk: push requests stay within a byte budget whatever the
// rows hold (long notes, non-ASCII text), in order, none lost or repeated.
import { expect, test } from 'vitest';
import { byteChunks } from '../../src/sync/replication.ts';

const bytes = (items: unknown[]) => new TextEncoder().encode(JSON.stringify(items)).length;

test('rows are split into runs whose JSON stays within the budget, in order', () => {
  const rows = Array.from({ length: 1000 }, (_, i) => ({
    id: i,
    // Every third row carries long notes in a 3-byte script: UTF-16 length would undercount.
    notes: i % 3 === 0 ? '漢'.repeat(2000) : 'short',
  }));
  const budget = 64 * 1024;
  const chunks = byteChunks(rows, budget);
  expect(chunks.length).toBeGreaterThan(1);
  for (const chunk of chunks) expect(bytes(chunk)).toBeLessThanOrEqual(budget);
  expect(chunks.flat()).toEqual(rows);
});

test('small rows go in one request; a row larger than the budget goes alone', () => {
  const small = Array.from({ length: 1000 }, (_, i) => ({ id: i }));
  expect(byteChunks(small, 1024 * 1024)).toEqual([small]);
  const huge = { id: 'huge', notes: 'x'.repeat(5000) };
  expect(byteChunks([{ id: 'a' }, huge, { id: 'b' }], 1000)).toEqual([[{ id: 'a' }], [huge], [{ id: 'b' }]]);
  expect(byteChunks([], 1000)).toEqual([]);
});
