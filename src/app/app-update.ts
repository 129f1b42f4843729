// "A new version is ready — reload": a new service worker installed while the app was open
// waits (sw/sw.ts) until the user says so, so code never changes under a half-written
// draft. Reloading is the user's choice; drafts are kept on the device anyway.
import { type Accessor, createSignal } from 'solid-js';
import type { Workbox } from 'workbox-window';

export interface AppUpdate {
  /** A new version is installed and waiting. */
  ready: Accessor<boolean>;
  /** Lets the new version take over, then reloads into it. */
  apply(): void;
}

export function watchForUpdates(wb: Workbox): AppUpdate {
  const [ready, setReady] = createSignal(false);
  wb.addEventListener('waiting', () => setReady(true));
  return {
    ready,
    apply() {
      wb.addEventListener('controlling', () => window.location.reload());
      wb.messageSkipWaiting();
    },
  };
}
