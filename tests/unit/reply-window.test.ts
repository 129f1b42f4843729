import { expect, test } from 'vitest';
import { lastInboundAt, REPLY_WINDOW_MS, replyWindow } from '../../src/domain/reply-window.ts';

const now = Date.parse('2026-12-03T12:00:00Z');

test('Meta: open for 24 hours after the customer last wrote, closed from then on', () => {
  const wrote = '2026-12-02T12:00:01Z';
  expect(replyWindow('meta', wrote, now)).toEqual({
    open: true,
    closesAt: new Date(Date.parse(wrote) + REPLY_WINDOW_MS),
  });
  // Exactly 24 hours later the window is closed.
  expect(replyWindow('meta', '2026-12-02T12:00:00Z', now)).toEqual({
    open: false,
    closesAt: new Date(now),
  });
  expect(replyWindow('meta', Date.parse('2026-11-30T08:00:00Z'), now).open).toBe(false);
});

test('Meta: a customer who never wrote has no window (templates only)', () => {
  expect(replyWindow('meta', null, now)).toEqual({ open: false, closesAt: null });
  expect(replyWindow('meta', 'not a time', now)).toEqual({ open: false, closesAt: null });
});

test('Whapi and the simulator have no window', () => {
  for (const provider of ['whapi', 'simulator'] as const) {
    expect(replyWindow(provider, null, now)).toEqual({ open: true, closesAt: null });
    expect(replyWindow(provider, '2020-01-01T00:00:00Z', now)).toEqual({ open: true, closesAt: null });
  }
});

test("the window starts at the customer's latest message on that channel", () => {
  const messages = [
    { direction: 'in' as const, channel_id: 'a', created_at: '2026-12-03T10:00:00Z' },
    { direction: 'in' as const, channel_id: 'a', created_at: '2026-12-03T09:00:00+00:00' },
    { direction: 'out' as const, channel_id: 'a', created_at: '2026-12-03T11:00:00Z' },
    { direction: 'in' as const, channel_id: 'b', created_at: '2026-12-03T11:30:00Z' },
  ];
  expect(lastInboundAt(messages, 'a')).toBe('2026-12-03T10:00:00Z');
  expect(lastInboundAt(messages, 'b')).toBe('2026-12-03T11:30:00Z');
  expect(lastInboundAt(messages, 'c')).toBeNull();
});
