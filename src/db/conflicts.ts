/**
 * RxDB conflict handlers from the domain merges (src/domain/merge.ts, DESIGN.md: field-level
 * merge, union of tags and groups).
 *
 * `isEqual` is isSameDocument. It ignores `_modified`, but documents carry the server version
 * as `server_modified` (documents.ts), which it does compare: two states are equal only if
 * their content and the server version they stem from are.
 *
 * `resolve` is a three-way merge with the assumed master state (what the local edit started
 * from) as base; without one (two offline inserts of the same phone) the merges fall back to
 * union and newer-wins. The result carries the real master's version, so the push that follows
 * assumes what the server holds.
 */
import type { RxConflictHandler, WithDeleted } from 'rxdb';
import { mergeChat, mergeChatNote, mergeChatRead } from '../domain/inbox-merge.ts';
import {
  isSameDocument,
  type MergeInput,
  mergeCampaign,
  mergeContact,
  mergeGroup,
  mergeTemplate,
} from '../domain/merge.ts';
import type {
  CampaignDoc,
  ChatDoc,
  ChatNoteDoc,
  ChatReadDoc,
  ContactDoc,
  GroupDoc,
  TemplateDoc,
} from './documents.ts';

function mergingHandler<D extends { server_modified?: string }>(
  merge: (input: MergeInput<WithDeleted<D>>) => WithDeleted<D>,
): RxConflictHandler<D> {
  return {
    isEqual: (a, b) => isSameDocument(a, b),
    resolve: async ({ assumedMasterState, newDocumentState, realMasterState }) => ({
      ...merge({ base: assumedMasterState, local: newDocumentState, remote: realMasterState }),
      server_modified: realMasterState.server_modified,
    }),
  };
}

export const contactConflictHandler = mergingHandler<ContactDoc>(mergeContact);
export const groupConflictHandler = mergingHandler<GroupDoc>(mergeGroup);
export const templateConflictHandler = mergingHandler<TemplateDoc>(mergeTemplate);
export const campaignConflictHandler = mergingHandler<CampaignDoc>(mergeCampaign);
export const chatConflictHandler = mergingHandler<ChatDoc>(mergeChat);
export const chatNoteConflictHandler = mergingHandler<ChatNoteDoc>(mergeChatNote);
export const chatReadConflictHandler = mergingHandler<ChatReadDoc>(mergeChatRead);

/**
 * Read-only collections are never pushed, so they never conflict; equality still decides
 * whether a pulled row is written, and must see a new server version.
 */
export function readOnlyConflictHandler<D>(): RxConflictHandler<D> {
  return {
    isEqual: (a, b) => isSameDocument(a, b),
    resolve: async ({ realMasterState }) => realMasterState,
  };
}
