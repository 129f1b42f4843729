/**
 * Bulk local writes in progress (an import's batches): the replication's pushes wait until
 * they are stored (RxDB's `waitBeforePersist`) instead of competing with them for the storage,
 * and then push them whole.
 */
export class LocalWrites {
  private running = 0;
  private done: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  /** Runs `write`; pushes wait until it and every other running write have finished. */
  async run<T>(write: () => Promise<T>): Promise<T> {
    if (this.running++ === 0) {
      this.done = new Promise((resolve) => {
        this.release = resolve;
      });
    }
    try {
      return await write();
    } finally {
      if (--this.running === 0) this.release?.();
    }
  }

  /** Resolves once no write is running. */
  settled(): Promise<void> {
    return this.done;
  }
}
