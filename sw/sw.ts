// Pigeon's service worker: the app shell, precached, so a reload with no network opens
// the app; and the outbox of send commands, replayed when the network returns. Built by vite-plugin-pwa (injectManifest) into /sw.js; Workbox's build step
// replaces `self.__WB_MANIFEST` with the list of built files and their revisions.
//
// Lifecycle: the first install takes control at once (clientsClaim), so the very first
// visit is already offline-capable. A later version waits until the page says so
// (SKIP_WAITING, sent by workbox-window's messageSkipWaiting() from the update prompt),
// so a new version never swaps code under a half-written draft.
import { clientsClaim } from 'workbox-core';
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  type PrecacheEntry,
  precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { isOutboxRequest, OUTBOX_FUNCTION_PATH, type OutboxRequest } from '../src/sync/outbox-protocol.ts';
import { announceSize, handleCommand, handleRequests, handleUserRequest, replay } from './outbox/outbox.ts';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<PrecacheEntry | string>;
};

/** The message the page posts to let a waiting version take over. */
const SKIP_WAITING = 'SKIP_WAITING';

precacheAndRoute(self.__WB_MANIFEST);
// Caches of precache versions this worker no longer uses (e.g. after a Workbox upgrade).
cleanupOutdatedCaches();

// Every in-app navigation (a reload of /contacts, a deep link) gets the precached shell;
// the client-side router takes it from there. Paths that name a file are left to the
// network, so a missing asset is a 404 and not an HTML page.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), {
    denylist: [/\/[^/?]+\.[^/?]+$/],
  }),
);

// Send commands (outbox/outbox.ts): delivered now, or queued and replayed later.
registerRoute(
  ({ url, request }) => request.method === 'POST' && url.pathname.endsWith(OUTBOX_FUNCTION_PATH),
  ({ request }) => handleCommand(request),
  'POST',
);

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === SKIP_WAITING) {
    void self.skipWaiting();
  } else if (isOutboxRequest(data)) {
    event.waitUntil(outboxTask(data, event.ports[0]));
  }
});

function outboxTask(request: OutboxRequest, port: MessagePort | undefined): Promise<unknown> {
  switch (request.type) {
    case 'outbox-status':
      return announceSize();
    case 'outbox-user':
      return handleUserRequest(request, port);
    case 'outbox-requests':
      return handleRequests(request, port);
    case 'outbox-replay':
      return replay(request.force ? 'force' : 'reconnect');
  }
}

// A worker starting (the browser woke it, or a new version took over) replays what waits:
// the `sync` event alone may come much later.
void replay('reconnect');

clientsClaim();
