/**
 * The current workspace's settings, written straight to the server: the table's policy lets only
 * owners update it (supabase/migrations/20261203130000_owner_settings.sql), and the replication
 * brings the new row back to every device.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { checkWorkspaceSettings } from '../../domain/workspace-settings.ts';
import { NO_SCOPE, type ScopeSource } from '../shared/scope.ts';
import type { WorkspaceSettingsApi } from './api.ts';

export function createWorkspaceSettingsApi(
  source: ScopeSource,
  client: SupabaseClient,
  online: () => boolean,
  /** Pulls now: the changed row comes back at once rather than at the next realtime wake. */
  refresh: () => void,
): WorkspaceSettingsApi {
  return {
    async keepOnDevices(on) {
      const scope = source.current();
      if (!scope) return NO_SCOPE;
      if (!online()) return { ok: false, error: "You're offline: this setting is saved on the server." };
      const { error } = await client.rpc('set_contacts_local_only', {
        p_workspace_id: scope.workspace.id,
        p_on: on,
      });
      if (error) return { ok: false, error: error.message };
      refresh();
      return { ok: true, value: undefined };
    },
    async save(input) {
      const scope = source.current();
      if (!scope) return NO_SCOPE;
      const checked = checkWorkspaceSettings(input);
      if (!checked.ok) return checked;
      if (!online()) return { ok: false, error: "You're offline: settings are saved on the server." };
      const { data, error } = await client
        .from('workspaces')
        .update(checked.value)
        .eq('id', scope.workspace.id)
        .select('id');
      if (error) return { ok: false, error: error.message };
      // The policy hides the row from anyone but an owner: nothing updated means not allowed.
      if (!data || data.length === 0)
        return { ok: false, error: "Only the workspace's owners can change its settings." };
      return checked;
    },
  };
}
