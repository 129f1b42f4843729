// What a user does in the app, in Playwright steps, by the UI's accessible names.
import type { BrowserContext, Locator, Page } from 'playwright-core';

export interface Account {
  email: string;
  password: string;
}

/** Opens the app in a new tab of this context and signs in; resolves on the Contacts page. */
export async function signIn(context: BrowserContext, url: string, who: Account): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/sign-in`);
  await page.getByRole('textbox', { name: 'Email' }).fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('textbox', { name: 'Search contacts' }).waitFor();
  // The header names the workspace once it is pulled: tests start from a settled page (that
  // typing before then survives is tested on its own, in contacts-sync.e2e.test.ts).
  await page.waitForFunction(() =>
    Boolean(document.querySelector('.workspace-name, .workspace-select')?.textContent?.trim()),
  );
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  return page;
}

export async function addContact(page: Page, phone: string, name: string): Promise<void> {
  const form = page.getByRole('form', { name: 'New contact' });
  await form.getByRole('textbox', { name: 'Phone' }).fill(phone);
  await form.getByRole('textbox', { name: 'Name' }).fill(name);
  await form.getByRole('button', { name: 'Add contact' }).click();
  await page.getByRole('row', { name: new RegExp(name) }).waitFor();
}

/** Opens a contact from the list, applies edits to the detail form, saves and goes back. */
export async function editContact(
  page: Page,
  rowName: RegExp,
  edits: Partial<Record<'Name' | 'Email' | 'Tags' | 'Notes', string>>,
): Promise<void> {
  await page.getByRole('row', { name: rowName }).click();
  for (const [field, value] of Object.entries(edits)) {
    await page.getByRole('textbox', { name: field, exact: true }).fill(value);
  }
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('button', { name: 'Save changes' }).isDisabled();
  await page.getByRole('link', { name: '← All contacts' }).click();
  await page.getByRole('textbox', { name: 'Search contacts' }).waitFor();
}

/** The pending counter reads this number (0 → "All changes synced"). */
export async function waitForPending(page: Page, n: number, timeout = 15_000): Promise<void> {
  const text =
    n === 0 ? 'All changes synced' : n === 1 ? '1 change waiting to sync' : `${n} changes waiting to sync`;
  await page.getByRole('status', { name: text }).waitFor({ timeout });
}

export async function rowVisible(page: Page, name: RegExp, timeout = 10_000): Promise<number> {
  const started = Date.now();
  await page.getByRole('row', { name }).waitFor({ timeout });
  return Date.now() - started;
}

/** Waits until an input holds a value matching `expected` (it may still be syncing in). */
export async function waitForValue(
  input: Locator,
  expected: string | RegExp,
  timeout = 10_000,
): Promise<string> {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await input.inputValue();
    if (typeof expected === 'string' ? value === expected : expected.test(value)) return value;
    if (Date.now() > until)
      throw new Error(`input kept the value ${JSON.stringify(value)}, expected ${expected}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Signs out through the header's dialog: a plain sign-out keeps this device's data, `remove`
 * removes it (answering "Remove anyway" if the app warns that something would be lost).
 * Resolves on the sign-in page.
 */
export async function signOut(page: Page, how: 'keep' | 'remove' = 'keep'): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign out?' });
  await dialog
    .getByRole('button', {
      name: how === 'keep' ? 'Sign out' : 'Sign out and remove data from this device',
      exact: true,
    })
    .click();
  const signInButton = page.getByRole('button', { name: 'Sign in', exact: true });
  if (how === 'remove') {
    const warning = page.getByRole('dialog', { name: "Remove data that hasn't synced?" });
    await Promise.race([signInButton.waitFor(), warning.waitFor()]);
    if (await warning.isVisible()) await warning.getByRole('button', { name: 'Remove anyway' }).click();
  }
  await signInButton.waitFor();
}

/** How many sessions auth-js keeps cached in this browser (IndexedDB "pigeon-auth"). */
export function cachedSessions(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('pigeon-auth');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const count = open.result.transaction('kv').objectStore('kv').count();
          count.onsuccess = () => resolve(count.result);
        };
      }),
  );
}
