/**
 * This device's storage as the user sees it: whether the browser keeps it for good (persistent
 * storage, asked for after sign-in so that it is not evicted under pressure with changes not
 * yet synced), how much is used of the quota, and whether a write was refused because it is full.
 */
import { BehaviorSubject } from 'rxjs';

export interface StorageUsage {
  usage: number;
  quota: number;
}

export class DeviceStorage {
  /** True from a refused write until the user tries again (or a later write succeeds). */
  readonly full$ = new BehaviorSubject(false);
  /** Whether the browser granted persistent storage (undefined: not asked, or not supported). */
  readonly persisted$ = new BehaviorSubject<boolean | undefined>(undefined);
  private asked = false;

  constructor(private readonly storage: StorageManager | undefined = globalThis.navigator?.storage) {}

  /** Reported by the storage guard (src/db/storage-full.ts). */
  refused(): void {
    this.full$.next(true);
  }

  /** The user freed space and tries again. */
  clearFull(): void {
    this.full$.next(false);
  }

  /** Asks once per page for persistent storage; Chromium grants it to an installed or engaged site without a prompt. */
  async requestPersistence(): Promise<void> {
    if (this.asked || !this.storage?.persist) return;
    this.asked = true;
    try {
      this.persisted$.next((await this.storage.persisted()) || (await this.storage.persist()));
    } catch {
      this.persisted$.next(false);
    }
  }

  async usage(): Promise<StorageUsage | undefined> {
    if (!this.storage?.estimate) return undefined;
    const { usage = 0, quota = 0 } = await this.storage.estimate();
    return { usage, quota };
  }
}
