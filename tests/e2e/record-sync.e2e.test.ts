// Per-record sync state in the browser (issue 16): two contexts of one user edit the same field
// of a contact offline; after sync the one whose edit lost sees "Changed on another device" with
// both values and restores its own, which then reaches the other context. A template the server
// refuses to write shows the error mark with the server's reason.
import { describe, expect, test } from 'vitest';
import { addContact, rowVisible, signIn, waitForPending, waitForValue } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E();

describe('per-record sync state', () => {
  test('same field edited offline in two contexts: the loser is told and restores its value everywhere', async () => {
    const alice = await e2e.backend.user();
    const [ctxA, ctxB] = await Promise.all([e2e.newContext(), e2e.newContext()]);
    const a = await signIn(ctxA, e2e.url, alice);
    const b = await signIn(ctxB, e2e.url, alice);
    await addContact(a, '+1 415 555 0161', 'Dana Shared');
    await addContact(a, '+1 415 555 0163', 'Synced Sam');
    await waitForPending(a, 0);
    await rowVisible(b, /Dana Shared/);

    await Promise.all([ctxA.setOffline(true), ctxB.setOffline(true)]);
    // A's edit first: B's, made later, wins the merge.
    for (const [page, name] of [
      [a, 'Dana from A'],
      [b, 'Dana from B'],
    ] as const) {
      await page.getByRole('row', { name: /Dana Shared/ }).click();
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('Waiting to sync', { exact: true }).waitFor();
      await page.getByRole('link', { name: '← All contacts' }).click();
    }
    // The list marks the waiting row, and "Not yet synced" keeps only it.
    await addContact(a, '+1 415 555 0162', 'Other Olga');
    await waitForPending(a, 2);
    await a.getByRole('row', { name: /Dana from A.*Waiting to sync/ }).waitFor();
    await a.getByRole('checkbox', { name: 'Not yet synced' }).check();
    await a.getByText('2 of 3 contacts').waitFor();
    await a.getByRole('row', { name: /Dana from A/ }).waitFor();
    await a.getByRole('row', { name: /Other Olga/ }).waitFor();
    expect(await a.getByRole('row', { name: /Synced Sam/ }).count()).toBe(0);

    await ctxB.setOffline(false);
    await waitForPending(b, 0);
    await ctxA.setOffline(false);
    await waitForPending(a, 0);
    // Synced: the filter empties; the merged row carries its mark.
    await a.getByText('No contacts match these filters').waitFor();
    await a.getByRole('checkbox', { name: 'Not yet synced' }).uncheck();
    await a.getByRole('row', { name: /Dana from B.*Merged/ }).click();
    const panel = a.getByRole('region', { name: 'Changed on another device' });
    await panel.waitFor();
    await panel.getByText('Dana from A').waitFor();
    await panel.getByText('Dana from B').waitFor();
    expect(await a.getByRole('textbox', { name: 'Name', exact: true }).inputValue()).toBe('Dana from B');

    await panel.getByRole('button', { name: 'Keep yours for Name' }).click();
    await panel.waitFor({ state: 'detached' });
    await waitForValue(a.getByRole('textbox', { name: 'Name', exact: true }), 'Dana from A');
    await rowVisible(b, /Dana from A/, 10_000);
    await waitForPending(a, 0);
    const [row] = await e2e.backend.db.query<{ name: string }>(
      "select name from public.contacts where phone = '+14155550161'",
    );
    expect(row?.name).toBe('Dana from A');
  });

  test('a template the server refuses shows the error mark with its reason', async () => {
    const bob = await e2e.backend.user();
    const [{ workspace_id: ws }] = (await e2e.backend.db.query<{ workspace_id: string }>(
      'select workspace_id from public.workspace_members where user_id = $1',
      [bob.id],
    )) as [{ workspace_id: string }];
    const [{ id: channel }] = (await e2e.backend.db.query<{ id: string }>(
      `insert into public.channels (workspace_id, name, provider) values ($1, 'Line', 'simulator') returning id`,
      [ws],
    )) as [{ id: string }];
    // A template synced from Meta: only a template sync may change it.
    await e2e.backend.db.query(
      `insert into public.templates (workspace_id, name, body, provider, channel_id, provider_template_id, provider_status)
       values ($1, 'order_update', 'Your order {{1}} shipped', 'meta', $2, 'meta-1', 'APPROVED')`,
      [ws, channel],
    );
    const page = await signIn(await e2e.newContext(), e2e.url, bob);
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: /order_update/ }).click();
    await page.getByRole('textbox', { name: 'Body' }).fill('Your order {{1}} is on its way');
    await page.getByRole('button', { name: 'Save template' }).click();

    const alert = page.getByRole('alert').filter({ hasText: 'Not synced.' });
    await alert.getByText('templates from Meta are changed by a template sync only').waitFor();
    await page.getByRole('link', { name: /order_update.*Not synced/ }).waitFor();
    await page.getByRole('checkbox', { name: 'Not yet synced' }).check();
    await page.getByRole('link', { name: /order_update/ }).waitFor();
    const [row] = await e2e.backend.db.query<{ body: string }>(
      'select body from public.templates where workspace_id = $1',
      [ws],
    );
    expect(row?.body).toBe('Your order {{1}} shipped');
  });
});
