// What the UI gets from the data layer: the contract between src/ui and src/db + src/sync.
// Reactive values are SolidJS accessors; writes go to RxDB first (offline works), and
// replication carries them up.
import type { Accessor } from 'solid-js';
import type { Contact, ContactGroup, Template, Workspace, WorkspaceRole } from '../domain/types.ts';
import type { CampaignsApi } from '../features/campaigns/service.ts';
import type { ImportApi } from '../features/import/service.ts';
import type { MessagesApi } from '../features/messages/service.ts';
import type { QuotaApi } from '../features/quota/service.ts';

export type Result<T = void> = { ok: true; value: T } | { ok: false; error: string };

export interface SignedInUser {
  id: string;
  email: string;
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: string }
  /** expired: the refresh token was refused; local data stays until the user signs in again. */
  | { status: 'signed-in' | 'expired'; user: SignedInUser };

export type SyncState = 'offline' | 'syncing' | 'idle' | 'error';

export interface SyncStatus {
  state: Accessor<SyncState>;
  /** Local changes not yet confirmed by the server ("N changes waiting to sync"). */
  pending: Accessor<number>;
  lastError: Accessor<string | undefined>;
  /** Push and pull now (e.g. a "sync now" button). */
  syncNow(): Promise<void>;
}

/** Input of the contact form: the phone as typed; the id derives from workspace + E.164. */
export interface ContactInput {
  phone: string;
  name: string;
  email?: string;
  tags?: string[];
  group_ids?: string[];
  custom_fields?: Record<string, string>;
  notes?: string;
}

export interface ContactsApi {
  /** Live, sorted by name then phone; search matches name, phone digits, email or tag. */
  list(search: Accessor<string>): Accessor<Contact[]>;
  count(): Accessor<number>;
  get(id: Accessor<string | undefined>): Accessor<Contact | undefined>;
  /** Refuses an invalid phone with the reason; adding an existing phone edits that contact. */
  add(input: ContactInput): Promise<Result<Contact>>;
  /** A patch of editable fields; a phone change is refused (the id derives from it). */
  update(
    id: string,
    patch: Partial<Omit<ContactInput, 'phone'>> & { opted_out?: boolean },
  ): Promise<Result<Contact>>;
  remove(id: string): Promise<Result>;
}

export interface GroupsApi {
  list(): Accessor<ContactGroup[]>;
  add(input: { name: string; description?: string; color?: string }): Promise<Result<ContactGroup>>;
  update(
    id: string,
    patch: { name?: string; description?: string; color?: string | null },
  ): Promise<Result<ContactGroup>>;
  remove(id: string): Promise<Result>;
}

export interface TemplatesApi {
  list(): Accessor<Template[]>;
  get(id: Accessor<string | undefined>): Accessor<Template | undefined>;
  add(input: Pick<Template, 'name' | 'body' | 'language' | 'category'>): Promise<Result<Template>>;
  update(
    id: string,
    patch: Partial<Pick<Template, 'name' | 'body' | 'language' | 'category'>>,
  ): Promise<Result<Template>>;
  remove(id: string): Promise<Result>;
}

export interface SignOutOutcome {
  /** False when unpushed changes exist and could not be pushed (offline): the UI asks. */
  signedOut: boolean;
  unsynced: number;
}

export interface PigeonServices {
  session: Accessor<SessionState>;
  online: Accessor<boolean>;
  signIn(email: string, password: string): Promise<Result>;
  signUp(email: string, password: string, workspaceName?: string): Promise<Result>;
  /** Pushes pending changes first; with discardUnsynced it signs out even if that failed. */
  signOut(opts?: { discardUnsynced?: boolean }): Promise<SignOutOutcome>;

  workspaces: Accessor<Workspace[]>;
  workspace: Accessor<Workspace | undefined>;
  role: Accessor<WorkspaceRole | undefined>;
  switchWorkspace(id: string): Promise<void>;
  /**
   * Owners and admins invite by email; the person joins at once if they have an account
   * ('added'), else when they sign up with that email ('invited'). Needs a connection.
   */
  invite(email: string, role: WorkspaceRole): Promise<Result<InviteOutcome>>;

  sync: SyncStatus;
  contacts: ContactsApi;
  groups: GroupsApi;
  templates: TemplatesApi;
  /** Conversations, sending, and the service worker's queue of send commands (messages.ts). */
  messages: MessagesApi;
  /** Contact import from CSV/TSV, vCard and .xlsx files (import.ts). */
  imports: ImportApi;
  /** Bulk campaigns: drafts, preparation in the worker, launch through the outbox (campaigns.ts). */
  campaigns: CampaignsApi;
  /** The workspace's message quota: used, reserved, limit (quota.ts). */
  quota: QuotaApi;

  /** Stops replication, closes the database (kept) and ends every subscription. */
  dispose(): Promise<void>;
}

export type InviteOutcome = 'added' | 'invited' | 'already_member';
