// The app under its Content-Security-Policy (supabase/local/app-headers.ts): it signs in,
// its service worker takes control, and it syncs with no violation; a page of another origin
// cannot frame it (clickjacking); the build publishes no source maps.
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { addContact, signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E();

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

describe('content security policy', () => {
  test('is sent with the app, its service worker and its files, naming the configured backend only', async () => {
    for (const path of ['/', '/sign-in', '/sw.js', '/manifest.webmanifest']) {
      const res = await fetch(`${e2e.url}${path}`);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      const backend = new URL(e2e.backend.url);
      expect(csp).toContain(`connect-src 'self' ${backend.origin} ws://${backend.host}`);
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    }
  });

  test('the app runs under it: sign-in, the service worker, sync and realtime raise no violation', async () => {
    const context = await e2e.newContext();
    await context.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.cspViolations!.push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    const who = await e2e.backend.user();
    const page = await signIn(context, e2e.url, who);
    await addContact(page, '+14155550123', 'Under Policy');
    // The contact reaches the server: the push went through connect-src.
    await expect
      .poll(
        async () =>
          (await e2e.backend.db.query("select 1 from public.contacts where name = 'Under Policy'")).length,
        {
          timeout: 20_000,
        },
      )
      .toBe(1);
    expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
  });

  test('a page of another origin cannot frame the app', async () => {
    const attacker = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>Win a prize</title><iframe src="${e2e.url}/sign-in"></iframe>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const context = await e2e.newContext();
      const page = await context.newPage();
      const refused = page.waitForEvent('console', (msg) => msg.text().includes("frame-ancestors 'none'"));
      await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      const message = (await refused).text();
      expect(message).toMatch(/^Framing 'http:\/\/127\.0\.0\.1:\d+\/' violates/);
      expect(message).toContain('The request has been blocked');
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(frame?.url()).not.toBe(`${e2e.url}/sign-in`);
    } finally {
      attacker.close();
    }
  });
});

describe('source maps', () => {
  test('the production build has none to publish', async () => {
    const dir = inject('e2eAppDir');
    const files = (await readdir(dir, { recursive: true })).map(String);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      expect(await readFile(join(dir, file), 'utf8'), file).not.toMatch(/sourceMappingURL=/);
    }
  });
});
