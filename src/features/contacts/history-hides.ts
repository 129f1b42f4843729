/**
 * Deleted contacts whose history the server must still hide. A delete that reaches the server
 * hides the contact's chats there (hide_contact_chats), but a contact deleted and added again
 * before the device synced reaches it only as its final state, never deleted, and the other
 * devices would keep the old conversation. So each delete is also told to the server
 * (hide_contact_history: what came before the delete), kept on the device until answered,
 * per user (`owner`: the user's database name): one user's waiting deletes are never sent
 * with another's session.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { KeyValueStorage } from '../../sync/session.ts';

interface PendingHide {
  contactId: string;
  deletedAt: string;
}

/** invalid_parameter_value and insufficient_privilege, as hide_contact_history raises them. */
const REFUSALS = new Set(['22023', '42501']);

const keyOf = (owner: string) => `pigeon:contact-history-hides:${owner}`;

function pending(storage: KeyValueStorage, owner: string): PendingHide[] {
  try {
    const list: unknown = JSON.parse(storage.getItem(keyOf(owner)) ?? '[]');
    return Array.isArray(list) ? (list as PendingHide[]) : [];
  } catch {
    return [];
  }
}

function keep(storage: KeyValueStorage, owner: string, list: PendingHide[]): void {
  if (list.length === 0) storage.removeItem(keyOf(owner));
  else storage.setItem(keyOf(owner), JSON.stringify(list));
}

export function historyHides(client: SupabaseClient, storage: KeyValueStorage) {
  let flushing: Promise<void> | undefined;
  // Whose deletes were recorded while a run was under way: one more run after it.
  let again: string | undefined;
  async function flushOnce(owner: string): Promise<void> {
    for (const hide of pending(storage, owner)) {
      const { error } = await client.rpc('hide_contact_history', {
        p_contact_id: hide.contactId,
        p_deleted_at: hide.deletedAt,
      });
      // Only the function's own refusals are final (bad input, not a contact of this user's
      // workspaces); anything else (offline, a server error, an expired token) waits.
      if (error && !REFUSALS.has(error.code)) return;
      if (error)
        console.error(`pigeon: the server refused to hide a deleted contact's history: ${error.message}`);
      keep(
        storage,
        owner,
        pending(storage, owner).filter(
          (h) => h.contactId !== hide.contactId || h.deletedAt !== hide.deletedAt,
        ),
      );
    }
  }
  return {
    /** Remembers a delete of `owner`'s, then tells the server what is waiting. */
    deleted(owner: string, contactId: string, deletedAt: string): Promise<void> {
      keep(storage, owner, [...pending(storage, owner), { contactId, deletedAt }]);
      return this.flush(owner);
    },
    /** Tells the server every delete of `owner`'s still waiting (one run at a time). */
    flush(owner: string): Promise<void> {
      if (flushing) {
        again = owner;
        return flushing;
      }
      flushing = flushOnce(owner)
        .catch(() => undefined)
        .finally(() => {
          flushing = undefined;
          if (again !== undefined) {
            const next = again;
            again = undefined;
            void this.flush(next);
          }
        });
      return flushing;
    },
  };
}
