// Every page is usable by keyboard and its controls are labelled: Chromium's own
// accessibility tree (CDP) must give every interactive control a name, and the core flows
// work with the keyboard alone.
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { addContact, signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E();

const INTERACTIVE = new Set([
  'button',
  'link',
  'textbox',
  'searchbox',
  'checkbox',
  'radio',
  'combobox',
  'listbox',
  'option',
  'switch',
  'slider',
  'spinbutton',
  'tab',
  'menuitem',
  'grid',
  'row',
]);

interface AXNode {
  ignored: boolean;
  role?: { value: string };
  name?: { value: string };
}

/** Interactive nodes in the accessibility tree that have no accessible name. */
async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
  await cdp.detach();
  return nodes
    .filter((n) => !n.ignored && INTERACTIVE.has(n.role?.value ?? '') && !(n.name?.value ?? '').trim())
    .map((n) => n.role?.value ?? '?');
}

test('every control on every page has an accessible name', async () => {
  const ctx = await e2e.newContext();
  const anon = await ctx.newPage();
  for (const path of ['/sign-in', '/sign-up', '/forgot-password']) {
    await anon.goto(`${e2e.url}${path}`);
    await anon.getByRole('textbox', { name: 'Email' }).waitFor();
    expect(await unnamedControls(anon), path).toEqual([]);
  }
  await anon.close();

  const user = await e2e.backend.user();
  const page = await signIn(ctx, e2e.url, user);
  await addContact(page, '+1 415 555 0111', 'Labelled Lea');
  const pages: [string, string][] = [
    ['/contacts', 'Search contacts'],
    ['/templates/new', 'Body'],
    ['/campaigns', 'Campaign name'],
    ['/settings', 'Email'],
  ];
  for (const [path, anchor] of pages) {
    await page.goto(`${e2e.url}${path}`);
    await page.getByRole('textbox', { name: anchor }).first().waitFor();
    expect(await unnamedControls(page), path).toEqual([]);
  }
  // The import page, and its preview (a select per column) once a file is chosen.
  await page.goto(`${e2e.url}/contacts/import`);
  await page.getByLabel('Contacts file').waitFor();
  expect(await unnamedControls(page), '/contacts/import').toEqual([]);
  await page.getByLabel('Contacts file').setInputFiles({
    name: 'a11y.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('Name,Phone,City\nAda,+1 415 555 0133,Oslo\n'),
  });
  await page.getByRole('heading', { name: 'Check the columns' }).waitFor();
  expect(await unnamedControls(page), 'import preview').toEqual([]);
  await page.goto(`${e2e.url}/contacts`);
  await page.getByRole('row', { name: /Labelled Lea/ }).click();
  await page.getByRole('button', { name: 'Save changes' }).waitFor();
  expect(await unnamedControls(page), 'contact detail').toEqual([]);
});

test('sign in, add a contact and open it with the keyboard alone', async () => {
  const user = await e2e.backend.user();
  const page = await (await e2e.newContext()).newPage();
  await page.goto(`${e2e.url}/sign-in`);
  await page.getByRole('textbox', { name: 'Email' }).focus();
  await page.keyboard.type(user.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
  await page.getByRole('textbox', { name: 'Search contacts' }).waitFor();

  const form = page.getByRole('form', { name: 'New contact' });
  await form.getByRole('textbox', { name: 'Phone' }).focus();
  await page.keyboard.type('+1 415 555 0122');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Keyboard Kim');
  await page.keyboard.press('Enter');
  await page.getByRole('row', { name: /Keyboard Kim/ }).waitFor();
  await form.getByRole('textbox', { name: 'Phone' }).focus();
  await page.keyboard.type('+1 415 555 0123');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Keyboard Lou');
  await page.keyboard.press('Enter');
  await page.getByRole('row', { name: /Keyboard Lou/ }).waitFor();

  // Into the list, down to the second row, open it.
  await page.getByRole('row', { name: /Keyboard Kim/ }).focus();
  await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
  expect(focused).toContain('Keyboard Lou');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Save changes' }).waitFor();
  expect(await page.getByRole('textbox', { name: 'Name', exact: true }).inputValue()).toBe('Keyboard Lou');
});
