/**
 * Deleted contacts whose history the server must still hide. A delete that reaches the server
 * hides the contact's chats there (hide_contact_chats), but a contact deleted and added again
 * before the device synced reaches it only as its final state, never deleted, and the other
 * devices would keep the old conversation. So each delete is also told to the server
 * (hide_contact_history: what came before the delete), kept on the device until answered.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { KeyValueStorage } from '../../sync/session.ts';

interface PendingHide {
  contactId: string;
  deletedAt: string;
}

const KEY = 'pigeon:contact-history-hides';

function pending(storage: KeyValueStorage): PendingHide[] {
  try {
    const list: unknown = JSON.parse(storage.getItem(KEY) ?? '[]');
    return Array.isArray(list) ? (list as PendingHide[]) : [];
  } catch {
    return [];
  }
}

function keep(storage: KeyValueStorage, list: PendingHide[]): void {
  if (list.length === 0) storage.removeItem(KEY);
  else storage.setItem(KEY, JSON.stringify(list));
}

export function historyHides(client: SupabaseClient, storage: KeyValueStorage) {
  let flushing: Promise<void> | undefined;
  // A delete recorded while a run was under way: one more run after it.
  let again = false;
  async function flushOnce(): Promise<void> {
    for (const hide of pending(storage)) {
      const { error } = await client.rpc('hide_contact_history', {
        p_contact_id: hide.contactId,
        p_deleted_at: hide.deletedAt,
      });
      // No answer (offline, a server error): kept for the next time. A refusal is final.
      if (error && (!error.code || error.code.startsWith('5'))) return;
      if (error)
        console.error(`pigeon: the server refused to hide a deleted contact's history: ${error.message}`);
      keep(
        storage,
        pending(storage).filter((h) => h.contactId !== hide.contactId || h.deletedAt !== hide.deletedAt),
      );
    }
  }
  return {
    /** Remembers a delete, then tells the server what is waiting. */
    deleted(contactId: string, deletedAt: string): Promise<void> {
      keep(storage, [...pending(storage), { contactId, deletedAt }]);
      return this.flush();
    },
    /** Tells the server every delete still waiting (one run at a time). */
    flush(): Promise<void> {
      if (flushing) {
        again = true;
        return flushing;
      }
      flushing = flushOnce()
        .catch(() => undefined)
        .finally(() => {
          flushing = undefined;
          if (again) {
            again = false;
            void this.flush();
          }
        });
      return flushing;
    },
  };
}
