// The template editor's preview follows the contact chosen for it at once (issue 15 item 18).
import { describe, expect, test } from 'vitest';
import { signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';
import { seedAudience } from './messaging-steps.ts';

const e2e = useE2E();

describe('template preview', () => {
  test('the preview renders for the contact picked, searched or chosen, without picking it again', async () => {
    const user = await e2e.backend.user();
    await seedAudience(e2e.backend, user.id, 'preview', ['+447415550000', '+447415550001', '+447415550002']);
    const context = await e2e.newContext();
    const page = await signIn(context, e2e.url, user);
    await page.getByText('3 contacts').waitFor();
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('textbox', { name: 'Body' }).fill('Hi {{name}}!');
    const preview = page.getByRole('figure', { name: 'Message preview' });
    const picker = page.getByRole('combobox', { name: 'Preview contact' });
    // The first contact until one is picked.
    await preview.getByText(/^Hi Buyer 000\d!$/).waitFor();
    const first = await preview.textContent();
    expect(await picker.inputValue()).not.toBe('');

    await picker.selectOption({ label: 'Buyer 0001 · +447415550001' });
    await preview.getByText('Hi Buyer 0001!').waitFor({ timeout: 2_000 });
    await picker.selectOption({ label: 'Buyer 0002 · +447415550002' });
    await preview.getByText('Hi Buyer 0002!').waitFor({ timeout: 2_000 });

    // Searching narrows the options; Enter takes the best match.
    const search = page.getByRole('textbox', { name: 'Search contacts for preview' });
    await search.fill('buyer 0001');
    await page.waitForTimeout(500);
    await search.press('Enter');
    await preview.getByText('Hi Buyer 0001!').waitFor({ timeout: 2_000 });
    // The search cleared: every option again, and the select still shows the contact the
    // preview renders, so choosing another one is a change the preview follows.
    await search.fill('');
    await picker.getByRole('option').nth(2).waitFor({ state: 'attached' });
    await page.waitForTimeout(500);
    const shown = () => picker.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent);
    expect(await shown()).toBe('Buyer 0001 · +447415550001');
    await picker.selectOption({ label: 'Buyer 0000 · +447415550000' });
    await preview.getByText('Hi Buyer 0000!').waitFor({ timeout: 2_000 });
    expect(await shown()).toBe('Buyer 0000 · +447415550000');
    // Enter at once after typing, before the search's pause has passed: the contact typed, not
    // the first of the list shown a moment before.
    await search.fill('buyer 0002');
    await search.press('Enter');
    await preview.getByText('Hi Buyer 0002!').waitFor({ timeout: 2_000 });
    await page.waitForTimeout(500);
    expect(await shown()).toBe('Buyer 0002 · +447415550002');
    expect(first).toMatch(/^Hi Buyer 000\d!$/);
  });
});
