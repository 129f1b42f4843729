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
  expect(new Set(spellings.map(sameInstant))).toEqual(new Set(['2026-12-03T06:40:00.1234Z']));
  expect(sameInstant('2026-12-03T06:40:00.1235+00:00')).not.toBe(sameInstant(spellings[0]!));
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
