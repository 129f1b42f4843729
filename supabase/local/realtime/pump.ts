// Drains the change queue: woken by NOTIFY (and a slow poll, in case a wake-up is lost with
// a dropped LISTEN connection), one run at a time, batch after batch until it is empty.
import type { Database } from '../db.ts';
import { claimChanges, discardChanges, lastChangeId } from './capture.ts';
import { fanOut } from './fanout.ts';
import type { Hub } from './hub.ts';

const BATCH = 500;

export class ChangePump {
  private running: Promise<void> | undefined;
  private pending = false;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly hub: Hub,
  ) {}

  wake(): void {
    if (this.stopped) return;
    this.pending = true;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      // A wake-up that came while the last claim was finishing.
      if (this.pending) this.wake();
    });
  }

  /** Waits for the run in progress; no run starts after this. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async run(): Promise<void> {
    while (this.pending && !this.stopped) {
      this.pending = false;
      try {
        for (;;) {
          if (this.hub.subscribers().length > 0) {
            const changes = await claimChanges(this.db, BATCH);
            // Subscribers are read after the claim: one that joined before these changes
            // committed is among them.
            await fanOut(this.db, changes, this.hub.subscribers(), this.hub.bypassRls);
            if (changes.length < BATCH || this.stopped) break;
            continue;
          }
          // Nobody listens: drop the queue without reading it. The id is read before looking
          // for subscribers again; a change written after a join completes gets a later id.
          const last = await lastChangeId(this.db);
          if (last === null) break;
          if (this.hub.subscribers().length === 0) await discardChanges(this.db, last);
        }
      } catch (err) {
        if (!this.stopped) console.error('realtime: delivering changes failed:', err);
      }
    }
  }
}
