// Consent-gated sync in the browser (issue 16): with "Keep contacts and templates on this device
// only" turned on in Settings, a contact added here never reaches the server (checked with the
// service role) while a group added after it does; turned off (confirmed), the contact arrives.
// PIGEON_SHOTS=<dir> also saves the changed screens at 1280 and 390 px, light and dark.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { addContact, signIn, waitForPending } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E();

async function onServer(
  table: 'contacts' | 'contact_groups',
  column: string,
  value: string,
): Promise<number> {
  const { data, error } = await e2e.backend.service().from(table).select('id').eq(column, value);
  if (error) throw new Error(error.message);
  return data.length;
}

async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`still not so after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Screens of the change, when PIGEON_SHOTS names a folder (not part of the assertions). */
async function shots(page: Page, name: string): Promise<void> {
  const dir = process.env.PIGEON_SHOTS;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(dir, `${name}-${width}-${scheme}.png`), fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('keep contacts and templates on this device only', () => {
  test('on: a new contact never reaches the server; off (confirmed): it arrives', async () => {
    const owner = await e2e.backend.user();
    const page = await signIn(
      await e2e.newContext({ viewport: { width: 1280, height: 900 } }),
      e2e.url,
      owner,
    );

    await page.getByRole('link', { name: 'Settings' }).first().click();
    const setting = page.getByRole('checkbox', { name: 'Keep contacts and templates on this device only' });
    expect(await setting.isChecked()).toBe(false);
    // The box shows the server's answer: it turns on once the server has recorded it.
    await setting.click();
    await page.getByText(/^Turned on by you on /).waitFor();
    expect(await setting.isChecked()).toBe(true);
    await shots(page, 'settings-on');

    await page.getByRole('link', { name: 'Contacts' }).first().click();
    await page.getByRole('note').getByText('Kept on this device only.').waitFor();
    await addContact(page, '+1 415 555 0191', 'Kept Kim');
    await shots(page, 'contacts-kept');
    // Groups still sync: once the group added after the contact is on the server, the contact
    // would have been pushed too.
    await page.getByRole('textbox', { name: 'New group' }).fill('Synced group');
    await page.getByRole('button', { name: 'Add group' }).click();
    await until(
      async () => (await onServer('contact_groups', 'name', 'Synced group')) === 1,
      'the group is pushed',
    );
    expect(await onServer('contacts', 'phone', '+14155550191')).toBe(0);
    // Kept, not waiting: the header counts no change waiting to sync.
    await waitForPending(page, 0);

    await page.getByRole('link', { name: 'Settings' }).first().click();
    await setting.click();
    const confirm = page.getByRole('dialog', { name: 'Sync contacts and templates?' });
    await confirm.waitFor();
    await shots(page, 'settings-confirm-off');
    // Cancelled: still on, nothing uploaded.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await setting.isChecked()).toBe(true);
    expect(await onServer('contacts', 'phone', '+14155550191')).toBe(0);

    await setting.click();
    await confirm.getByRole('button', { name: 'Turn off and upload' }).click();
    await page.getByText(/^Turned off by you on /).waitFor();
    await until(
      async () => (await onServer('contacts', 'phone', '+14155550191')) === 1,
      'the kept contact arrives',
    );
    await page.getByRole('link', { name: 'Contacts' }).first().click();
    await page.getByRole('row', { name: /Kept Kim/ }).waitFor();
    expect(await page.getByRole('note').count()).toBe(0);
  });
});
