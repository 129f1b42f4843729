// A new version of the service worker installed while the app is open waits for the user:
// the page offers "Reload", nothing changes before, and reloading keeps a half-written draft.
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type AppServer, serveApp } from '../../supabase/local/serve-app.ts';
import { addContact, signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';
import { connectChannel, openConversation } from './messaging-steps.ts';

const e2e = useE2E();
// A copy of the build of its own, so this test can ship a "new version" of it.
let dir: string;
let app: AppServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pigeon-e2e-update-'));
  await cp(inject('e2eAppDir'), dir, { recursive: true });
  app = await serveApp({
    dir,
    runtimeConfig: () => ({ supabaseUrl: e2e.backend.url, anonKey: e2e.backend.config.anonKey }),
  });
});

afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a new version shows the reload prompt, and reloading keeps a half-written draft', async () => {
  const user = await e2e.backend.user();
  await connectChannel(e2e.backend, user.email);
  const page = await signIn(await e2e.newContext(), app.url, user);
  await addContact(page, '+44 7400 600001', 'Draft Dora');
  await openConversation(page, /Draft Dora/);
  const draft = 'Half-written: see you at nine on';
  await page.getByRole('textbox', { name: 'Message' }).fill(draft);
  const before = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);

  // Ship a new version and let the browser find it.
  await appendFile(join(dir, 'sw.js'), '\n// the next version\n');
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration?.update();
  });
  const prompt = page.getByRole('status', { name: 'A new version of Pigeon is ready' });
  await prompt.waitFor();
  // Waiting: the page still runs the old version, the draft untouched.
  expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe(draft);

  await Promise.all([page.waitForEvent('load'), prompt.getByRole('button', { name: 'Reload' }).click()]);
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe(draft);
  await prompt.waitFor({ state: 'detached' });
  // The new worker now controls the page.
  const after = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return { waiting: Boolean(registration?.waiting), url: navigator.serviceWorker.controller?.scriptURL };
  });
  expect(after).toEqual({ waiting: false, url: before });
});
