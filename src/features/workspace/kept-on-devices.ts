/**
 * Consent-gated sync: a workspace whose owners or admins chose to keep contacts and templates
 * on the members' devices replicates neither of them (the engine's `held`), so nothing of
 * them is pushed; the server refuses them too
 * (supabase/migrations/20261206110000_contacts_kept_on_devices.sql). Turned off, the next run
 * pushes everything edited meanwhile.
 */
import { map, type Observable } from 'rxjs';
import type { WritableCollection } from '../../db/collections.ts';
import type { PigeonDatabase } from '../../db/database.ts';

const KEPT_ON_DEVICES: readonly WritableCollection[] = ['contacts', 'templates'];

/** The collections `workspaceId` keeps on this device, following its setting as it is pulled. */
export function keptOnDevices(
  db: PigeonDatabase,
  workspaceId: string,
): Observable<readonly WritableCollection[]> {
  return db.workspaces
    .findOne(workspaceId)
    .$.pipe(map((doc) => (doc?.contacts_local_only ? KEPT_ON_DEVICES : [])));
}

/**
 * The contacts and templates of the user's workspaces that keep them on devices: this device
 * may hold their only copy, so removing its data asks first.
 */
export async function keptCount(db: PigeonDatabase): Promise<number> {
  const workspaces = await db.workspaces.find({ selector: { contacts_local_only: true } }).exec();
  const counts = await Promise.all(
    workspaces.flatMap(({ id }) => [
      db.contacts.count({ selector: { workspace_id: id } }).exec(),
      db.templates.count({ selector: { workspace_id: id } }).exec(),
    ]),
  );
  return counts.reduce((a, b) => a + b, 0);
}
