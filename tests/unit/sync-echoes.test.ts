// The versions a push wrote, told apart from other changes when realtime announces them, and
// the local writes pushes wait for.
import { expect, test } from 'vitest';
import { PushedVersions, sameInstant } from '../../src/sync/echoes.ts';
import { LocalWrites } from '../../src/sync/local-writes.ts';

test('one spelling per instant of a Postgres timestamptz', () => {
  const spellings = [
    '2026-12-03T06:40:00.1234+00:00',
    '2026-12-03 06:40:00.1234+00',
    '2026-12-03T06:40:00.123400Z',
  ];
  expect(new Set(spellings.map(sameInstant))).toEqual(new Set(['2026-12-03T06:40:00.123400Z']));
  expect(sameInstant('2026-12-03T06:40:00.1235+00:00')).not.toBe(sameInstant(spellings[0]!));
  // Spellings sort as their instants: .12 is before .123, a whole second before both.
  const order = ['2026-12-03 06:40:00+00', '2026-12-03T06:40:00.12Z', '2026-12-03T06:40:00.123+00:00'];
  expect(order.map(sameInstant).toSorted()).toEqual(order.map(sameInstant));
  expect(sameInstant('2026-12-03T06:40:00.12Z') < sameInstant('2026-12-03T06:40:00.123Z')).toBe(true);
});

test('a row a pull stored older than the version a push of this device wrote is behind, until a pull brings that version', () => {
  const versions = new PushedVersions();
  expect(versions.isBehind('a', '2026-12-03T06:40:00.1Z')).toBe(false);
  versions.pushed('a', '2026-12-03T06:40:00.1234+00:00');
  // Answered before the push committed: older.
  expect(versions.isBehind('a', '2026-12-03T06:40:00.12+00:00')).toBe(true);
  expect(versions.isBehind('a', undefined)).toBe(true);
  expect(versions.isBehind('b', '2026-12-03T06:40:00.12+00:00')).toBe(false);
  // The pushed version itself (or a later one) arrives: caught up, and forgotten.
  expect(versions.isBehind('a', '2026-12-03 06:40:00.1234+00')).toBe(false);
  expect(versions.isBehind('a', '2026-12-03T06:40:00.12+00:00')).toBe(false);
});

test("a realtime record is an echo only at the version this device's push wrote, once", () => {
  const versions = new PushedVersions();
  versions.pushed('a', '2026-12-03T06:40:00.1234+00:00');
  expect(versions.isEcho({ id: 'a', _modified: '2026-12-03T06:40:00.1299+00:00' })).toBe(false);
  expect(versions.isEcho({ id: 'b', _modified: '2026-12-03T06:40:00.1234+00:00' })).toBe(false);
  expect(versions.isEcho(undefined)).toBe(false);
  expect(versions.isEcho({ id: 'a', _modified: '2026-12-03 06:40:00.1234+00' })).toBe(true);
  // Seen once: the same version again is someone else's (or a replay) and wakes a pull.
  expect(versions.isEcho({ id: 'a', _modified: '2026-12-03T06:40:00.1234+00:00' })).toBe(false);
});

test('pushes wait until every running local write is stored', async () => {
  const writes = new LocalWrites();
  await writes.settled();
  let release: () => void = () => {};
  const running = writes.run(() => new Promise<void>((resolve) => (release = resolve)));
  let settled = false;
  void writes.settled().then(() => {
    settled = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(settled).toBe(false);
  release();
  await running;
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(settled).toBe(true);
  // A failed write settles too.
  await expect(writes.run(() => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
  await writes.settled();
});
