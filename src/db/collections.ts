/**
 * The collections of a user's database: which server table each replicates, whether the
 * client writes it, its schema and its conflict handler.
 *
 * Budget: RxDB's free edition opens at most 13 collections per database. Before the inbox
 * there were 10 (pending_changes among them, which is being retired). The inbox adds 3 and no
 * more: `chats` (the server's conversations, with status and assignee edited by members, so
 * assignment needs no collection of its own), `chat_notes` and `chat_reads` (the member's own
 * read markers: unread counts derive from them and the chat's inbound_count, so no per-member
 * counter is stored). That makes 13 with pending_changes, 12 once it is gone; anything later
 * (drafts, quick replies, paging state) lives in existing collections or local storage.
 */
import type {
  MigrationStrategies,
  RxCollection,
  RxCollectionCreator,
  RxConflictHandler,
  RxJsonSchema,
} from 'rxdb';
import {
  campaignConflictHandler,
  chatConflictHandler,
  chatNoteConflictHandler,
  chatReadConflictHandler,
  contactConflictHandler,
  groupConflictHandler,
  readOnlyConflictHandler,
  templateConflictHandler,
} from './conflicts.ts';
import type {
  CampaignDoc,
  ChannelDoc,
  ChatDoc,
  ChatNoteDoc,
  ChatReadDoc,
  ContactDoc,
  GroupDoc,
  MemberDoc,
  MessageDoc,
  OutgoingMessage,
  TemplateDoc,
  WorkspaceDoc,
} from './documents.ts';
import { migrationStrategies } from './migrations.ts';
import {
  campaignSchema,
  channelSchema,
  chatNoteSchema,
  chatReadSchema,
  chatSchema,
  contactSchema,
  groupSchema,
  memberSchema,
  messageSchema,
  outgoingMessageSchema,
  type PendingChange,
  pendingChangeSchema,
  templateSchema,
  workspaceSchema,
} from './schemas.ts';

export interface PigeonCollections {
  contacts: RxCollection<ContactDoc>;
  contact_groups: RxCollection<GroupDoc>;
  templates: RxCollection<TemplateDoc>;
  campaigns: RxCollection<CampaignDoc>;
  workspaces: RxCollection<WorkspaceDoc>;
  workspace_members: RxCollection<MemberDoc>;
  channels: RxCollection<ChannelDoc>;
  messages: RxCollection<MessageDoc>;
  pending_changes: RxCollection<PendingChange>;
  outgoing_messages: RxCollection<OutgoingMessage>;
  chats: RxCollection<ChatDoc>;
  chat_notes: RxCollection<ChatNoteDoc>;
  chat_reads: RxCollection<ChatReadDoc>;
}

export type CollectionName = keyof PigeonCollections;

/** Collections the client edits and pushes; the collection name is the server table's. */
export const WRITABLE_COLLECTIONS = [
  'contacts',
  'contact_groups',
  'templates',
  'campaigns',
  'chats',
  'chat_notes',
  'chat_reads',
] as const;
export type WritableCollection = (typeof WRITABLE_COLLECTIONS)[number];

/** Collections pulled from the server and never written by the client. */
export const READ_ONLY_COLLECTIONS = ['workspaces', 'workspace_members'] as const;
export type ReadOnlyCollection = (typeof READ_ONLY_COLLECTIONS)[number];

/** Tables of one workspace the client pulls and never writes (the server owns them). */
export const PULLED_COLLECTIONS = ['channels', 'messages'] as const;
export type PulledCollection = (typeof PULLED_COLLECTIONS)[number];

export type ReplicatedCollection = WritableCollection | ReadOnlyCollection | PulledCollection;

/** Every collection has its migration strategies (an empty map until its first migration). */
const strategies: Record<CollectionName, MigrationStrategies> = migrationStrategies;

type DocOf<C extends CollectionName> = PigeonCollections[C] extends RxCollection<infer D> ? D : never;

function creator<C extends CollectionName>(
  name: C,
  schema: RxJsonSchema<DocOf<C>>,
  conflictHandler?: RxConflictHandler<DocOf<C>>,
): RxCollectionCreator<DocOf<C>> {
  return {
    schema,
    migrationStrategies: strategies[name],
    ...(conflictHandler ? { conflictHandler } : {}),
  };
}

export type CollectionCreators = { [C in CollectionName]: RxCollectionCreator<DocOf<C>> };

export const collectionCreators: CollectionCreators = {
  contacts: creator('contacts', contactSchema, contactConflictHandler),
  contact_groups: creator('contact_groups', groupSchema, groupConflictHandler),
  templates: creator('templates', templateSchema, templateConflictHandler),
  campaigns: creator('campaigns', campaignSchema, campaignConflictHandler),
  workspaces: creator('workspaces', workspaceSchema, readOnlyConflictHandler()),
  workspace_members: creator('workspace_members', memberSchema, readOnlyConflictHandler()),
  channels: creator('channels', channelSchema, readOnlyConflictHandler()),
  messages: creator('messages', messageSchema, readOnlyConflictHandler()),
  // Local only: never replicated, so no conflict handler.
  pending_changes: creator('pending_changes', pendingChangeSchema),
  outgoing_messages: creator('outgoing_messages', outgoingMessageSchema),
  chats: creator('chats', chatSchema, chatConflictHandler),
  chat_notes: creator('chat_notes', chatNoteSchema, chatNoteConflictHandler),
  chat_reads: creator('chat_reads', chatReadSchema, chatReadConflictHandler),
};

/** The property names a collection stores (what rowToDocument keeps of a server row). */
export function storedProperties(name: ReplicatedCollection): readonly string[] {
  return Object.keys(collectionCreators[name].schema.properties);
}
