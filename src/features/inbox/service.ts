/**
 * The shared inbox over the local database: chats with their summary and the member's unread
 * counts, notes, read markers, assignment and status. Every write is a local edit that
 * replicates like any other (offline too); sending goes through the messages feature's
 * outbox path, which the UI calls with the chat's channel.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { RxDocument } from 'rxdb';
import {
  catchError,
  combineLatest,
  concat,
  distinctUntilChanged,
  EMPTY,
  filter,
  from,
  ignoreElements,
  map,
  merge,
  type Observable,
  of,
  shareReplay,
  startWith,
  switchMap,
  takeWhile,
  tap,
  timer,
} from 'rxjs';
import {
  type ChannelDoc,
  type ChatDoc,
  type ChatReadDoc,
  type ContactDoc,
  domainOf,
  type MessageDoc,
} from '../../db/documents.ts';
import { localDocument$ } from '../../db/local-document.ts';
import { editStamp } from '../../domain/edit-stamp.ts';
import { checkText } from '../../domain/field-checks.ts';
import { chatReadId } from '../../domain/ids.ts';
import { chatPhone, initials, unreadCount } from '../../domain/inbox.ts';
import type { Result } from '../../domain/result.ts';
import type { Channel, Chat, ChatNote, ChatStatus, Contact, Message } from '../../domain/types.ts';
import type { KeyValueStorage } from '../../sync/session.ts';
import { editDocument, insertDocument } from '../shared/edit.ts';
import { fromAccessor, toAccessor } from '../shared/reactive.ts';
import { awaitScope, NO_SCOPE, type Scope, type ScopeSource } from '../shared/scope.ts';
import type { InboxApi, InboxChat, InboxMember, InboxNote, SyncProgress } from './api.ts';
import { keepFirstChats, type ListPlace, recallFirstChats } from './first-chats.ts';
import { chatsMatchingText } from './message-text.ts';

const MAX_NOTE = 4096;
const WARM_SEARCH_AFTER_MS = 3000;

export function createInboxApi(
  source: ScopeSource,
  me: () => string | undefined,
  client: SupabaseClient,
  storage: KeyValueStorage,
): InboxApi {
  const inScope = <T>(empty: T, read: (scope: Scope) => Observable<T>): Observable<T> =>
    source.scope$.pipe(switchMap((scope) => (scope ? read(scope) : of(empty))));

  // Ids from the local copy (offline too); names from the server's team list (team_members:
  // members of the same workspace only), kept on this device as the database's local document
  // so an offline start names them too; "Member N" only before the list ever answered.
  const members$ = inScope<InboxMember[]>([], (scope) =>
    combineLatest([
      scope.db.workspace_members.find({ selector: { workspace_id: scope.workspace.id } }).$,
      teamEmails(scope, client),
    ]).pipe(
      map(([docs, emails]) =>
        memberList(
          docs.filter((d) => !d.deleted).map((d) => d.user_id),
          me(),
          emails,
        ),
      ),
    ),
  );

  // The workspace's chats, live.
  const liveChats = (scope: Scope): Observable<InboxChat[]> => {
    const ws = scope.workspace.id;
    const chatDocs$ = scope.db.chats
      .find({ selector: { workspace_id: ws } })
      .$.pipe(shareReplay({ bufferSize: 1, refCount: true }));
    const channels$ = scope.db.channels.find({ selector: { workspace_id: ws } }).$;
    const reads$ = scope.db.chat_reads.find({ selector: { workspace_id: ws } }).$;
    // The contacts and last messages are asked for again only when their ids change, not at
    // every pull of chats (a query of 10,000 ids each time during a first sync).
    const contacts$ = chatDocs$.pipe(
      map((docs) => idsOf(docs, (d) => d.contact_id)),
      distinctUntilChanged(sameIds),
      switchMap((ids) => scope.db.contacts.findByIds(ids).$),
    );
    const lastOut$ = chatDocs$.pipe(
      map((docs) => idsOf(docs, (d) => (d.last_message_direction === 'out' ? d.last_message_id : null))),
      distinctUntilChanged(sameIds),
      switchMap((ids) => scope.db.messages.findByIds(ids).$),
    );
    const rows = new InboxRows();
    return combineLatest([chatDocs$, channels$, reads$, contacts$, lastOut$]).pipe(
      map(([chatDocs, channelDocs, readDocs, contacts, messages]) =>
        rows.list(chatDocs, new Map(channelDocs.map((d) => [d.id, d])), readDocs, contacts, messages),
      ),
    );
  };

  // One list for every reader (the page, the unread count, the notifications), shared: each
  // reader used to run the whole pipeline over every chat again. `chats` is undefined while
  // the workspace's chats are first read; the first rows are kept for the next cold open.
  const live$ = source.scope$.pipe(
    switchMap((scope): Observable<{ place: ListPlace; chats: InboxChat[] | undefined } | undefined> => {
      if (!scope) return of(undefined);
      const place = { database: scope.db.name, workspaceId: scope.workspace.id };
      return liveChats(scope).pipe(
        tap((chats) => keepFirstChats(storage, place, chats)),
        map((chats) => ({ place, chats })),
        startWith({ place, chats: undefined }),
      );
    }),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  const chats$ = live$.pipe(
    filter((live) => live?.chats !== undefined || live === undefined),
    map((live) => live?.chats ?? []),
  );
  // Until the live list is read (a cold open: the database opening, then 10,000 chats read),
  // the first rows this device last listed.
  const listed$ = combineLatest([live$, source.opening$ ?? of(undefined)]).pipe(
    map(([live, opening]) => {
      if (live?.chats) return live.chats;
      const place = live?.place ?? opening;
      return (place && recallFirstChats(storage, place)) || [];
    }),
  );

  async function changeChat(chatId: string, change: Partial<ChatDoc>): Promise<Result> {
    const scope = await awaitScope(source);
    if (!scope) return NO_SCOPE;
    const saved = await editDocument(scope, scope.db.chats, chatId, (current) => ({
      ...current,
      ...change,
    }));
    return saved.ok ? { ok: true, value: undefined } : saved;
  }

  const channels$ = inScope<Channel[]>([], (scope) =>
    scope.db.channels
      .find({ selector: { workspace_id: scope.workspace.id }, sort: [{ name: 'asc' }, { id: 'asc' }] })
      .$.pipe(map((docs) => docs.map((doc) => domainOf<Channel>(doc)))),
  );

  // The server's count is asked once per workspace; the local count follows every pull.
  const progress$ = inScope<SyncProgress | undefined>(undefined, (scope) =>
    from(client.rpc('chat_count', { p_workspace_id: scope.workspace.id })).pipe(
      switchMap(({ data, error }) =>
        error || typeof data !== 'number'
          ? of(undefined)
          : // The list's own query (RxDB shares it); chats have no index a count() could use.
            scope.db.chats.find({ selector: { workspace_id: scope.workspace.id } }).$.pipe(
              map((docs) => docs.length),
              map((stored) => (stored < data ? { stored, total: data } : undefined)),
            ),
      ),
      takeWhile((progress) => progress !== undefined, true),
    ),
  );

  return {
    chats: () => toAccessor(chats$, []),
    listedChats: () => toAccessor(listed$, []),
    syncProgress: () => toAccessor(progress$, undefined),
    channels: () => toAccessor(channels$, []),
    members: () => toAccessor(members$, []),
    me,
    totalUnread: () =>
      toAccessor(
        chats$.pipe(
          map((chats) => chats.reduce((sum, chat) => sum + chat.unread, 0)),
          distinctUntilChanged(),
        ),
        0,
      ),

    searchMessages(query) {
      // A new query drops the last one's matches at once (they would show chats that do not
      // match), then searches: at each keystroke, as the held text answers in milliseconds.
      const matches$ = fromAccessor(query).pipe(
        map((q) => q.trim()),
        distinctUntilChanged(),
        switchMap((q) =>
          q.length < 2
            ? of(new Set<string>())
            : concat(
                of(new Set<string>()),
                inScope(new Set<string>(), (scope) => from(chatsMatchingText(scope, q))),
              ),
        ),
      );
      // Once the page has settled, the search reads the messages it holds (next to the storage),
      // so the first query is as quick as the next; a failure there shows at that query.
      const warm$ = timer(WARM_SEARCH_AFTER_MS).pipe(
        switchMap(() => inScope(new Set<string>(), (scope) => from(chatsMatchingText(scope, '')))),
        ignoreElements(),
        catchError(() => EMPTY),
      );
      return toAccessor<ReadonlySet<string>>(merge(warm$, matches$), new Set());
    },

    notes(chatId) {
      const notes$ = fromAccessor(chatId).pipe(
        switchMap((id) =>
          id
            ? combineLatest([
                inScope(
                  [],
                  (scope) =>
                    scope.db.chat_notes.find({ selector: { chat_id: id }, sort: [{ created_at: 'asc' }] }).$,
                ),
                members$,
              ]).pipe(map(([docs, members]) => docs.map((doc) => toNote(domainOf<ChatNote>(doc), members))))
            : of([]),
        ),
      );
      return toAccessor<InboxNote[]>(notes$, []);
    },

    assign: (chatId, userId) =>
      changeChat(chatId, { assignee_id: userId, assigned_at: new Date().toISOString() }),

    setStatus: (chatId, status: ChatStatus) =>
      changeChat(chatId, { status, status_at: new Date().toISOString() }),

    async addNote(chatId, body) {
      const scope = await awaitScope(source);
      const author = me();
      if (!scope || !author) return NO_SCOPE;
      const text = checkText('Note', body, { min: 1, max: MAX_NOTE });
      if (!text.ok) return text;
      await insertDocument(scope.db.chat_notes, {
        id: crypto.randomUUID(),
        workspace_id: scope.workspace.id,
        chat_id: chatId,
        author_id: author,
        body: text.value,
        created_at: new Date().toISOString(),
      });
      return { ok: true, value: undefined };
    },

    async markRead(chatId) {
      const scope = source.current();
      const user = me();
      if (!scope || !user) return;
      const chat = await scope.db.chats.findOne(chatId).exec();
      if (!chat) return;
      await markChatRead(scope, chat, user);
    },
  };
}

/** Moves the member's marker up to the chat's count; written only when it moves. */
async function markChatRead(scope: Scope, chat: RxDocument<ChatDoc>, user: string): Promise<void> {
  const id = chatReadId(chat.id, user);
  const existing = await scope.db.chat_reads.findOne(id).exec();
  const now = new Date().toISOString();
  if (!existing) {
    await insertDocument(scope.db.chat_reads, {
      id,
      workspace_id: scope.workspace.id,
      chat_id: chat.id,
      user_id: user,
      read_count: chat.inbound_count,
      read_at: now,
    });
  } else if (existing.read_count < chat.inbound_count) {
    await editDocument(scope, scope.db.chat_reads, id, (current) => ({
      ...current,
      read_count: chat.inbound_count,
      read_at: now,
      updated_at: editStamp(current.updated_at),
    }));
  }
}

interface TeamEmails {
  /** User id → email. */
  emails: Record<string, string>;
}

/** The team's emails as last stored on this device, then as the server answers (stored). */
function teamEmails(scope: Scope, client: SupabaseClient): Observable<ReadonlyMap<string, string>> {
  const id = `team-emails-${scope.workspace.id}`;
  const stored$ = localDocument$<TeamEmails>(scope.db, id).pipe(
    map((doc) => new Map(Object.entries(doc ? (doc.toJSON().data as TeamEmails).emails : {}))),
  );
  // Offline, or refused: what is stored stays.
  const fetched$ = from(client.rpc('team_members', { p_workspace_id: scope.workspace.id })).pipe(
    switchMap(({ data, error }) => {
      if (error) return EMPTY;
      const rows = data as { user_id: string; email: string }[];
      return from(
        scope.db.upsertLocal<TeamEmails>(id, {
          emails: Object.fromEntries(rows.map((r) => [r.user_id, r.email])),
        }),
      );
    }),
    ignoreElements(),
    catchError(() => EMPTY),
  );
  return merge(stored$, fetched$);
}

function memberList(
  userIds: readonly string[],
  myId: string | undefined,
  emails: ReadonlyMap<string, string>,
): InboxMember[] {
  const others = userIds.filter((id) => id !== myId).sort();
  const list: InboxMember[] = others.map((userId, i) => {
    const email = emails.get(userId);
    return email
      ? { userId, label: email, initials: initials(email.split('@')[0]!.replace(/[._-]+/g, ' ')), me: false }
      : { userId, label: `Member ${i + 1}`, initials: `M${i + 1}`, me: false };
  });
  if (myId && userIds.includes(myId)) list.unshift({ userId: myId, label: 'You', initials: 'ME', me: true });
  return list;
}

function toNote(note: ChatNote, members: readonly InboxMember[]): InboxNote {
  const author = members.find((m) => m.userId === note.author_id);
  return {
    id: note.id,
    body: note.body,
    authorLabel: author?.label ?? 'A former member',
    created_at: note.created_at,
  };
}

/** The distinct non-null ids `pick` finds in the chats, sorted (compared across pulls). */
function idsOf(
  docs: readonly RxDocument<ChatDoc>[],
  pick: (doc: RxDocument<ChatDoc>) => string | null,
): string[] {
  const ids = new Set<string>();
  for (const doc of docs) {
    const id = pick(doc);
    if (id) ids.add(id);
  }
  return [...ids].sort();
}

const sameIds = (a: string[], b: string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

interface Row {
  inputs: readonly unknown[];
  chat: InboxChat;
  at: number;
}

/**
 * The list's rows, each rebuilt only when its chat, channel, contact, last message or read
 * count changed: a pull that changes 100 of 10,000 chats builds 100 rows (RxDB keeps one
 * document object per stored revision, so identity tells a change).
 */
class InboxRows {
  private rows = new Map<string, Row>();

  list(
    chatDocs: readonly RxDocument<ChatDoc>[],
    channels: ReadonlyMap<string, RxDocument<ChannelDoc>>,
    readDocs: readonly RxDocument<ChatReadDoc>[],
    contacts: ReadonlyMap<string, RxDocument<ContactDoc>>,
    messages: ReadonlyMap<string, RxDocument<MessageDoc>>,
  ): InboxChat[] {
    const readByChat = new Map(readDocs.map((d) => [d.chat_id, d.read_count]));
    const next = new Map<string, Row>();
    for (const doc of chatDocs) {
      const contact = doc.contact_id ? contacts.get(doc.contact_id) : undefined;
      const last = doc.last_message_id ? messages.get(doc.last_message_id) : undefined;
      const inputs = [doc, channels.get(doc.channel_id), contact, last, readByChat.get(doc.id)];
      const kept = this.rows.get(doc.id);
      if (kept?.inputs.every((input, i) => input === inputs[i])) {
        next.set(doc.id, kept);
        continue;
      }
      const chat = toInboxChat(
        domainOf<Chat>(doc),
        inputs[1] ? domainOf<Channel>(inputs[1] as RxDocument<ChannelDoc>) : undefined,
        contact && !contact.deleted ? domainOf<Contact>(contact) : undefined,
        last ? domainOf<Message>(last) : undefined,
        readByChat.get(doc.id),
      );
      next.set(doc.id, { inputs, chat, at: time(chat.lastMessageAt) });
    }
    this.rows = next;
    return [...next.values()].sort(byActivity).map((row) => row.chat);
  }
}

function toInboxChat(
  chat: Chat,
  channel: Channel | undefined,
  contact: Contact | undefined,
  last: Message | undefined,
  readCount: number | undefined,
): InboxChat {
  return {
    id: chat.id,
    channelId: chat.channel_id,
    channelName: channel?.name ?? 'Channel',
    provider: channel?.provider,
    phone: chatPhone(chat.wa_chat_id),
    name: contact?.name || chat.name || '',
    contactId: chat.contact_id,
    status: chat.status,
    assigneeId: chat.assignee_id,
    preview: chat.last_message_preview ?? '',
    lastDirection: chat.last_message_direction,
    lastStatus: last?.status,
    lastMessageAt: chat.last_message_at,
    lastInboundAt: chat.last_inbound_at,
    unread: unreadCount(chat, readCount),
  };
}

const time = (value: string | null) => (value ? Date.parse(value) || 0 : 0);
// Newest activity first; the times are parsed once per row, not at each comparison.
const byActivity = (a: Row, b: Row) => b.at - a.at || a.chat.id.localeCompare(b.chat.id);
