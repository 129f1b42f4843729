// Temporary (not committed): screenshots of the sync marks, the filter and the panels.
import type { Page } from 'playwright-core';
import { test } from 'vitest';
import { addContact, rowVisible, signIn, waitForPending } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E();
const DIR = '/work/shots/sync16';

async function shoot(page: Page, name: string, go: () => Promise<void>) {
  for (const width of [1280, 390]) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await go();
      await page.waitForTimeout(400);
      await page.screenshot({ path: `${DIR}/${name}-${width}-${scheme}.png`, fullPage: false });
    }
  }
}

test('shots', async () => {
  const alice = await e2e.backend.user();
  const [{ workspace_id: ws }] = (await e2e.backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [alice.id],
  )) as [{ workspace_id: string }];
  const [{ id: channel }] = (await e2e.backend.db.query<{ id: string }>(
    `insert into public.channels (workspace_id, name, provider) values ($1, 'Line', 'simulator') returning id`,
    [ws],
  )) as [{ id: string }];
  await e2e.backend.db.query(
    `insert into public.templates (workspace_id, name, body, provider, channel_id, provider_template_id, provider_status)
     values ($1, 'order_update', 'Your order {{1}} shipped', 'meta', $2, 'meta-1', 'APPROVED')`,
    [ws, channel],
  );
  await e2e.backend.db.query(
    `insert into public.templates (workspace_id, name, body) values ($1, 'Spring offer', 'Hello {{name}}, 20% off until Sunday.')`,
    [ws],
  );
  const [ctxA, ctxB] = await Promise.all([e2e.newContext(), e2e.newContext()]);
  const a = await signIn(ctxA, e2e.url, alice);
  const b = await signIn(ctxB, e2e.url, alice);
  await addContact(a, '+1 415 555 0161', 'Dana Shared');
  await addContact(a, '+1 415 555 0164', 'Synced Sara');
  await waitForPending(a, 0);
  await rowVisible(b, /Dana Shared/);
  await Promise.all([ctxA.setOffline(true), ctxB.setOffline(true)]);
  for (const [page, name] of [
    [a, 'Dana from this laptop'],
    [b, 'Dana from the phone'],
  ] as const) {
    await page.getByRole('row', { name: /Dana Shared/ }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Waiting to sync', { exact: true }).waitFor();
    await page.getByRole('link', { name: '← All contacts' }).click();
  }
  await ctxB.setOffline(false);
  await waitForPending(b, 0);
  await ctxA.setOffline(false);
  await waitForPending(a, 0);
  await a.getByRole('row', { name: /Merged/ }).waitFor();

  await a.getByRole('link', { name: 'Templates' }).click();
  await a.getByRole('link', { name: /order_update/ }).click();
  await a.getByRole('textbox', { name: 'Body' }).fill('Your order {{1}} is on its way');
  await a.getByRole('button', { name: 'Save template' }).click();
  await a.getByText('templates from Meta are changed by a template sync only').first().waitFor();
  const templateUrl = a.url();

  await a.getByRole('link', { name: 'Contacts' }).first().click();
  await ctxA.setOffline(true);
  await addContact(a, '+1 415 555 0162', 'Olga Offline');
  await a.getByRole('row', { name: /Olga Offline.*Waiting/ }).waitFor();

  const contactsUrl = `${e2e.url}/contacts`;
  await shoot(a, 'contacts-marks', async () => {
    await a.goto(contactsUrl).catch(() => {});
    await a.getByRole('row', { name: /Olga Offline/ }).waitFor();
  });
  await shoot(a, 'contacts-filter', async () => {
    await a.goto(`${contactsUrl}?sync=unsynced`).catch(() => {});
    await a.getByRole('row', { name: /Olga Offline/ }).waitFor();
  });
  await shoot(a, 'contact-conflict', async () => {
    await a.goto(contactsUrl).catch(() => {});
    await a.getByRole('row', { name: /Merged/ }).click();
    await a.getByRole('region', { name: 'Changed on another device' }).waitFor();
  });
  await shoot(a, 'template-refused', async () => {
    await a.goto(templateUrl).catch(() => {});
    await a.getByText('Not synced.').waitFor();
  });
});
