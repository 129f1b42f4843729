/** What the UI gets to change the current workspace's settings (PigeonServices.workspaceSettings). */
import type { Result } from '../../domain/result.ts';
import type { WorkspaceSettings } from '../../domain/workspace-settings.ts';

export type { WorkspaceSettings };

export interface WorkspaceSettingsApi {
  /**
   * Owners only, and it needs a connection: settings are the server's (a time zone moves every
   * campaign's schedule), so they are written there and pulled back like any change.
   */
  save(settings: WorkspaceSettings): Promise<Result<WorkspaceSettings>>;
  /**
   * Keep contacts and templates on the members' devices only (on), or sync them (off: each
   * device then pushes what it kept; the UI asks first). Owners and admins, online: the
   * server records who chose it and when, and the setting reaches every device by replication.
   */
  keepOnDevices(on: boolean): Promise<Result>;
}
