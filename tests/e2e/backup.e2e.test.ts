// Issue 16, backup: Settings → Data exports the workspace (a zip, from this device's data);
// after the device is wiped ("Sign out and remove data") and the server's records changed
// (a contact deleted, a group, a template and a contact edited), "Restore from backup" shows
// what it would add and change, and writes it as normal edits: the server holds, field by
// field, what it held at the export. A second restore finds nothing to do; a malformed file
// is refused with the reason. The contacts list exports as CSV (formulas neutralised).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { addContact, rowVisible, signIn, signOut, waitForPending } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E();

/** The workspace's records on the server, as a backup keeps them (no stamps or versions). */
async function serverRecords(ws: string) {
  const db = e2e.backend.db;
  return {
    contacts: await db.query(
      `select id, phone, name, email, tags, group_ids, custom_fields, notes, opted_out, _deleted
         from public.contacts where workspace_id = $1 order by phone`,
      [ws],
    ),
    groups: await db.query(
      'select id, name, description, color, _deleted from public.contact_groups where workspace_id = $1 order by id',
      [ws],
    ),
    templates: await db.query(
      'select id, name, body, language, category, _deleted from public.templates where workspace_id = $1 order by id',
      [ws],
    ),
  };
}

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: await readFile(path) };
}

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Data' }).waitFor();
}

test('export → wipe the device → restore gives the same data; a second restore changes nothing; a bad file is refused', async () => {
  const user = await e2e.backend.user();
  const db = e2e.backend.db;
  const [{ workspace_id: ws }] = (await db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [user.id],
  )) as [{ workspace_id: string }];
  const group = randomUUID();
  const template = randomUUID();
  await db.query(
    `insert into public.contact_groups (id, workspace_id, name, description, color) values ($1, $2, 'Clients', 'Paying', '#3b82f6')`,
    [group, ws],
  );
  await db.query(
    `insert into public.templates (id, workspace_id, name, body, language, category) values ($1, $2, 'Welcome', 'Hi {{name}}!', 'en', 'utility')`,
    [template, ws],
  );
  for (const [phone, name, tags, notes] of [
    ['+14155550161', 'Ana', ['vip', 'lisbon'], '=SUM(1)'],
    ['+14155550162', 'Bea', [], 'line one\nline two, "quoted"'],
  ] as const) {
    await db.query(
      `insert into public.contacts (id, workspace_id, phone, name, tags, group_ids, custom_fields, notes)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [contactId(ws, phone), ws, phone, name, tags, [group], { city: 'Lisbon' }, notes],
    );
  }

  const context = await e2e.newContext();
  const page = await signIn(context, e2e.url, user);
  await addContact(page, '+1 415 555 0163', 'Cid');
  await rowVisible(page, /Bea/);
  await waitForPending(page, 0);
  const before = await serverRecords(ws);
  expect(before.contacts).toHaveLength(3);

  // The contacts list as CSV: every contact, a formula neutralised, quotes doubled.
  const csv = await download(page, () => page.getByRole('button', { name: 'Export CSV' }).click());
  expect(csv.name).toMatch(/^contacts-\d{4}-\d{2}-\d{2}\.csv$/);
  const csvText = csv.bytes.toString('utf8');
  expect(csvText).toContain(`'+14155550161,Ana,,vip; lisbon,Clients,'=SUM(1),no,Lisbon\r\n`);
  expect(csvText).toContain('"line one\nline two, ""quoted"""');

  // Export while offline: it is made from this device's data.
  await openSettings(page);
  await context.setOffline(true);
  const backup = await download(page, () => page.getByRole('button', { name: 'Export workspace' }).click());
  await page.getByText(/Saved pigeon-.*: 3 contacts, 1 group, 1 template, 0 campaign drafts\./).waitFor();
  await context.setOffline(false);
  const zipped = unzipSync(new Uint8Array(backup.bytes));
  const manifest = JSON.parse(strFromU8(zipped['manifest.json']!));
  expect(manifest).toMatchObject({
    kind: 'pigeon-workspace-backup',
    format: 1,
    workspace: { id: ws },
    counts: { contacts: 3, contact_groups: 1, templates: 1, campaigns: 0 },
  });

  // Wipe the device; meanwhile the records change on the server (another member's edits).
  await signOut(page, 'remove');
  await db.query(
    `update public.contacts set _deleted = true where workspace_id = $1 and phone = '+14155550162'`,
    [ws],
  );
  await db.query(
    `update public.contacts set tags = '{}', name = 'Ana B' where workspace_id = $1 and phone = '+14155550161'`,
    [ws],
  );
  await db.query(`update public.contact_groups set name = 'Renamed', color = null where id = $1`, [group]);
  await db.query(`update public.templates set body = 'Changed' where id = $1`, [template]);
  await page.close();
  const again = await signIn(context, e2e.url, user);
  await rowVisible(again, /Ana B/);
  expect(await again.getByRole('row', { name: /Bea/ }).count()).toBe(0);

  await openSettings(again);
  const input = again.getByLabel('Backup file');
  const file = { name: backup.name, mimeType: 'application/zip', buffer: backup.bytes };
  await input.setInputFiles(file);
  const preview = again.getByRole('region', { name: 'What the restore would do' });
  await preview.waitFor();
  const row = (name: string) => preview.getByRole('row', { name: new RegExp(`^${name}`) });
  expect(await row('Contacts').innerText()).toMatch(/Contacts\s+1\s+1\s+1/);
  expect(await row('Groups').innerText()).toMatch(/Groups\s+0\s+1\s+0/);
  expect(await row('Templates').innerText()).toMatch(/Templates\s+0\s+1\s+0/);
  const steps = preview.getByRole('list', { name: 'First records it would add or change' });
  await steps.getByText(/Add\s+contact Bea \(\+14155550162\) · deleted since the backup/).waitFor();
  await steps.getByText(/Change\s+contact Ana \(\+14155550161\) · name, tags/).waitFor();
  await steps.getByText(/Change\s+group Clients · name, color/).waitFor();
  await preview.getByRole('button', { name: 'Restore 4 records' }).click();
  await again.getByText('Restored: 1 record added, 3 changed. They sync like any edit.').waitFor();
  await waitForPending(again, 0);
  expect(await serverRecords(ws)).toEqual(before);

  // Again: everything is equal, nothing is written.
  await input.setInputFiles(file);
  await preview.getByText('Nothing to restore: this workspace already holds everything in it.').waitFor();
  expect(await row('Contacts').innerText()).toMatch(/Contacts\s+0\s+0\s+3/);
  await preview.getByRole('button', { name: 'Close' }).click();
  await waitForPending(again, 0);
  expect(await serverRecords(ws)).toEqual(before);

  // A file that is no backup: one error naming what is wrong, no preview.
  await input.setInputFiles({
    name: 'notes.zip',
    mimeType: 'application/zip',
    buffer: Buffer.from('not a zip'),
  });
  await again
    .getByRole('alert')
    .getByText('This file is not a Pigeon backup (it is not a zip archive).')
    .waitFor();
  expect(await preview.count()).toBe(0);
});
