// The app's entry: registers the service worker, reads the runtime config (which backend),
// creates the data layer and mounts the app in #root in place of index.html's boot screen.
import { render } from 'solid-js/web';
import { Workbox } from 'workbox-window';
import { type AppUpdate, watchForUpdates } from './app/app-update.ts';
import { createPigeonServices } from './app/create-services.ts';
import { workerStorage } from './app/storage-host.ts';
import { startingConfig } from './sync/runtime-config.ts';
import { App } from './ui/App.tsx';
import { applyTheme, storedTheme } from './ui/theme.ts';

/**
 * The service worker (sw/sw.ts, built to /sw.js). A new version waits until the page sends
 * SKIP_WAITING (`wb.messageSkipWaiting()`) from the update prompt (app/app-update.ts).
 */
function registerServiceWorker(): AppUpdate | undefined {
  // No service worker in `vite` dev mode: it would cache the dev server's modules.
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return undefined;
  const wb = new Workbox(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL });
  // Listening before registering: a version already waiting is reported at registration.
  const update = watchForUpdates(wb);
  wb.register().catch((err: unknown) => console.error('service worker registration failed', err));
  return update;
}

async function boot(root: HTMLElement, update: AppUpdate | undefined): Promise<void> {
  // The storage worker loads and opens IndexedDB while the config is fetched: a cold open's
  // first rows wait for both.
  const { storage: rxStorage } = workerStorage();
  // The backend remembered from the last start, checked against /config.json meanwhile (a
  // change starts the page again); the first start waits for /config.json.
  const config = await startingConfig(() => location.reload());
  const services = createPigeonServices({
    supabase: { url: config.supabaseUrl, anonKey: config.anonKey },
    rxStorage,
  });
  root.textContent = '';
  render(() => <App services={services} update={update} />, root);
}

// When the app's code has loaded: the cold-open benchmark measures its first rows from here.
performance.mark('pigeon:code-loaded');
// Before anything paints: a page in the wrong theme would flash.
applyTheme(storedTheme());
const update = registerServiceWorker();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
boot(root, update).catch((err: unknown) => {
  console.error('Pigeon failed to start', err);
  root.textContent = `Pigeon failed to start: ${err instanceof Error ? err.message : String(err)}`;
});
