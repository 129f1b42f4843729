/**
 * The inbox's search over message text: every message's text, lowercased, held in memory
 * next to the storage (the storage worker in the browser, this process in Node): read once
 * from the storage, then kept by the storage's own write events (a pull, an edit, a deletion,
 * any tab's), and read from its checkpoint at most every 2 s for what another worker wrote.
 * It is rebuilt when the worker starts again (warmed by the inbox page, service.ts).
 *
 * Why a scan of held text rather than a token index: the inbox matches any part of a message
 * ("substring", as the list's name and number filters do), which a word index cannot answer;
 * scanning 500,000 short texts in memory takes ≈ 15 ms, well inside the 100 ms, and
 * costs ≈ 120 bytes a message (the storage worker's heap held 61 MB at 500,000 in the bench;
 * a token index over the same messages, most of whose words are rare, costs more). The reads
 * from IndexedDB, the slow part of the old query-per-search, happen once per message instead
 * of once per search.
 */
import { getChangedDocumentsSince, type RxDocumentData, type RxStorageInstance } from 'rxdb';
import type { MessageDoc } from '../../db/documents.ts';
import { askStorage, isStorageRequest, type StorageRequest } from '../../db/remote-storage.ts';
import type { Scope } from '../shared/scope.ts';
import {
  addTrigrams,
  mayContain,
  newTrigramFilter,
  type TrigramFilter,
  trigramBits,
} from './trigram-filter.ts';

/** What the page sends the storage worker: chats of `workspaceId` with a message containing `query`. */
export interface MessageSearchRequest extends StorageRequest<'message-search'> {
  workspaceId: string;
  /** '' brings the text up to date and answers nothing (warming it before the first search). */
  query: string;
}

export const isMessageSearchRequest = isStorageRequest<MessageSearchRequest>('message-search');

export type MessageStorage = RxStorageInstance<MessageDoc, unknown, unknown, unknown>;
type Checkpoint = { id: string; lwt: number };
type Docs = RxDocumentData<MessageDoc>[];
/** Faster reads where the storage has them (src/db/dexie-pages.ts). */
export interface FastReads {
  /** Every message, in pages (the first read). */
  all(storage: MessageStorage): AsyncIterable<Docs> | undefined;
  /** Up to `limit` messages written after `checkpoint`, in write order. */
  since(
    storage: MessageStorage,
    checkpoint: Checkpoint | undefined,
    limit: number,
  ): Promise<Docs | undefined>;
}

const READ_BATCH = 2000;
const FRESH_MS = 2000;
export const SEARCH_MEASURE = 'pigeon:message-search';

const after = (a: Checkpoint, b: Checkpoint | undefined) =>
  !b || a.lwt > b.lwt || (a.lwt === b.lwt && a.id > b.id);

interface ChatText {
  workspaceId: string;
  /** Message id → its text, lowercased. */
  texts: Map<string, string>;
  /** Which pieces of text the chat may hold: most chats are ruled out without reading them. */
  trigrams: TrigramFilter;
  /**
   * The texts joined by SEPARATOR, built when a search first reads the chat after a change:
   * one `includes` per chat instead of one per message.
   */
  joined: string | undefined;
}

// No query holds it (the search box cannot type it), so no match spans two messages.
const SEPARATOR = '\u0000';

/** The held text of one storage instance of the messages collection. */
class MessageText {
  private readonly chats = new Map<string, ChatText>();
  private checkpoint: Checkpoint | undefined;
  /** Whether a read has reached the storage's end once: from then on writes come in order. */
  private caughtUp = false;
  private readAt = 0;
  // One step at a time (a read, a write's events), each after the one before.
  private steps: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: MessageStorage,
    private readonly reads: FastReads | undefined,
  ) {
    // What this storage writes is applied from its events, with no read back. Its checkpoint
    // moves on only once a read has caught up: before, it would skip what is not read yet.
    // Writes another worker makes (a tab of another version; tabs without SharedWorker) reach
    // only the storage: the read before each search finds them.
    storage.changeStream().subscribe((bulk) => {
      this.step(async () => {
        for (const event of bulk.events) this.apply(event.documentData);
        if (this.caughtUp && after(bulk.checkpoint as Checkpoint, this.checkpoint)) {
          this.checkpoint = bulk.checkpoint as Checkpoint;
        }
      }).catch(() => undefined);
    });
  }

  /**
   * Reads what another worker wrote, at most every FRESH_MS (typing a query searches at each
   * keystroke; this storage's own writes arrive as events meanwhile).
   */
  freshen(): Promise<void> {
    return this.caughtUp && Date.now() - this.readAt < FRESH_MS ? this.steps : this.catchUp();
  }

  /** Reads every message written since the checkpoint. */
  catchUp(): Promise<void> {
    return this.step(async () => {
      const pages = this.checkpoint ? undefined : this.reads?.all(this.storage);
      if (pages) {
        // What is written meanwhile is read again below (a second's margin for the clocks of
        // other workers' writes).
        const from: Checkpoint = { lwt: Date.now() - 1000, id: '' };
        for await (const page of pages) for (const doc of page) this.apply(doc);
        this.checkpoint = from;
      }
      for (;;) {
        const documents = await this.changedSinceCheckpoint();
        for (const doc of documents) this.apply(doc);
        if (documents.length < READ_BATCH) break;
      }
      this.caughtUp = true;
      this.readAt = Date.now();
    });
  }

  /** The next batch written after the checkpoint, which moves past it. */
  private async changedSinceCheckpoint(): Promise<Docs> {
    const fast = await this.reads?.since(this.storage, this.checkpoint, READ_BATCH);
    if (fast) {
      const last = fast.at(-1);
      if (last) this.checkpoint = { lwt: last._meta.lwt, id: last.id };
      return fast;
    }
    const { documents, checkpoint } = await getChangedDocumentsSince(
      this.storage,
      READ_BATCH,
      this.checkpoint,
    );
    this.checkpoint = checkpoint as Checkpoint;
    return documents;
  }

  private step(run: () => Promise<void>): Promise<void> {
    const next = this.steps.then(run);
    // A failed read leaves the checkpoint where it was; the next search reads again.
    this.steps = next.catch(() => undefined);
    return next;
  }

  /** Ids of the workspace's chats with a message containing `query` (already lowercased). */
  chatsContaining(workspaceId: string, query: string): string[] {
    const found: string[] = [];
    if (query.includes(SEPARATOR)) return found;
    const bits = trigramBits(query);
    for (const [chatId, chat] of this.chats) {
      if (chat.workspaceId !== workspaceId || !mayContain(chat.trigrams, bits)) continue;
      chat.joined ??= [...chat.texts.values()].join(SEPARATOR);
      if (chat.joined.includes(query)) found.push(chatId);
    }
    return found;
  }

  private apply(doc: RxDocumentData<MessageDoc>): void {
    let chat = this.chats.get(doc.chat_id);
    if (doc._deleted || !doc.body) {
      if (chat?.texts.delete(doc.id)) chat.joined = undefined;
      return;
    }
    if (!chat) {
      chat = {
        workspaceId: doc.workspace_id,
        texts: new Map(),
        trigrams: newTrigramFilter(),
        joined: undefined,
      };
      this.chats.set(doc.chat_id, chat);
    }
    const text = doc.body.toLowerCase();
    // A status change (sent, delivered, read) keeps the text.
    if (chat.texts.get(doc.id) === text) return;
    chat.texts.set(doc.id, text);
    addTrigrams(chat.trigrams, text);
    chat.joined = undefined;
  }
}

const held = new WeakMap<MessageStorage, MessageText>();

/** Answers a search next to the storage: brings the held text up to date, then scans it. */
export async function searchStoredMessages(
  storage: MessageStorage,
  request: Pick<MessageSearchRequest, 'workspaceId' | 'query'>,
  reads?: FastReads,
): Promise<string[]> {
  let text = held.get(storage);
  if (!text) {
    text = new MessageText(storage, reads);
    held.set(storage, text);
  }
  await text.freshen();
  const query = request.query.trim().toLowerCase();
  return query ? text.chatsContaining(request.workspaceId, query) : [];
}

/** Chats of the scope's workspace with a message containing `query`, case-insensitively. */
export async function chatsMatchingText(scope: Scope, query: string): Promise<Set<string>> {
  const { db } = scope;
  const request: MessageSearchRequest = {
    kind: 'message-search',
    database: db.name,
    schemaVersion: db.messages.schema.version,
    workspaceId: scope.workspace.id,
    query,
  };
  const start = performance.now();
  const ids = await askStorage(db.storage, request, (r) =>
    searchStoredMessages(db.messages.storageInstance as MessageStorage, r),
  );
  // The search's own time, apart from the page's rendering (the bench reads it).
  if (query) performance.measure(SEARCH_MEASURE, { start });
  return new Set(ids);
}
