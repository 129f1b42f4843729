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
}
