// Issue 15, items 16 and 17 in the browser: at 360 and 390 px no page scrolls sideways, the
// sections sit in a bottom bar with every link whole, and chips are shown whole or not at all;
// the theme follows the system, and a choice made in Settings wins and survives a reload.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E();

/** A workspace with long names, tags and a group, a template and a campaign draft. */
async function seed(userId: string): Promise<{ contact: string; campaign: string }> {
  const db = e2e.backend.db;
  const [{ workspace_id: ws }] = (await db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [userId],
  )) as [{ workspace_id: string }];
  const [{ id: group }] = (await db.query<{ id: string }>(
    `insert into public.contact_groups (workspace_id, name, color) values ($1, 'Lisbon wholesale customers', '#3b82f6') returning id`,
    [ws],
  )) as [{ id: string }];
  const [{ id: contact }] = (await db.query<{ id: string }>(
    `insert into public.contacts (workspace_id, phone, name, email, tags, group_ids)
     values ($1, '+447400100001', 'Customer with a rather long name indeed', 'c@example.test',
             array['vip', 'lisbon-fair-2026', 'wholesale-long-tag-name'], array[$2::uuid]) returning id`,
    [ws, group],
  )) as [{ id: string }];
  await db.query(
    `insert into public.templates (workspace_id, name, body) values ($1, 'Spring offer for returning customers', 'Hello {{name}}, 20% off until Sunday.')`,
    [ws],
  );
  const [{ id: campaign }] = (await db.query<{ id: string }>(
    `insert into public.campaigns (id, workspace_id, name, group_ids) values (gen_random_uuid(), $1, 'Spring offer to the Lisbon wholesale customers', array[$2::uuid]) returning id`,
    [ws, group],
  )) as [{ id: string }];
  return { contact, campaign };
}

/** What sticks out sideways: the page's and main's scroll widths, nav links and chips cut. */
function overflow(page: Page) {
  return page.evaluate(() => {
    const doc = document.scrollingElement as HTMLElement;
    const main = document.querySelector('main') as HTMLElement;
    const width = window.innerWidth;
    const links = [...document.querySelectorAll('nav[aria-label="Main"] a')].map((a) =>
      a.getBoundingClientRect(),
    );
    const cutChips = [...document.querySelectorAll('[role="gridcell"]')].flatMap((cell) => {
      const box = cell.getBoundingClientRect();
      return [...cell.children]
        .map((chip) => chip.getBoundingClientRect())
        .filter((c) => c.width > 0 && c.top < box.bottom && c.bottom > box.top)
        .filter((c) => c.right > box.right + 0.5 || c.left < box.left - 0.5)
        .map(() => cell.textContent ?? '');
    });
    return {
      page: [doc.scrollWidth, doc.clientWidth],
      main: [main.scrollWidth, main.clientWidth],
      linksOutside: links.filter((r) => r.left < 0 || r.right > width || r.bottom > window.innerHeight)
        .length,
      navAtBottom: links.every((r) => r.bottom > window.innerHeight - 80),
      cutChips,
    };
  });
}

describe('phone layout', () => {
  test('no page scrolls sideways at 360 or 390 px; the nav is a bottom bar; chips are whole', {
    timeout: 480_000,
  }, async () => {
    const user = await e2e.backend.user();
    const { contact, campaign } = await seed(user.id);
    const page = await signIn(await e2e.newContext(), e2e.url, user);
    await page.getByRole('row', { name: /Customer with a rather long name/ }).waitFor();
    const paths = [
      '/inbox',
      '/contacts',
      `/contacts/${contact}`,
      '/contacts/import',
      '/templates',
      '/templates/new',
      '/campaigns',
      `/campaigns/${campaign}`,
      '/settings',
      '/no-such-page',
    ];
    for (const width of [360, 390]) {
      await page.setViewportSize({ width, height: 800 });
      for (const path of paths) {
        await page.goto(`${e2e.url}${path}`);
        await page.getByRole('main').waitFor();
        await page.waitForTimeout(300);
        const seen = await overflow(page);
        const where = `${path} at ${width} px`;
        expect(seen.page[0], where).toBeLessThanOrEqual(seen.page[1] as number);
        expect(seen.main[0], where).toBeLessThanOrEqual(seen.main[1] as number);
        expect(seen.linksOutside, where).toBe(0);
        expect(seen.navAtBottom, where).toBe(true);
        expect(seen.cutChips, where).toEqual([]);
      }
    }
    // The wide layout keeps its chips whole too, and the nav in the header.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${e2e.url}/contacts`);
    await page.getByRole('row', { name: /Customer with a rather long name/ }).waitFor();
    const wide = await overflow(page);
    expect(wide.cutChips).toEqual([]);
    expect(wide.navAtBottom).toBe(false);
  });
});

describe('dark mode', () => {
  const background = (page: Page) =>
    page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

  test('follows the system; a choice in Settings wins and is kept after a reload', async () => {
    const user = await e2e.backend.user();
    const context = await e2e.newContext({ colorScheme: 'dark' });
    const page = await signIn(context, e2e.url, user);
    expect(await background(page)).toBe('rgb(11, 20, 26)');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await background(page)).toBe('rgb(240, 242, 245)');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'Dark' }).check();
    expect(await background(page)).toBe('rgb(11, 20, 26)');
    await page.reload();
    await page.getByRole('radio', { name: 'Dark' }).waitFor();
    expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);
    expect(await background(page)).toBe('rgb(11, 20, 26)');

    await page.getByRole('radio', { name: 'Same as the system' }).check();
    expect(await background(page)).toBe('rgb(240, 242, 245)');
  });
});
