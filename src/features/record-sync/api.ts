/** What the UI gets for the sync state of single records (PigeonServices.recordSync). */
import type { Accessor } from 'solid-js';
import type {
  ConflictSide,
  FieldConflict,
  MarkedCollection,
  RecordSyncState,
  RestoredRecord,
} from '../../domain/record-sync.ts';
import type { Result } from '../../domain/result.ts';

export type { ConflictSide, FieldConflict, MarkedCollection, RecordSyncState, RestoredRecord };

/** One record's sync state and what to tell about it. */
export interface RecordMark {
  state: RecordSyncState;
  /** The server's reason, when it refused the record's last push. */
  error?: string;
  /** Fields a merge decided between this device's edit and another's (both values kept). */
  conflicts: FieldConflict[];
  restored?: RestoredRecord;
}

export interface RecordSyncApi {
  /** The records of `collection` that are not synced, by id, with their state. */
  states(collection: MarkedCollection): Accessor<ReadonlyMap<string, RecordSyncState>>;
  /** False while more contacts wait than `states` lists one by one (an import's thousands). */
  complete(collection: MarkedCollection): Accessor<boolean>;
  mark(collection: MarkedCollection, id: Accessor<string | undefined>): Accessor<RecordMark>;
  /** Pushes a refused record again (as an edit of it). */
  retry(collection: MarkedCollection, id: string): Promise<Result>;
  /** Keeps one side's value of a contested field: written as an edit when it is not the current one. */
  keep(collection: MarkedCollection, id: string, field: string, side: ConflictSide): Promise<Result>;
  /** The user has read that an edit brought the record back. */
  dismissRestored(collection: MarkedCollection, id: string): Promise<void>;
}
