/** What the UI gets of the workspace's message quota (PigeonServices.quota). */
import type { Accessor } from 'solid-js';

export interface QuotaStatus {
  limit: number;
  used: number;
  reserved: number;
  remaining: number;
}

export interface QuotaApi {
  /** Undefined until read (or while signed out). */
  status: Accessor<QuotaStatus | undefined>;
}
