/** What the UI gets for campaigns (PigeonServices.campaigns). */
import type { Accessor } from 'solid-js';
import type { Exclusion } from '../../domain/audience.ts';
import type { CampaignDraftFields } from '../../domain/campaign-draft.ts';
import type { MissingVariables, PreparedMessage } from '../../domain/campaign-prepare.ts';
import type { ReportRow } from '../../domain/campaign-report.ts';
import type { Result } from '../../domain/result.ts';
import type { Campaign } from '../../domain/types.ts';

export type { CampaignDraftFields };

export interface CampaignPreview {
  /** The first messages, as they will be sent. */
  sample: PreparedMessage[];
  excluded: Exclusion[];
  missingVariables: MissingVariables[];
  /** One per message. */
  quotaNeeded: number;
  firstSendAt: number | null;
  lastSendAt: number | null;
}

export interface CampaignProgress {
  phase: 'preparing' | 'sending';
  done: number;
  total: number;
}

export interface CampaignRunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: CampaignProgress) => void;
}

export interface LaunchOutcome {
  /** sent: the server has every message; queued: the service worker sends them when online; already: launched before. */
  status: 'sent' | 'queued' | 'already';
  messages: number;
}

export interface CampaignsApi {
  /** Live, newest first. */
  list(): Accessor<Campaign[]>;
  get(id: Accessor<string | undefined>): Accessor<Campaign | undefined>;
  createDraft(input: Partial<CampaignDraftFields> & { name: string }): Promise<Result<Campaign>>;
  /** Refused once launched, except the name. */
  updateDraft(id: string, patch: Partial<CampaignDraftFields>): Promise<Result<Campaign>>;
  /** A draft, or a finished campaign. */
  remove(id: string): Promise<Result>;
  prepare(id: string, opts?: CampaignRunOptions): Promise<Result<CampaignPreview>>;
  /** Prepares and sends; a second call while one runs, or after a launch, sends nothing more. */
  launch(id: string, opts?: CampaignRunOptions): Promise<Result<LaunchOutcome>>;
  /**
   * A launch the server holds incompletely ('launching' past its deadline): posts every message
   * again (the server keeps those it has) and starts the campaign with what arrived.
   */
  resend(id: string, opts?: CampaignRunOptions): Promise<Result<LaunchOutcome>>;
  /** When this device queued the campaign's launch for the network, until the server answers. */
  queuedSince(id: Accessor<string | undefined>): Accessor<number | undefined>;
  pause(id: string): Promise<Result>;
  resume(id: string): Promise<Result>;
  /** Answers how many messages were already being sent: they may still arrive. */
  cancel(id: string): Promise<Result<number>>;
  /**
   * Sends the failed recipients' messages again, once (owners and admins; the server refuses
   * others and repeats): answers how many; refused with the reason when the quota is short.
   */
  retry(id: string): Promise<Result<number>>;
  /**
   * One row per recipient with the time of each step and why it failed, live, from this
   * device's copy of the campaign's messages (offline too).
   */
  report(id: Accessor<string | undefined>): Accessor<ReportRow[]>;
}
