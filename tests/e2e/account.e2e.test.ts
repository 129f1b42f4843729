// Account flows in Chromium through the mail catcher (issue 15, items 14 and 15): forgot
// password → the mail at /_mail → reset page → sign in with the new password; an owner
// invites, the invitee opens the mailed link, signs in and accepts; the Team panel shows the
// member and manages roles.
import { describe, expect, test } from 'vitest';
import { lastMail, linkIn } from '../support/mail.ts';
import { signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';

const e2e = useE2E();

describe('account', () => {
  test('forgot password: the mailed link opens the reset page, and the new password signs in', async () => {
    const user = await e2e.backend.user();
    const page = await (await e2e.newContext()).newPage();
    await page.goto(`${e2e.url}/sign-in`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill(user.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `If an account exists for ${user.email}` })
      .waitFor();

    // The mail, as /_mail shows it to a developer.
    const mailPage = await page.context().newPage();
    await mailPage.goto(`${e2e.backend.url}/_mail`);
    await mailPage.getByText(`To ${user.email}`).first().waitFor();
    const link = linkIn(await lastMail(e2e.backend.url, user.email, 'recovery'));
    await mailPage.close();

    await page.goto(link);
    await page.waitForURL(/\/reset-password$/);
    await page.getByLabel('New password').fill('a fresh password 42');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.getByRole('textbox', { name: 'Search contacts' }).waitFor();
    // The tokens did not stay in the address bar.
    expect(new URL(page.url()).hash).toBe('');

    const again = await signIn(await e2e.newContext(), e2e.url, {
      email: user.email,
      password: 'a fresh password 42',
    });
    expect(again.url()).toContain('/contacts');

    // The link worked once.
    const reused = await (await e2e.newContext()).newPage();
    await reused.goto(link);
    await reused.getByText(/This reset link cannot be used/).waitFor();
  });

  test('an invitation is mailed; the invitee signs in from its link, accepts, and appears in the team', async () => {
    const owner = await e2e.backend.user();
    const invitee = await e2e.backend.user();
    const ownerPage = await signIn(await e2e.newContext(), e2e.url, owner);
    await ownerPage.getByRole('link', { name: 'Settings' }).first().click();
    const form = ownerPage.getByRole('form', { name: 'Invite a member' });
    await form.getByRole('textbox', { name: 'Email' }).fill(invitee.email);
    await form.getByRole('combobox').selectOption('admin');
    await form.getByRole('button', { name: 'Send invite' }).click();
    await ownerPage.getByText(`Invitation sent to ${invitee.email}.`).waitFor();
    await ownerPage.getByRole('list', { name: 'Pending invitations' }).getByText(invitee.email).waitFor();

    // Inviting oneself says so.
    await form.getByRole('textbox', { name: 'Email' }).fill(owner.email);
    await form.getByRole('button', { name: 'Send invite' }).click();
    await ownerPage.getByText('That is your own address').waitFor();

    const link = linkIn(await lastMail(e2e.backend.url, invitee.email, 'invite'));
    const page = await (await e2e.newContext()).newPage();
    await page.goto(link);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill(invitee.email);
    await page.getByLabel('Password').fill(invitee.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText(`${owner.email} invites you to join`).waitFor();
    await page.getByRole('button', { name: /^Join / }).click();
    await page.getByRole('textbox', { name: 'Search contacts' }).waitFor();

    // The owner's team lists the new admin; the invitation is no longer pending.
    await ownerPage.reload();
    const members = ownerPage.getByRole('list', { name: 'Members' });
    await members.getByText(invitee.email).waitFor();
    const role = ownerPage.getByRole('combobox', { name: `Role of ${invitee.email}` });
    expect(await role.inputValue()).toBe('admin');
    expect(await ownerPage.getByRole('list', { name: 'Pending invitations' }).count()).toBe(0);

    // Changing the role reaches the server.
    await role.selectOption('agent');
    await ownerPage.getByText(`${invitee.email} is now Agent.`).waitFor();
    const [row] = await e2e.backend.db.query<{ role: string }>(
      'select role from public.workspace_members where user_id = $1 and not _deleted and role <> $2',
      [invitee.id, 'owner'],
    );
    expect(row?.role).toBe('agent');
  });
});
