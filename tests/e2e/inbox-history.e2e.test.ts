// History on a new device (issue 14): while its first sync runs, the inbox says how many chats
// are here of how many; a chat opened before its messages are pulled shows the newest page
// from the server at once, and scrolling up brings older pages until the first message, each
// message once. The device's pulls are held by the test (a slow first sync), not faked.
import type { Route } from 'playwright-core';
import { expect, test } from 'vitest';
import { workspaceOf } from '../backend/channel-steps.ts';
import { signIn } from './app-steps.ts';
import { useE2E } from './harness.ts';
import { connectChannel } from './messaging-steps.ts';

const e2e = useE2E({ backend: {} });

const CHATS = 30;
const MESSAGES = 130;
const BIG = '447700900500';

/** Holds the device's pulls of `tables` until released. */
async function holdPulls(context: Parameters<typeof signIn>[0], tables: string[]) {
  const held: Route[] = [];
  const holding = new Set(tables);
  await context.route('**/rest/v1/rpc/pull_rows', (route) => {
    const table = (route.request().postDataJSON() as { p_table?: string }).p_table ?? '';
    if (holding.has(table)) held.push(route);
    else void route.continue();
  });
  return {
    release(table: string) {
      holding.delete(table);
      for (const route of held.splice(0)) {
        const t = (route.request().postDataJSON() as { p_table?: string }).p_table ?? '';
        if (holding.has(t)) held.push(route);
        else void route.continue();
      }
    },
  };
}

test('a new device shows sync progress, then pages a chat its sync has not reached from the server', async () => {
  const owner = await e2e.backend.user();
  const ws = await workspaceOf(e2e.backend, owner);
  const channelId = await connectChannel(e2e.backend, owner.email);
  await e2e.backend.db.query(
    `insert into public.chats (id, workspace_id, channel_id, wa_chat_id, last_message_at)
     select private.chat_id($2, w), $1, $2, w, now() - make_interval(mins => n)
     from generate_series(1, $3::int) n, lateral (select (447700900500 + n - 1)::text || '@s.whatsapp.net' as w) x`,
    [ws, channelId, CHATS],
  );
  await e2e.backend.db.query(
    `insert into public.messages (id, workspace_id, channel_id, chat_id, direction, phone, body, status, created_at)
     select gen_random_uuid(), $1, $2, private.chat_id($2, $3 || '@s.whatsapp.net'), 'out', '+' || $3,
            'History line ' || n, 'sent', now() - interval '3 hours' + make_interval(secs => n)
     from generate_series(1, $4::int) n`,
    [ws, channelId, BIG, MESSAGES],
  );

  const context = await e2e.newContext();
  const pulls = await holdPulls(context, ['chats', 'messages']);
  const page = await signIn(context, e2e.url, owner);
  await page.getByRole('link', { name: 'Inbox', exact: true }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Loading conversations: 0 of ${CHATS}` })
    .waitFor();

  pulls.release('chats');
  const list = page.getByRole('list', { name: 'Chats' });
  await list.getByRole('link').first().waitFor();
  await page.getByRole('status').filter({ hasText: 'Loading conversations' }).waitFor({ state: 'detached' });
  expect(await list.getByRole('link').count()).toBeGreaterThan(5);

  // Its messages are not on this device yet: the newest page comes from the server.
  await list.getByRole('link', { name: /\+44 7700 900500|447700900500/ }).click();
  const line = (n: number) => page.getByRole('listitem', { name: `You: History line ${n}`, exact: true });
  await line(MESSAGES).waitFor();
  expect(await line(1).count()).toBe(0);

  // Scrolling up brings older pages until the first message.
  const thread = page.getByRole('list', { name: 'Conversation' });
  for (let i = 0; i < 10 && (await line(1).count()) === 0; i++) {
    await thread.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.waitForTimeout(300);
  }
  await line(1).waitFor();
  const bodies = await thread
    .getByRole('listitem', { name: /^You: History line / })
    .evaluateAll((items) => items.map((li) => li.getAttribute('aria-label')));
  expect(bodies).toHaveLength(MESSAGES);
  expect(new Set(bodies).size).toBe(MESSAGES);
  expect(bodies[0]).toBe('You: History line 1');
  expect(bodies.at(-1)).toBe(`You: History line ${MESSAGES}`);

  // The pull catches up: every message once, now from this device.
  pulls.release('messages');
  await page.waitForTimeout(1000);
  expect(await thread.getByRole('listitem', { name: /^You: History line / }).count()).toBe(MESSAGES);
});
