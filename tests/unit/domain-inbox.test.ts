// The inbox's pure rules: unread counts, filters and search, and the merges of chats (the
// later assignment wins; a close and a new customer message reopen) and read markers.
import { describe, expect, test } from 'vitest';
import { chatPhone, filterChats, type InboxFilter, initials, unreadCount } from '../../src/domain/inbox.ts';
import { mergeChat, mergeChatRead } from '../../src/domain/inbox-merge.ts';
import type { Chat, ChatRead } from '../../src/domain/types.ts';

const chat = (over: Partial<Chat> = {}): Chat => ({
  id: 'c1',
  workspace_id: 'w',
  channel_id: 'ch',
  wa_chat_id: '491711234567@s.whatsapp.net',
  contact_id: null,
  name: 'Ana',
  status: 'open',
  assignee_id: null,
  assigned_at: null,
  status_at: null,
  last_message_at: '2026-12-03T10:00:00.000Z',
  last_inbound_at: '2026-12-03T10:00:00.000Z',
  last_message_id: null,
  last_message_direction: 'in',
  last_message_preview: 'hi',
  inbound_count: 3,
  updated_at: '2026-12-03T10:00:00.000Z',
  _deleted: false,
  ...over,
});

describe('unread and display', () => {
  test('unread is what arrived past the marker, never negative', () => {
    expect(unreadCount({ inbound_count: 3 }, undefined)).toBe(3);
    expect(unreadCount({ inbound_count: 3 }, 1)).toBe(2);
    expect(unreadCount({ inbound_count: 3 }, 5)).toBe(0);
  });

  test('a chat id gives its number; labels give initials', () => {
    expect(chatPhone('491711234567@s.whatsapp.net')).toBe('+491711234567');
    expect(chatPhone('12036304@g.us')).toBe('12036304@g.us');
    expect(initials('ana maria lima')).toBe('AM');
  });
});

describe('filters', () => {
  const rows = [
    { id: 'a', channelId: 'x', status: 'open' as const, assigneeId: 'me', name: 'Ana', phone: '+491711' },
    { id: 'b', channelId: 'y', status: 'open' as const, assigneeId: null, name: 'Bo', phone: '+442079' },
    { id: 'c', channelId: 'x', status: 'closed' as const, assigneeId: null, name: 'Cy', phone: '+33155' },
    { id: 'd', channelId: 'x', status: 'open' as const, assigneeId: 'other', name: 'Di', phone: '+34911' },
  ];
  const all: InboxFilter = { assignee: 'all', channel: undefined, status: 'open', search: '' };
  const ids = (f: Partial<InboxFilter>, matches?: Set<string>) =>
    filterChats(rows, { ...all, ...f }, 'me', matches).map((r) => r.id);

  test('mine, unassigned, all; by channel and status', () => {
    expect(ids({})).toEqual(['a', 'b', 'd']);
    expect(ids({ assignee: 'mine' })).toEqual(['a']);
    expect(ids({ assignee: 'unassigned' })).toEqual(['b']);
    expect(ids({ channel: 'x' })).toEqual(['a', 'd']);
    expect(ids({ status: 'closed' })).toEqual(['c']);
  });

  test('search: name, number digits, or a message of the chat', () => {
    expect(ids({ search: 'an' })).toEqual(['a']);
    expect(ids({ search: '44 20' })).toEqual(['b']);
    expect(ids({ search: '+49 (171) 1' })).toEqual(['a']);
    // Words with digits are text: their digits do not look in numbers.
    expect(ids({ search: 'ref4x4y' })).toEqual([]);
    expect(ids({ search: 'refund' }, new Set(['d']))).toEqual(['d']);
  });
});

describe('merging chats', () => {
  test('the later assignment wins, whichever device pushes last', () => {
    const base = chat();
    const remote = chat({ assignee_id: 'bea', assigned_at: '2026-12-03T10:05:00.000Z' });
    const earlier = chat({ assignee_id: 'al', assigned_at: '2026-12-03T10:01:00.000Z' });
    const later = chat({ assignee_id: 'al', assigned_at: '2026-12-03T10:09:00.000Z' });
    expect(mergeChat({ base, local: earlier, remote }).assignee_id).toBe('bea');
    expect(mergeChat({ base, local: later, remote }).assignee_id).toBe('al');
  });

  test('a close made offline stands against server changes, unless the customer wrote since', () => {
    const base = chat();
    const closed = chat({ status: 'closed', status_at: '2026-12-03T10:02:00.000Z' });
    const replied = chat({ last_message_at: '2026-12-03T10:03:00.000Z', last_message_direction: 'out' });
    expect(mergeChat({ base, local: closed, remote: replied })).toMatchObject({
      status: 'closed',
      last_message_direction: 'out',
    });
    const customerWrote = chat({
      last_inbound_at: '2026-12-03T10:04:00.000Z',
      inbound_count: 4,
      status_at: '2026-12-03T10:04:00.000Z',
    });
    expect(mergeChat({ base, local: closed, remote: customerWrote })).toMatchObject({
      status: 'open',
      inbound_count: 4,
    });
  });

  test("the server's summary always wins", () => {
    const merged = mergeChat({
      base: chat(),
      local: chat({
        last_message_preview: 'stale',
        status: 'pending',
        status_at: '2026-12-03T10:01:00.000Z',
      }),
      remote: chat({ last_message_preview: 'new' }),
    });
    expect(merged).toMatchObject({ last_message_preview: 'new', status: 'pending' });
  });

  test('a read marker keeps the furthest read', () => {
    const read = (n: number, at: string): ChatRead => ({
      id: 'r',
      workspace_id: 'w',
      chat_id: 'c1',
      user_id: 'u',
      read_count: n,
      read_at: at,
      updated_at: at,
      _deleted: false,
    });
    const merged = mergeChatRead({
      base: undefined,
      local: read(2, '2026-12-03T10:00:00.000Z'),
      remote: read(5, '2026-12-03T09:00:00.000Z'),
    });
    expect(merged).toMatchObject({ read_count: 5, read_at: '2026-12-03T10:00:00.000Z' });
  });
});
