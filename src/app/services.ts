// What the UI gets: the contract between src/ui and the rest (the features' services over
// the sync engine and RxDB). Each feature owns its API's types (src/features/<feature>/api.ts);
// this composes them. Reactive values are SolidJS accessors; writes go to RxDB first
// (offline works), and replication carries them up.
import type { Accessor } from 'solid-js';
import type { Result } from '../domain/result.ts';
import type { Workspace, WorkspaceRole } from '../domain/types.ts';
import type { AccountApi } from '../features/account/api.ts';
import type { BackupApi } from '../features/backup/api.ts';
import type { CampaignsApi } from '../features/campaigns/api.ts';
import type { ChannelsApi } from '../features/channels/api.ts';
import type { ContactsApi } from '../features/contacts/api.ts';
import type { DiagnosticsApi } from '../features/diagnostics/api.ts';
import type { GroupsApi } from '../features/groups/api.ts';
import type { ImportApi } from '../features/import/api.ts';
import type { InboxApi } from '../features/inbox/api.ts';
import type { MessagesApi } from '../features/messages/api.ts';
import type { QuotaApi } from '../features/quota/api.ts';
import type { RecordSyncApi } from '../features/record-sync/api.ts';
import type { TeamApi } from '../features/team/api.ts';
import type { TemplatesApi } from '../features/templates/api.ts';
import type { WorkspaceSettingsApi } from '../features/workspace/api.ts';
import type { StorageUsage } from '../sync/device-storage.ts';
import type { SessionState } from '../sync/session.ts';
import type { SyncState } from '../sync/status.ts';

export interface SyncStatus {
  state: Accessor<SyncState>;
  /** Local changes not yet confirmed by the server ("N changes waiting to sync"). */
  pending: Accessor<number>;
  lastError: Accessor<string | undefined>;
  /** Push and pull now (e.g. a "sync now" button). */
  syncNow(): Promise<void>;
}

/** This device's storage (src/sync/device-storage.ts). */
export interface DeviceStorageStatus {
  /** A write was refused because the device's storage is full: nothing more is saved until space is freed. */
  full: Accessor<boolean>;
  /** Whether the browser keeps this site's data for good (undefined: unknown). */
  persisted: Accessor<boolean | undefined>;
  /** Used and available bytes, as the browser estimates them (undefined: not supported). */
  usage(): Promise<StorageUsage | undefined>;
  /** After freeing space: writes are tried again. */
  tryAgain(): void;
}

export interface SignOutOutcome {
  /**
   * False when removing this device's data would lose something (changes not yet pushed,
   * messages of the user waiting to send) and the user has not agreed to lose it: the UI asks.
   */
  signedOut: boolean;
  unsynced: number;
  /** The user's send requests waiting in the service worker on this device. */
  queued: number;
  /** Why it did not sign out although the user agreed (the waiting messages could not be dropped). */
  error?: string;
}

export interface SignOutOptions {
  /**
   * For shared computers: deletes this user's local databases, their send requests waiting in
   * the service worker and the cached session. Without it everything stays on this device
   * (what waits goes up at their next sign-in here).
   */
  removeData?: boolean;
  /** With removeData: go ahead although unpushed changes or waiting messages are lost. */
  discardWaiting?: boolean;
}

export interface PigeonServices {
  session: Accessor<SessionState>;
  online: Accessor<boolean>;
  signIn(email: string, password: string): Promise<Result>;
  signUp(email: string, password: string, workspaceName?: string): Promise<Result>;
  /**
   * Pushes pending changes first when online (best effort). A plain sign-out keeps this
   * device's data and the user's waiting messages, parked until they sign in here again;
   * `removeData` deletes them, and asks first (signedOut false) if that would lose anything.
   */
  signOut(opts?: SignOutOptions): Promise<SignOutOutcome>;

  workspaces: Accessor<Workspace[]>;
  workspace: Accessor<Workspace | undefined>;
  role: Accessor<WorkspaceRole | undefined>;
  switchWorkspace(id: string): Promise<void>;
  /** Members, roles and invitations of the current workspace (src/features/team). */
  team: TeamApi;
  /** Password reset and change (src/features/account). */
  account: AccountApi;

  sync: SyncStatus;
  storage: DeviceStorageStatus;
  /** The sync panel and "Copy diagnostics" (src/features/diagnostics). */
  diagnostics: DiagnosticsApi;
  /** Each record's sync state: waiting, refused (why, Retry), merged with another device's edit. */
  recordSync: RecordSyncApi;
  contacts: ContactsApi;
  groups: GroupsApi;
  templates: TemplatesApi;
  /** Export of the workspace's data as a file and restore from one (src/features/backup). */
  backup: BackupApi;
  /** Conversations, sending, and the service worker's queue of send commands (src/features/messages). */
  messages: MessagesApi;
  /** The shared inbox: chats, assignment, status, notes, read markers (src/features/inbox). */
  inbox: InboxApi;
  /** Contact import from CSV/TSV, vCard and .xlsx files (src/features/import). */
  imports: ImportApi;
  /** Bulk campaigns: drafts, preparation in the worker, launch through the outbox (src/features/campaigns). */
  campaigns: CampaignsApi;
  /** The workspace's message quota: used, reserved, limit (src/features/quota). */
  quota: QuotaApi;
  /** The workspace's WhatsApp numbers: list, connect, pace, disconnect (src/features/channels). */
  channels: ChannelsApi;
  /** The current workspace's name, time zone and default country: owners change them (src/features/workspace). */
  workspaceSettings: WorkspaceSettingsApi;

  /** Stops replication, closes the database (kept) and ends every subscription. */
  dispose(): Promise<void>;
}
