// The app shell: the build loads in Chromium, its service worker takes control, a reload
// with no network still opens the app, and Chromium finds the app installable.
import { request } from 'node:http';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { useE2E } from './harness.ts';

const e2e = useE2E();

/** The app has mounted: #root holds rendered content instead of index.html's boot screen. */
async function waitForMountedApp(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const root = document.getElementById('root');
    return !!root && !root.querySelector('.boot') && (root.textContent ?? '').trim().length > 0;
  });
}

async function waitForController(page: Page): Promise<string> {
  const handle = await page.waitForFunction(() => navigator.serviceWorker.controller?.scriptURL);
  return (await handle.jsonValue()) as string;
}

function rawStatus(origin: string, path: string): Promise<number | undefined> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    request({ host: hostname, port, path }, (res) => {
      res.resume();
      resolve(res.statusCode);
    })
      .once('error', reject)
      .end();
  });
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('app shell', () => {
  test('loads, the service worker takes control, and an offline reload still opens the app', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.url);
    await waitForMountedApp(page);
    expect(await page.title()).toContain('Pigeon');

    // The app found this file's backend through /config.json, and kept it for offline starts.
    const remembered = await page.waitForFunction(() => localStorage.getItem('pigeon:runtime-config'));
    expect(JSON.parse((await remembered.jsonValue()) as string)).toEqual({
      supabaseUrl: e2e.backend.url,
      anonKey: e2e.backend.config.anonKey,
    });

    // First visit: the worker installs (precaching the shell), activates and claims the page.
    expect(await waitForController(page)).toBe(`${e2e.url}/sw.js`);
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
      }
      return urls;
    });
    expect(cached).toContain('/index.html');
    expect(cached.some((p) => p.startsWith('/assets/') && p.endsWith('.js'))).toBe(true);

    await context.setOffline(true);
    const offlineFetch = await page.evaluate(() =>
      fetch('/config.json', { cache: 'no-store' }).then(
        () => 'reached',
        () => 'failed',
      ),
    );
    expect(offlineFetch).toBe('failed');

    // Reload with no network: served by the worker.
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await waitForMountedApp(page);
    expect(await page.title()).toContain('Pigeon');
    expect(await waitForController(page)).toBe(`${e2e.url}/sw.js`);

    // A deep link opened offline gets the shell too (navigation fallback), never an error page.
    const deep = await page.goto(`${e2e.url}/contacts/00000000-0000-4000-8000-000000000000`);
    expect(deep?.fromServiceWorker()).toBe(true);
    expect(deep?.status()).toBe(200);
    await waitForMountedApp(page);

    await context.setOffline(false);
  });

  test('a new tab opened while offline opens the app from the cache', async () => {
    const context = await e2e.newContext();
    const first = await context.newPage();
    await first.goto(e2e.url);
    await waitForController(first);
    await first.close();

    await context.setOffline(true);
    const page = await context.newPage();
    const res = await page.goto(`${e2e.url}/templates`);
    expect(res?.fromServiceWorker()).toBe(true);
    await waitForMountedApp(page);
    expect(await page.title()).toContain('Pigeon');
  });
});

describe('web manifest', () => {
  test('is linked from the page and describes an installable app', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(e2e.url);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBe('/manifest.webmanifest');

    const res = await fetch(`${e2e.url}${href}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/manifest+json');
    const manifest = (await res.json()) as {
      name: string;
      short_name: string;
      start_url: string;
      scope: string;
      display: string;
      theme_color: string;
      background_color: string;
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
    };
    expect(manifest).toMatchObject({
      name: 'Pigeon',
      short_name: 'Pigeon',
      start_url: '/',
      scope: '/',
      display: 'standalone',
    });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(await page.locator('meta[name="theme-color"]').getAttribute('content')).toBe(manifest.theme_color);

    // Each icon is a real PNG of the size it claims; 192, 512 and a maskable one exist.
    for (const icon of manifest.icons) {
      const r = await fetch(new URL(icon.src, e2e.url));
      expect(r.status, icon.src).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/png');
      const { width, height } = pngSize(Buffer.from(await r.arrayBuffer()));
      expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
    }
    const purposes = manifest.icons.map((i) => `${i.sizes}:${i.purpose ?? 'any'}`);
    expect(purposes).toEqual(expect.arrayContaining(['192x192:any', '512x512:any', '512x512:maskable']));
  });

  test("Chromium's installability check reports no errors", async () => {
    // Incognito contexts always report `in-incognito`: this needs an on-disk profile.
    const context = await e2e.persistentContext();
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(e2e.url);
    await waitForController(page);
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] };
    expect(manifest.url).toBe(`${e2e.url}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
  });
});

describe('app server', () => {
  test('serves files with their types, routes to the shell, and never lets sw.js or index.html go stale', async () => {
    const get = (path: string) => fetch(`${e2e.url}${path}`);

    const sw = await get('/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(sw.headers.get('cache-control')).toBe('no-cache');

    const index = await get('/');
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await get(asset!);
    expect(js.headers.get('cache-control')).toContain('immutable');

    const route = await get('/contacts/abc');
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(html);

    expect((await get('/assets/missing.js')).status).toBe(404);
    // Paths sent as they are (fetch would normalise the dots away): nothing outside the build.
    for (const path of [
      '/../package.json',
      '/assets/../../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
    ]) {
      expect(await rawStatus(e2e.url, path), path).toBe(404);
    }

    const revalidated = await fetch(`${e2e.url}/sw.js`, {
      headers: { 'if-none-match': sw.headers.get('etag')! },
    });
    expect(revalidated.status).toBe(304);

    const config = await get('/config.json');
    expect(config.headers.get('cache-control')).toBe('no-store');
    expect(await config.json()).toEqual({
      supabaseUrl: e2e.backend.url,
      anonKey: e2e.backend.config.anonKey,
    });
  });
});
