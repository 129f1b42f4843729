/**
 * Pulls again while the server holds rows back. pull_rows answers only rows below its commit
 * horizon (the start of the oldest transaction still writing anywhere in the database) and
 * says `held` when committed rows after the checkpoint lie past it
 * (supabase/migrations/20261205100000_pull_held_rows.sql). The realtime event that woke this
 * pull was the row's only announcement: without another pull the device would keep the old
 * version until something else changed (a message shown 'sending' for good while the server
 * had it 'read'). Writers end, so the retries end; they back off while one runs long.
 */
import type { RxReplicationState } from 'rxdb/plugins/replication';

const FIRST_MS = 100;
const MAX_MS = 2_000;

export interface HeldPull {
  /** Told after each pull whether the server held rows back. */
  pulled(held: boolean): void;
  attach(replication: RxReplicationState<unknown, unknown>): void;
}

export function heldPull(): HeldPull {
  let replication: RxReplicationState<unknown, unknown> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = FIRST_MS;
  return {
    pulled(held) {
      if (!held) {
        delay = FIRST_MS;
        return;
      }
      if (timer !== undefined || !replication || replication.isStopped()) return;
      const state = replication;
      timer = setTimeout(() => {
        timer = undefined;
        if (!state.isStopped()) state.reSync();
      }, delay);
      delay = Math.min(delay * 2, MAX_MS);
    },
    attach(state) {
      replication = state;
      state.onCancel.push(() => clearTimeout(timer));
    },
  };
}
