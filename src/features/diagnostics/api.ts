/** The sync panel (Settings → Sync) and "Copy diagnostics" (PigeonServices.diagnostics). */
import type { Accessor } from 'solid-js';
import type { SyncEvent, TableTrace } from '../../sync/trace.ts';

export type { SyncEvent, TableTrace };

export interface CollectionFacts extends TableTrace {
  table: string;
  /** Documents of the current workspace on this device. */
  local: number;
  /** Of those, waiting to be pushed (absent: a collection this device only pulls). */
  pending?: number;
  /** The last pulled row's version and id: where the next pull starts. */
  checkpoint?: unknown;
}

export interface DiagnosticsOptions {
  /** Off by default: the text of messages that wait or failed stays out of the report. */
  includeMessageText: boolean;
}

export interface DiagnosticsApi {
  /** The last 500 sync events, oldest first, live. */
  events: Accessor<readonly SyncEvent[]>;
  /** Per collection this device pushes: its documents of the current workspace waiting to push, live. */
  pending: Accessor<Readonly<Record<string, number>>>;
  /** Per replicated table: last pull, push and error, live. */
  tables: Accessor<Readonly<Record<string, TableTrace>>>;
  /** Counts and checkpoints read now (a count of a large collection takes a moment). */
  collections(): Promise<CollectionFacts[]>;
  /** A JSON a developer can read: no tokens, and no message text unless asked for. */
  report(opts: DiagnosticsOptions): Promise<string>;
}
