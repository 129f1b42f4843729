// The inbox's first rows kept for a cold open: kept per user database and workspace, only
// chats are recalled (anything else kept under the key is ignored), and a sign-out removing the
// user's data removes that user's rows only.
import { expect, test } from 'vitest';
import type { InboxChat } from '../../src/features/inbox/api.ts';
import {
  FIRST_CHATS,
  forgetFirstChats,
  keepFirstChats,
  recallFirstChats,
} from '../../src/features/inbox/first-chats.ts';

/** Web Storage over a Map (the key listing is what a sign-out needs). */
class MapStorage {
  readonly items = new Map<string, string>();
  writes = 0;
  get length() {
    return this.items.size;
  }
  key = (i: number) => [...this.items.keys()][i] ?? null;
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => {
    this.writes++;
    this.items.set(key, value);
  };
  removeItem = (key: string) => void this.items.delete(key);
}

const chat = (i: number): InboxChat => ({
  id: `chat-${i}`,
  channelId: 'channel',
  channelName: 'Sales',
  provider: 'simulator',
  phone: `+4470000${i}`,
  name: `Customer ${i}`,
  contactId: null,
  status: 'open',
  assigneeId: null,
  preview: `Message of ${i}`,
  lastDirection: 'in',
  lastStatus: undefined,
  lastMessageAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  lastInboundAt: null,
  unread: i % 3,
});

test('keeps the first rows per database and workspace, writing only when they change', () => {
  const storage = new MapStorage();
  const mine = { database: 'pigeon-a', workspaceId: 'w1' };
  const list = Array.from({ length: FIRST_CHATS + 40 }, (_, i) => chat(i));
  keepFirstChats(storage, mine, list);
  keepFirstChats(storage, mine, [...list]);
  expect(storage.writes).toBe(1);
  expect(recallFirstChats(storage, mine)).toEqual(list.slice(0, FIRST_CHATS));
  expect(recallFirstChats(storage, { database: 'pigeon-a', workspaceId: 'w2' })).toBeUndefined();
  expect(recallFirstChats(storage, { database: 'pigeon-b', workspaceId: 'w1' })).toBeUndefined();
  keepFirstChats(storage, mine, [chat(7), ...list]);
  expect(storage.writes).toBe(2);
  expect(recallFirstChats(storage, mine)?.[0]?.id).toBe('chat-7');
});

test('recalls nothing from what is not a list of chats', () => {
  const storage = new MapStorage();
  const place = { database: 'pigeon-a', workspaceId: 'w1' };
  keepFirstChats(storage, place, [chat(1)]);
  const [key] = storage.items.keys();
  for (const bad of ['{', '{"id":"x"}', '[{"id":1}]', '[null]']) {
    storage.items.set(key!, bad);
    expect(recallFirstChats(storage, place)).toBeUndefined();
  }
});

test("a sign-out removing one user's data forgets that user's rows only", () => {
  const storage = new MapStorage();
  keepFirstChats(storage, { database: 'pigeon-a', workspaceId: 'w1' }, [chat(1)]);
  keepFirstChats(storage, { database: 'pigeon-a', workspaceId: 'w2' }, [chat(2)]);
  keepFirstChats(storage, { database: 'pigeon-ab', workspaceId: 'w1' }, [chat(3)]);
  storage.setItem('theme', 'dark');
  forgetFirstChats(storage, 'pigeon-a');
  expect(recallFirstChats(storage, { database: 'pigeon-a', workspaceId: 'w1' })).toBeUndefined();
  expect(recallFirstChats(storage, { database: 'pigeon-a', workspaceId: 'w2' })).toBeUndefined();
  expect(recallFirstChats(storage, { database: 'pigeon-ab', workspaceId: 'w1' })).toEqual([chat(3)]);
  expect(storage.getItem('theme')).toBe('dark');
});
