/**
 * Where a conversation's unsent text is kept on the device (key-value storage): per workspace
 * and conversation, a phone (the contact's conversation) or an inbox chat's id. Messages
 * write them; deleting a contact clears its conversations' ones.
 */
export function draftKey(workspaceId: string, conversation: string): string {
  return `pigeon:draft:${workspaceId}:${conversation}`;
}
