/**
 * Conversations and sending. Messages are the server's (pulled by replication, never
 * pushed); a message written here is an `outgoing_messages` document plus a send command
 * (outbox-client.ts). The conversation shows both, the server's copy replacing the local one
 * as soon as it arrives, after which the local one is removed.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { RxDocument } from 'rxdb';
import { combineLatest, debounceTime, from, map, merge, of, type Subscription, switchMap } from 'rxjs';
import type { PigeonDatabase } from '../../db/database.ts';
import { domainOf, type MessageDoc, type OutgoingMessage } from '../../db/documents.ts';
import { checkText } from '../../domain/field-checks.ts';
import { isApprovedFor } from '../../domain/provider-template.ts';
import { queueItems } from '../../domain/queued-requests.ts';
import type { Channel, Message, MessageStatus, Template } from '../../domain/types.ts';
import type { OutboxClient } from '../../sync/outbox-client.ts';
import type { CommandOutcome } from '../../sync/outbox-outcomes.ts';
import type { KeyValueStorage } from '../../sync/session.ts';
import { draftKey } from '../shared/drafts.ts';
import { fromAccessor, toAccessor } from '../shared/reactive.ts';
import { awaitScope, NO_SCOPE, type ScopeSource } from '../shared/scope.ts';
import { removeKeysStartingWith } from '../shared/storage-keys.ts';
import type { CampaignSends, MessagesApi, QueuedSend, ThreadMessage } from './api.ts';

/** WhatsApp's limit for a text message. */
const MAX_BODY = 4096;
/** Messages per page of history from the server (chat_history allows up to 200). */
const HISTORY_PAGE = 50;

export function createMessagesApi(
  source: ScopeSource,
  outbox: OutboxClient,
  storage: KeyValueStorage,
  client: SupabaseClient,
  serverUrl: string,
): MessagesApi & {
  /** Starts housekeeping for the current database; returns its stop. */
  start(): () => void;
  /** The network is back: the worker replays, or (without one) the page posts again. */
  reconnected(): void;
} {
  async function applyOutcomes(db: PigeonDatabase, outcomes: Array<[string, CommandOutcome]>) {
    const applied: string[] = [];
    for (const [id, outcome] of outcomes) {
      const doc = await db.outgoing_messages.findOne(id).exec();
      if (outcome.status === 'accepted') applied.push(id);
      if (!doc) continue;
      applied.push(id);
      if (doc.status === outcome.status && doc.error === (outcome.error ?? null)) continue;
      await doc.incrementalPatch({ status: outcome.status, error: outcome.error ?? null });
    }
    return applied;
  }

  /** Commands still unsent here, posted again (only where no worker keeps them). */
  async function resendQueued(db: PigeonDatabase): Promise<void> {
    if (outbox.workerKeepsCommands) return;
    const waiting = await db.outgoing_messages.find({ selector: { status: 'queued' } }).exec();
    for (const doc of waiting) await post(db, doc.toJSON());
  }

  async function post(db: PigeonDatabase, message: OutgoingMessage): Promise<void> {
    // The contact's name goes with the command: it may reach the intake before the contact's
    // own push (two queues), and the intake then creates the contact from it.
    const contact = message.contact_id ? await db.contacts.findOne(message.contact_id).exec() : null;
    const result = await outbox.post([
      {
        message_id: message.id,
        channel_id: message.channel_id,
        to: message.phone,
        body: message.body,
        ...(message.contact_id ? { contact_id: message.contact_id } : {}),
        ...(contact ? { contact_name: contact.name } : {}),
        ...(message.template ? { template: message.template } : {}),
      },
    ]);
    if (result.kind === 'answered') await applyOutcomes(db, result.outcomes);
  }

  const draftOf = (conversation: string) => draftKey(source.current()?.workspace.id ?? '', conversation);

  return {
    draft: (phone) => storage.getItem(draftOf(phone)) ?? '',

    saveDraft(phone, text) {
      if (text === '') storage.removeItem(draftOf(phone));
      else storage.setItem(draftOf(phone), text);
    },

    reconnected() {
      outbox.reconnected();
      const scope = source.current();
      if (scope) void resendQueued(scope.db);
    },

    thread(phone) {
      const thread$ = fromAccessor(phone).pipe(
        switchMap((p) => source.scope$.pipe(map((scope) => ({ p, scope })))),
        switchMap(({ p, scope }) => {
          if (!scope || !p) return of([]);
          const selector = { workspace_id: scope.workspace.id, phone: p };
          const sort = [{ created_at: 'asc' as const }];
          return combineLatest([
            scope.db.messages.find({ selector, sort }).$,
            scope.db.outgoing_messages.find({ selector, sort }).$,
          ]).pipe(map(([server, local]) => mergeThread(server, local)));
        }),
      );
      return toAccessor<ThreadMessage[]>(thread$, []);
    },

    chatThread(chat) {
      const thread$ = fromAccessor(chat).pipe(
        switchMap((c) => source.scope$.pipe(map((scope) => ({ c, scope })))),
        switchMap(({ c, scope }) => {
          if (!scope || !c) return of([]);
          const sort = [{ created_at: 'asc' as const }];
          return combineLatest([
            scope.db.messages.find({ selector: { chat_id: c.chatId }, sort }).$,
            scope.db.outgoing_messages.find({
              selector: { workspace_id: scope.workspace.id, phone: c.phone, channel_id: c.channelId },
              sort,
            }).$,
          ]).pipe(map(([server, local]) => mergeThread(server, local)));
        }),
      );
      return toAccessor<ThreadMessage[]>(thread$, []);
    },

    async olderMessages(chatId, before) {
      const { data, error } = await client.rpc('chat_history', {
        p_chat_id: chatId,
        p_before_at: before?.created_at ?? null,
        p_before_id: before?.id ?? null,
        p_limit: HISTORY_PAGE,
      });
      if (error) return { ok: false, error: `Older messages could not be loaded: ${error.message}` };
      const rows = data as Message[];
      return {
        ok: true,
        value: { messages: rows.map(fromMessage).reverse(), more: rows.length === HISTORY_PAGE },
      };
    },

    async mediaFile(message) {
      const token = (await client.auth.getSession()).data.session?.access_token;
      if (!token) return { ok: false, error: 'Sign in again to download media.' };
      let res: Response;
      try {
        res = await fetch(`${serverUrl}/functions/v1/media/${encodeURIComponent(message.id)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
      } catch {
        return { ok: false, error: 'Downloading media needs the network.' };
      }
      if (!res.ok) {
        const problem = (await res.json().catch(() => ({}))) as { error?: string };
        return { ok: false, error: `The media could not be downloaded: ${problem.error ?? res.statusText}` };
      }
      const blob = await res.blob();
      return {
        ok: true,
        value: {
          url: URL.createObjectURL(blob),
          fileName: message.content.file_name ?? mediaName(message, blob),
        },
      };
    },

    campaignSends(campaignId) {
      const sends$ = fromAccessor(campaignId).pipe(
        switchMap((id) => source.scope$.pipe(map((scope) => ({ id, scope })))),
        switchMap(({ id, scope }) =>
          scope && id
            ? scope.db.messages
                .find({ selector: { workspace_id: scope.workspace.id, campaign_id: id } })
                .$.pipe(map(summariseSends))
            : of(summariseSends([])),
        ),
      );
      return toAccessor<CampaignSends>(sends$, summariseSends([]));
    },

    replyTemplates(channelId) {
      const templates$ = fromAccessor(channelId).pipe(
        switchMap((id) => source.scope$.pipe(map((scope) => ({ id, scope })))),
        switchMap(({ id, scope }) =>
          scope && id
            ? scope.db.templates
                .find({
                  selector: { workspace_id: scope.workspace.id, channel_id: id },
                  sort: [{ name: 'asc' }],
                })
                .$.pipe(
                  map((docs) =>
                    docs.map((doc) => domainOf<Template>(doc)).filter((t) => isApprovedFor(t, id)),
                  ),
                )
            : of([]),
        ),
      );
      return toAccessor<Template[]>(templates$, []);
    },

    async send({ phone, contactId, body, channelId, template }) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const text = checkText('Message', body, { min: 1, max: MAX_BODY });
      if (!text.ok) return text;
      const channels = await scope.db.channels
        .find({ selector: { workspace_id: scope.workspace.id } })
        .exec();
      const channel = channels
        .map((doc) => domainOf<Channel>(doc))
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
        .find((c) => (channelId ? c.id === channelId : c.status !== 'disconnected'));
      if (!channel) return { ok: false, error: 'No WhatsApp channel is connected to this workspace yet.' };
      const message: OutgoingMessage = {
        id: crypto.randomUUID(),
        workspace_id: scope.workspace.id,
        channel_id: channel.id,
        contact_id: contactId,
        phone,
        body: text.value,
        status: 'queued',
        error: null,
        created_at: new Date().toISOString(),
        ...(template ? { template } : {}),
      };
      await scope.db.outgoing_messages.insert(message);
      // Not awaited: the message is saved and shows as queued; the answer updates it.
      void post(scope.db, message).catch((err: unknown) => console.error('pigeon: sending failed', err));
      return { ok: true, value: fromOutgoing(message) };
    },

    outbox: {
      waiting: toAccessor(outbox.size$, outbox.size$.value),
      waitingByKind: toAccessor(outbox.waiting$, outbox.waiting$.value),
      problem: toAccessor(outbox.replay$.pipe(map((r) => (r.running ? undefined : r.problem))), undefined),
      retryNow: () => outbox.retryNow(),
      requests() {
        const requests$ = merge(of(undefined), outbox.changed$).pipe(
          switchMap(() => from(outbox.requests())),
          switchMap((requests) => described(source.current()?.db, queueItems(requests))),
        );
        return toAccessor<QueuedSend[]>(requests$, []);
      },
      retryRequest: (item) => outbox.retryRequests(item.keys),
      async discardRequest(item) {
        const removed = await outbox.discardRequests(item.keys);
        if (removed === undefined) {
          return { ok: false, error: 'The send queue did not answer; nothing was discarded. Try again.' };
        }
        return { ok: true, value: removed.length };
      },
    },

    start() {
      const subscriptions: Subscription[] = [
        // Outcomes the worker recorded (also those from before this tab opened).
        source.scope$
          .pipe(
            switchMap((scope) =>
              scope ? merge(of(undefined), outbox.outcomes$).pipe(map(() => scope.db)) : of(undefined),
            ),
          )
          .subscribe((db) => {
            if (!db) return;
            void outbox.readOutcomes().then(async ({ outcomes, forget }) => {
              await forget(await applyOutcomes(db, outcomes));
            });
          }),
        // The server's copy arrived: the local one has done its job.
        source.scope$
          .pipe(
            switchMap((scope) =>
              scope
                ? merge(scope.db.outgoing_messages.$, scope.db.messages.$).pipe(
                    debounceTime(200),
                    map(() => scope.db),
                  )
                : of(undefined),
            ),
          )
          .subscribe((db) => {
            if (db) void pruneConfirmed(db);
          }),
        // Posted again when the database opens (e.g. a reload), where no worker keeps them.
        source.scope$.subscribe((scope) => {
          if (scope) void resendQueued(scope.db);
        }),
      ];
      return () => {
        for (const s of subscriptions) s.unsubscribe();
      };
    },
  };
}

const LOCAL_CONTENT = {
  kind: 'text',
  media_id: null,
  file_name: null,
  edited_at: null,
  revoked_at: null,
} as const;

const LEFT = new Set<MessageStatus>(['sent', 'delivered', 'read']);

function summariseSends(docs: readonly RxDocument<MessageDoc>[]): CampaignSends {
  const byStatus: Record<MessageStatus, number> = {
    queued: 0,
    sending: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    failed: 0,
  };
  const times: number[] = [];
  for (const doc of docs) {
    byStatus[doc.status] += 1;
    if (LEFT.has(doc.status) && doc.sent_at) times.push(Date.parse(doc.sent_at));
  }
  return { times: times.sort((a, b) => a - b), byStatus };
}

/** Queue items with what this device knows of them: a message's recipient and text, a launch's campaign. */
async function described(db: PigeonDatabase | undefined, items: QueuedSend[]): Promise<QueuedSend[]> {
  if (!db) return items;
  return Promise.all(
    items.map(async (item): Promise<QueuedSend> => {
      if (item.campaign !== undefined) {
        const campaign = await db.campaigns.findOne(item.campaign).exec();
        return campaign ? { ...item, campaignName: campaign.name } : item;
      }
      const id = item.messageIds[0];
      const message = id ? await db.outgoing_messages.findOne(id).exec() : null;
      if (!message) return item;
      const contact = message.contact_id ? await db.contacts.findOne(message.contact_id).exec() : null;
      return {
        ...item,
        recipient: { name: contact?.name || null, phone: message.phone },
        text: message.body,
      };
    }),
  );
}

async function pruneConfirmed(db: PigeonDatabase): Promise<void> {
  const local = await db.outgoing_messages.find().exec();
  if (local.length === 0) return;
  const server = await db.messages.findByIds(local.map((d) => d.id)).exec();
  const confirmed = local.filter((d) => server.has(d.id)).map((d) => d.id);
  if (confirmed.length > 0) await db.outgoing_messages.bulkRemove(confirmed);
}

function mergeThread(
  server: RxDocument<MessageDoc>[],
  local: RxDocument<OutgoingMessage>[],
): ThreadMessage[] {
  const fromServer = server.map((doc) => fromMessage(domainOf<Message>(doc)));
  const known = new Set(fromServer.map((m) => m.id));
  const pending = local.filter((doc) => !known.has(doc.id)).map((doc) => fromOutgoing(doc.toJSON()));
  // By time, not text: the server writes timestamps its own way (microseconds, +00:00).
  const at = (m: ThreadMessage) => Date.parse(m.created_at);
  return [...fromServer, ...pending].sort((a, b) => at(a) - at(b) || a.id.localeCompare(b.id));
}

/** A file name for media the customer sent without one: its kind, time and type's extension. */
function mediaName(message: ThreadMessage, blob: Blob): string {
  const extension = blob.type.split('/')[1]?.split(/[;+]/)[0];
  const stamp = message.created_at.slice(0, 19).replace(/[:T]/g, '-');
  return `${message.content.kind}-${stamp}${extension ? `.${extension}` : ''}`;
}

function fromMessage(m: Message): ThreadMessage {
  return {
    id: m.id,
    channel_id: m.channel_id,
    direction: m.direction,
    body: m.body,
    status: m.status,
    error: m.error,
    created_at: m.created_at,
    local: false,
    content: {
      kind: m.kind,
      media_id: m.media_id,
      file_name: m.file_name,
      edited_at: m.edited_at,
      revoked_at: m.revoked_at,
    },
  };
}

function fromOutgoing(m: OutgoingMessage): ThreadMessage {
  return {
    id: m.id,
    channel_id: m.channel_id,
    direction: 'out',
    body: m.body,
    status: m.status === 'failed' ? 'failed' : 'queued',
    error: m.error,
    created_at: m.created_at,
    local: true,
    content: LOCAL_CONTENT,
  };
}

/** Removes the drafts of `workspaceIds` (a sign-out that removes the user's data). */
export function forgetDrafts(storage: KeyValueStorage, workspaceIds: readonly string[]): void {
  removeKeysStartingWith(
    storage,
    workspaceIds.map((id) => draftKey(id, '')),
  );
}
