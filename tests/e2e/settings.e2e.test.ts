// Issue 15, item 13 in the browser: a new workspace starts in the browser's time zone and
// country; its owner renames it and changes both from Settings (the time zone from a searchable
// list), which the server keeps and every page then uses; a member who is not an owner sees the
// settings read-only.
import { describe, expect, test } from 'vitest';
import { signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E();

async function workspaceOf(email: string) {
  const [row] = await e2e.backend.db.query<{
    id: string;
    name: string;
    time_zone: string;
    default_country: string;
  }>(
    `select w.id, w.name, w.time_zone, w.default_country from public.workspaces w
     join public.workspace_members m on m.workspace_id = w.id and m.role = 'owner'
     join auth.users u on u.id = m.user_id where u.email = $1`,
    [email],
  );
  return row;
}

describe('workspace settings', () => {
  test('sign-up takes the browser time zone and locale; the owner edits name, time zone and country', async () => {
    const context = await e2e.newContext({ timezoneId: 'Europe/Lisbon', locale: 'pt-PT' });
    const page = await context.newPage();
    const email = `lisbon-${Date.now()}@example.test`;
    await page.goto(`${e2e.url}/sign-up`);
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('textbox', { name: 'Workspace name' }).fill('Padaria');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('textbox', { name: 'Search contacts' }).waitFor();
    expect(await workspaceOf(email)).toMatchObject({
      name: 'Padaria',
      time_zone: 'Europe/Lisbon',
      default_country: 'PT',
    });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Workspace settings' });
    const zone = form.getByRole('combobox', { name: 'Time zone' });
    expect(await zone.inputValue()).toBe('Europe/Lisbon');
    expect(await form.getByRole('combobox', { name: 'Default country' }).inputValue()).toBe('PT');
    // The list is searchable: the datalist offers every zone the browser knows.
    const options = await page
      .locator('#time-zones option')
      .evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value));
    expect(options).toContain('America/Sao_Paulo');
    expect(options.length).toBeGreaterThan(300);

    await form.getByRole('textbox', { name: 'Workspace name' }).fill('Padaria Lisboa');
    await zone.fill('America/Sao_Paulo');
    await form.getByRole('combobox', { name: 'Default country' }).selectOption('BR');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    expect(await workspaceOf(email)).toMatchObject({
      name: 'Padaria Lisboa',
      time_zone: 'America/Sao_Paulo',
      default_country: 'BR',
    });
    // The change comes back through the replication: the header names the workspace anew, and
    // the phone field reads national numbers as Brazil's.
    await page.locator('.workspace-name, .workspace-select').filter({ hasText: 'Padaria Lisboa' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
    await page
      .getByRole('form', { name: 'New contact' })
      .getByRole('textbox', { name: 'Phone' })
      .fill('(11) 3333-4444');
    await page.getByText('Will be saved as +551133334444').waitFor();

    // A bad time zone is refused with a message naming it; nothing changes.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await form.getByRole('combobox', { name: 'Time zone' }).fill('Lisbon');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Time zone: "Lisbon" is not a time zone; pick one from the list').waitFor();
    expect((await workspaceOf(email))?.time_zone).toBe('America/Sao_Paulo');
  });

  test('an agent sees the settings read-only', async () => {
    const owner = await e2e.backend.user();
    const agent = await e2e.backend.user();
    const ws = await workspaceOf(owner.email);
    await e2e.backend.db.query(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`,
      [ws?.id, agent.id],
    );
    await e2e.backend.db.query(`delete from public.workspace_members where user_id = $1 and role = 'owner'`, [
      agent.id,
    ]);
    const page = await signIn(await e2e.newContext(), e2e.url, agent);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByText("Only the workspace's owners can change these settings.").waitFor();
    expect(await page.getByRole('form', { name: 'Workspace settings' }).count()).toBe(0);
  });
});
