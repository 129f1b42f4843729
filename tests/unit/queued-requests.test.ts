// The sync panel's view of the service worker's send queue (issue 16): one item per message
// request and one per campaign launch, the server's reason kept short, and which requests a
// "Retry now" of one item sends (its user's earlier ones too, so their order holds).
import { describe, expect, test } from 'vitest';
import {
  answerReason,
  keysToRetry,
  type QueuedRequest,
  queueItems,
} from '../../src/domain/queued-requests.ts';

const request = (key: string, over: Partial<QueuedRequest> = {}): QueuedRequest => ({
  key,
  createdAt: 1000,
  attempts: 0,
  nextTry: 0,
  waitsForNetwork: false,
  parked: false,
  messageIds: [`m-${key}`],
  messages: 1,
  ...over,
});

describe('queue items', () => {
  test('each message request is an item; a launch is one item over all its chunks', () => {
    const items = queueItems([
      request('a', { createdAt: 1000 }),
      request('c1', { createdAt: 2000, campaign: 'camp', messageIds: [], messages: 500, attempts: 1 }),
      request('b', { createdAt: 3000 }),
      request('c2', {
        createdAt: 2500,
        campaign: 'camp',
        messageIds: [],
        messages: 12,
        attempts: 3,
        nextTry: 50,
        waitsForNetwork: true,
        lastAnswer: { at: 9, status: 503, reason: 'busy' },
      }),
    ]);
    expect(items.map((i) => [i.kind, i.keys])).toEqual([
      ['message', ['a']],
      ['launch', ['c1', 'c2']],
      ['message', ['b']],
    ]);
    const launch = items[1];
    expect(launch).toMatchObject({
      campaign: 'camp',
      messages: 512,
      attempts: 3,
      createdAt: 2000,
      nextTry: 0,
      waitsForNetwork: true,
      lastAnswer: { status: 503, reason: 'busy' },
    });
    expect(items[0]).toMatchObject({ messageIds: ['m-a'], messages: 1 });
  });

  test('an empty queue has no items', () => {
    expect(queueItems([])).toEqual([]);
  });
});

describe('the last answer', () => {
  test("the server's error when it gave one, else the HTTP status; long reasons cut", () => {
    expect(answerReason(503, { error: 'the database is restarting' })).toBe('the database is restarting');
    expect(answerReason(502, null)).toBe('HTTP 502');
    expect(answerReason(500, { error: '  ' })).toBe('HTTP 500');
    const long = answerReason(400, { error: 'x'.repeat(300) });
    expect(long).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('Retry now of one item', () => {
  const queue = [
    { key: 'a1', user: 'ann' },
    { key: 'b1', user: 'bob' },
    { key: 'a2', user: 'ann' },
    { key: 'a3', user: 'ann' },
  ];

  test("sends it with its user's earlier requests, not later ones nor another user's", () => {
    expect([...keysToRetry(queue, new Set(['a2']))].sort()).toEqual(['a1', 'a2']);
    expect([...keysToRetry(queue, new Set(['a1']))]).toEqual(['a1']);
    expect([...keysToRetry(queue, new Set(['b1']))]).toEqual(['b1']);
  });

  test('a key no longer in the queue (sent meanwhile) sends nothing', () => {
    expect(keysToRetry(queue, new Set(['gone'])).size).toBe(0);
  });
});
