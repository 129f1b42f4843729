// What the service worker does with each answer to a queued send command, and what the
// answer means for each message in it.
import { describe, expect, test } from 'vitest';
import {
  holdsQueue,
  nextOwnedReplayAt,
  nextReplayAt,
  replayVerdict,
  retryAfterMs,
} from '../../src/domain/command-replay.ts';
import { bearerSubject, jwtSubject } from '../../src/domain/jwt-subject.ts';
import { commandIds, outcomesOfAnswer } from '../../src/sync/outbox-protocol.ts';

describe('replayVerdict', () => {
  test.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [401, 'refresh'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [400, 'drop'],
    [403, 'drop'],
    [404, 'drop'],
    [413, 'drop'],
    [422, 'drop'],
  ] as const)('HTTP %i → %s', (status, verdict) => {
    expect(replayVerdict(status)).toBe(verdict);
  });
});

describe('queue order', () => {
  test('a request holds the ones after it until it has failed 5 times', () => {
    expect(holdsQueue({ attempts: 0, notBefore: 0 })).toBe(true);
    expect(holdsQueue({ attempts: 4, notBefore: 0 })).toBe(true);
    expect(holdsQueue({ attempts: 5, notBefore: 0 })).toBe(false);
  });

  test('the next replay is due at the earliest time up to the first request that holds', () => {
    expect(nextReplayAt([])).toBeUndefined();
    // The head holds: what comes after it cannot go first, however early it is due.
    expect(
      nextReplayAt([
        { attempts: 1, notBefore: 5_000 },
        { attempts: 1, notBefore: 1_000 },
      ]),
    ).toBe(5_000);
    // A head that no longer holds lets the next one set the time, up to the first that holds.
    expect(
      nextReplayAt([
        { attempts: 7, notBefore: 300_000 },
        { attempts: 1, notBefore: 2_000 },
        { attempts: 0, notBefore: 0 },
      ]),
    ).toBe(2_000);
    expect(
      nextReplayAt([
        { attempts: 7, notBefore: 300_000 },
        { attempts: 9, notBefore: 200_000 },
      ]),
    ).toBe(200_000);
  });
});

describe("each user's queue", () => {
  test("one user's waiting request never holds another's; parked ones wait for a sign-in, not a time", () => {
    expect(
      nextOwnedReplayAt([
        { user: 'a', attempts: 1, notBefore: 60_000 },
        { user: 'b', attempts: 1, notBefore: 2_000 },
        { user: 'a', attempts: 1, notBefore: 1_000 },
      ]),
    ).toBe(2_000);
    expect(
      nextOwnedReplayAt([
        { user: 'a', attempts: 0, notBefore: 0, parked: true },
        { user: 'b', attempts: 1, notBefore: 9_000 },
      ]),
    ).toBe(9_000);
    expect(nextOwnedReplayAt([{ user: 'a', attempts: 0, notBefore: 0, parked: true }])).toBeUndefined();
  });
});

describe('whose token', () => {
  const jwt = (claims: object) =>
    ['{"alg":"HS256"}', JSON.stringify(claims)]
      .map((part) => Buffer.from(part).toString('base64url'))
      .concat('signature')
      .join('.');

  test("a user's JWT names its subject; the anon key and anything else name nobody", () => {
    expect(jwtSubject(jwt({ sub: 'a1b2', role: 'authenticated' }))).toBe('a1b2');
    expect(bearerSubject(`Bearer ${jwt({ sub: 'a1b2' })}`)).toBe('a1b2');
    expect(jwtSubject(jwt({ role: 'anon' }))).toBeUndefined();
    expect(jwtSubject(jwt({ sub: 42 }))).toBeUndefined();
    expect(jwtSubject('not a jwt')).toBeUndefined();
    expect(jwtSubject('a.!!!.c')).toBeUndefined();
    expect(bearerSubject(null)).toBeUndefined();
    expect(bearerSubject(jwt({ sub: 'a1b2' }))).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  test('delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    // A date in the past means now.
    expect(retryAfterMs('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
  test('absent or unreadable: undefined', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
  });
});

describe('outcomes of an answer', () => {
  const body = {
    commands: [
      { message_id: 'm1', channel_id: 'c', to: '+447400000001', body: 'a' },
      { message_id: 'm2', channel_id: 'c', to: '+447400000002', body: 'b' },
    ],
  };

  test('commandIds reads the ids of a request body, ignoring what is not one', () => {
    expect(commandIds(body)).toEqual(['m1', 'm2']);
    expect(commandIds({ commands: [{ message_id: 7 }, null, { message_id: 'x' }] })).toEqual(['x']);
    expect(commandIds(null)).toEqual([]);
    expect(commandIds({ commands: 'nope' })).toEqual([]);
  });

  test('200: per-item results; queued and duplicate are accepted, rejected fails with its reason', () => {
    const answer = {
      results: [
        { message_id: 'm1', status: 'queued' },
        { message_id: 'm2', status: 'rejected', error: 'to: not an E.164 phone number' },
        { message_id: 'm3', status: 'duplicate' },
        { message_id: null, status: 'rejected', error: 'message_id: required' },
      ],
    };
    expect(outcomesOfAnswer(['m1', 'm2', 'm3'], 200, answer)).toEqual([
      ['m1', { status: 'accepted' }],
      ['m2', { status: 'failed', error: 'to: not an E.164 phone number' }],
      ['m3', { status: 'accepted' }],
    ]);
  });

  test('a dropped request fails every message in it with the server reason', () => {
    expect(outcomesOfAnswer(['m1', 'm2'], 400, { error: 'the request body is not valid JSON' })).toEqual([
      ['m1', { status: 'failed', error: 'Not sent: the request body is not valid JSON' }],
      ['m2', { status: 'failed', error: 'Not sent: the request body is not valid JSON' }],
    ]);
    expect(outcomesOfAnswer(['m1'], 403, null)).toEqual([
      ['m1', { status: 'failed', error: 'Not sent: the server answered HTTP 403' }],
    ]);
  });
});
