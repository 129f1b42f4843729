// The inbox's search over message text against a real RxDB (memory storage, schemas validated):
// the held text follows every write after the first search (new messages, an edit, a deletion),
// matches any part of a message whatever its case, and answers only the asked workspace's chats.
import { randomUUID } from 'node:crypto';
import { addRxPlugin } from 'rxdb';
import { RxDBDevModePlugin } from 'rxdb/plugins/dev-mode';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { afterEach, expect, test } from 'vitest';
import { openPigeonDatabase, type PigeonDatabase } from '../../src/db/database.ts';
import type { MessageDoc } from '../../src/db/documents.ts';
import type { Workspace } from '../../src/domain/types.ts';
import {
  chatsMatchingText,
  type FastReads,
  type MessageStorage,
  searchStoredMessages,
} from '../../src/features/inbox/message-text.ts';
import type { Scope } from '../../src/features/shared/scope.ts';
import { LocalWrites } from '../../src/sync/local-writes.ts';
import { RecordIssueStore } from '../../src/sync/record-issues.ts';
import { PendingChanges } from '../../src/sync/status.ts';

addRxPlugin(RxDBDevModePlugin);

const opened: PigeonDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) if (!db.closed) await db.remove();
});

function workspace(): Workspace {
  const id = randomUUID();
  return {
    id,
    workspace_id: id,
    name: 'W',
    default_country: 'GB',
    time_zone: 'Europe/London',
    _deleted: false,
  };
}

async function scopeOf(ws: Workspace, db?: PigeonDatabase): Promise<Scope> {
  const database =
    db ??
    (await openPigeonDatabase({
      name: `search-${randomUUID()}`,
      storage: wrappedValidateAjvStorage({ storage: getRxStorageMemory() }),
      multiInstance: false,
    }));
  if (!db) opened.push(database);
  return {
    db: database,
    pending: new PendingChanges(database),
    issues: new RecordIssueStore(database),
    writes: new LocalWrites(),
    workspace: ws,
  };
}

function message(ws: Workspace, chatId: string, body: string): MessageDoc {
  return {
    id: randomUUID(),
    workspace_id: ws.id,
    channel_id: randomUUID(),
    chat_id: chatId,
    contact_id: null,
    direction: 'in',
    phone: '+447400123456',
    body,
    status: 'delivered',
    error: null,
    campaign_id: null,
    sent_at: null,
    delivered_at: null,
    read_at: null,
    failed_at: null,
    created_at: new Date().toISOString(),
    kind: 'text',
    media_id: null,
    file_name: null,
    edited_at: null,
    revoked_at: null,
  };
}

test('finds any part of a message, in any case, and follows new messages, edits and deletions', async () => {
  const ws = workspace();
  const scope = await scopeOf(ws);
  const [a, b] = [randomUUID(), randomUUID()];
  await scope.db.messages.bulkInsert([
    message(ws, a, 'Where is my Parcel?'),
    message(ws, a, 'It left the depot'),
    message(ws, b, 'Thanks, parcel received'),
  ]);
  expect(await chatsMatchingText(scope, 'PARCEL')).toEqual(new Set([a, b]));
  expect(await chatsMatchingText(scope, 'eft the dep')).toEqual(new Set([a]));
  expect(await chatsMatchingText(scope, 'refund')).toEqual(new Set());

  // Written after the text was first read: a new message, an edit and a deletion.
  const late = message(ws, b, 'Can I get a refund?');
  await scope.db.messages.insert(late);
  expect(await chatsMatchingText(scope, 'refund')).toEqual(new Set([b]));
  await (await scope.db.messages.findOne(late.id).exec())!.incrementalPatch({ body: 'Never mind' });
  expect(await chatsMatchingText(scope, 'refund')).toEqual(new Set());
  expect(await chatsMatchingText(scope, 'never mind')).toEqual(new Set([b]));
  await (await scope.db.messages.findOne(late.id).exec())!.remove();
  expect(await chatsMatchingText(scope, 'never mind')).toEqual(new Set());
  expect(await chatsMatchingText(scope, 'parcel')).toEqual(new Set([a, b]));
});

test("never matches across two of a chat's messages; a chat with no piece of the query is skipped", async () => {
  const ws = workspace();
  const scope = await scopeOf(ws);
  const [a, b] = [randomUUID(), randomUUID()];
  await scope.db.messages.bulkInsert([
    message(ws, a, 'ends with order'),
    message(ws, a, 'number 77 starts this'),
    message(ws, b, 'the order number 77'),
  ]);
  expect(await chatsMatchingText(scope, 'order number 77')).toEqual(new Set([b]));
  expect(await chatsMatchingText(scope, 'ordernumber')).toEqual(new Set());
  // Shorter than a piece of the filter: every chat is read.
  expect(await chatsMatchingText(scope, '77')).toEqual(new Set([a, b]));
});

test("answers only the asked workspace's chats", async () => {
  const [mine, theirs] = [workspace(), workspace()];
  const scope = await scopeOf(mine);
  const other = await scopeOf(theirs, scope.db);
  const [a, b] = [randomUUID(), randomUUID()];
  await scope.db.messages.bulkInsert([message(mine, a, 'order 1001'), message(theirs, b, 'order 1002')]);
  expect(await chatsMatchingText(scope, 'order')).toEqual(new Set([a]));
  expect(await chatsMatchingText(other, 'order')).toEqual(new Set([b]));
});

test('a search typed while the text is being read waits for it and misses nothing', async () => {
  const ws = workspace();
  const scope = await scopeOf(ws);
  const chats = Array.from({ length: 50 }, () => randomUUID());
  // More than one read's batch, so the first search reads in several steps.
  await scope.db.messages.bulkInsert(
    chats.flatMap((chat, c) => Array.from({ length: 50 }, (_, m) => message(ws, chat, `ref${c}x${m}y`))),
  );
  const [first, last] = await Promise.all([
    chatsMatchingText(scope, 'ref0x0y'),
    chatsMatchingText(scope, 'ref49x49y'),
  ]);
  expect(first).toEqual(new Set([chats[0]]));
  expect(last).toEqual(new Set([chats[49]]));
});

test('the first read takes every message in pages where the storage offers them, then follows writes', async () => {
  const ws = workspace();
  const scope = await scopeOf(ws);
  const [a, b] = [randomUUID(), randomUUID()];
  const first = [message(ws, a, 'first of a'), message(ws, b, 'first of b')];
  await scope.db.messages.bulkInsert(first);
  const storage = scope.db.messages.storageInstance as MessageStorage;
  let pages = 0;
  const reads: FastReads = {
    all: (s) => ({
      async *[Symbol.asyncIterator]() {
        for (const doc of first) {
          pages++;
          yield await s.findDocumentsById([doc.id], true);
        }
      },
    }),
    // As the storage has none: RxDB's own read.
    since: async () => undefined,
  };
  const ask = (query: string) => searchStoredMessages(storage, { workspaceId: ws.id, query }, reads);
  expect((await ask('first of')).sort()).toEqual([a, b].sort());
  expect(pages).toBe(2);
  await scope.db.messages.insert(message(ws, b, 'later in b'));
  expect(await ask('later')).toEqual([b]);
  expect(pages).toBe(2);
});
