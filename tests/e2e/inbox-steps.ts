// A big inbox on the server, for the scale test and `npm run bench inbox`: `chats` chats of
// `perChat` messages each in the owner's workspace, chat 1 the newest. Every message carries
// a token found nowhere else (`ref<chat>x<message>y`), so a search names exactly one chat.
import type { Page } from 'playwright-core';
import type { Backend } from '../backend/harness.ts';
import { connectChannel } from './messaging-steps.ts';

export interface SeededInbox {
  workspaceId: string;
  /** The token of the message the device's first sync pulls last: once found, all is local. */
  lastPulledToken: string;
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export const customerName = (chat: number) => `Customer ${String(chat).padStart(5, '0')}`;
export const token = (chat: number, message: number) => `ref${chat}x${message}y`;

export async function seedInbox(
  backend: Backend,
  owner: { id: string; email: string },
  chats: number,
  perChat: number,
): Promise<SeededInbox> {
  const channelId = await connectChannel(backend, owner.email);
  const [ws] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.channels where id = $1',
    [channelId],
  );
  const workspaceId = ws!.workspace_id;
  // Rows as the intake leaves them (the chat's summary included), written in bulk: the
  // per-message triggers would make seeding, not syncing, the slow part.
  await backend.db.transaction(async (tx) => {
    await tx.query(`set local session_replication_role = replica`);
    await tx.query(
      `insert into public.chats (id, workspace_id, channel_id, wa_chat_id, name, status, last_message_at,
                                 last_inbound_at, last_message_preview, last_message_direction, inbound_count)
       select private.chat_id($2, w), $1, $2, w, 'Customer ' || lpad(c::text, 5, '0'), 'open',
              t, t, 'Message ' || $4::int || ' of chat ' || c, 'in', ($4::int + 1) / 2
       from generate_series(1, $3::int) c,
            lateral (select (447000000000 + c)::text || '@s.whatsapp.net' as w,
                            now() - make_interval(mins => c) as t) x`,
      [workspaceId, channelId, chats, perChat],
    );
    await tx.query(
      `insert into public.messages (id, workspace_id, channel_id, chat_id, direction, phone, body, status, created_at)
       select gen_random_uuid(), $1, $2, private.chat_id($2, (447000000000 + c)::text || '@s.whatsapp.net'),
              case when m % 2 = 1 then 'in' else 'out' end, '+' || (447000000000 + c)::text,
              'Message ' || m || ' of chat ' || c || ' ref' || c || 'x' || m || 'y',
              case when m % 2 = 1 then 'delivered' else 'read' end,
              now() - make_interval(mins => c) - make_interval(secs => $4::int - m)
       from generate_series(1, $3::int) c, generate_series(1, $4::int) m`,
      [workspaceId, channelId, chats, perChat],
    );
  });
  const [last] = await backend.db.query<{ body: string }>(
    `select body from public.messages where workspace_id = $1 order by _modified desc, id desc limit 1`,
    [workspaceId],
  );
  const found = last!.body.match(/ref\d+x\d+y/);
  if (!found) throw new Error(`no token in ${last!.body}`);
  return { workspaceId, lastPulledToken: found[0] };
}

/**
 * Searches and returns the ms until the list shows only `expected`'s chat. A search reads the
 * messages here when it is typed, so while they still fill in it is typed again until found.
 */
export async function search(
  page: Page,
  text: string,
  expected: string,
  { retryForMs = 0, waitMs = 10_000 }: { retryForMs?: number; waitMs?: number } = {},
): Promise<number> {
  const box = page.getByRole('searchbox', { name: 'Search chats' });
  const deadline = Date.now() + retryForMs;
  for (;;) {
    await box.fill('');
    const started = Date.now();
    await box.fill(text);
    try {
      await page.waitForFunction(
        (name) => {
          const links = [...document.querySelectorAll('ul[aria-label="Chats"] a')];
          return links.length === 1 && links[0]!.getAttribute('aria-label')?.startsWith(name);
        },
        expected,
        { timeout: waitMs, polling: 20 },
      );
      return Date.now() - started;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}
