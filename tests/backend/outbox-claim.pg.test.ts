// PostgreSQL only (PGlite has one connection, so claims cannot race there): several
// processors on their own connections drain the outbox, and FOR UPDATE SKIP LOCKED must
// hand each message to exactly one of them (DESIGN.md: the outbox).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Backend, startBackend } from './harness.ts';

const MESSAGES = 2000;
const PROCESSORS = 4;

let backend: Backend;

beforeAll(async () => {
  backend = await startBackend();
  const user = await backend.mintUser();
  const [ws] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [user.id],
  );
  // Seeded in bulk as superuser: 2,000 intake calls would test the intake, not the claim.
  await backend.db.query(
    `with channel as (
       insert into public.channels (workspace_id, name) values ($1, 'Bulk') returning id, workspace_id
     ), chat as (
       insert into public.chats (id, workspace_id, channel_id, wa_chat_id)
       select private.chat_id(id, '4915112345678@s.whatsapp.net'), workspace_id, id, '4915112345678@s.whatsapp.net'
       from channel
       returning id, workspace_id, channel_id
     ), msgs as (
       insert into public.messages (id, workspace_id, channel_id, chat_id, direction, phone, body)
       select gen_random_uuid(), chat.workspace_id, chat.channel_id, chat.id, 'out', '+4915112345678', 'bulk ' || n
       from chat, generate_series(1, $2::int) n
       returning id, workspace_id, channel_id
     )
     insert into public.outbox_messages (message_id, workspace_id, channel_id)
     select id, workspace_id, channel_id from msgs`,
    [ws!.workspace_id, MESSAGES],
  );
});
afterAll(() => backend?.close());

describe('concurrent processors', () => {
  test(`${PROCESSORS} processors draining ${MESSAGES} messages claim and complete each exactly once`, async () => {
    const clients = await Promise.all(
      Array.from({ length: PROCESSORS }, async () => {
        const c = new pg.Client({ connectionString: backend.databaseUrl });
        await c.connect();
        return c;
      }),
    );
    const claims: { worker: string; message_id: string }[] = [];
    const refused: string[] = [];
    const run = async (c: pg.Client, worker: string) => {
      for (;;) {
        const { rows } = await c.query<{ outbox_id: string; message_id: string }>(
          'select outbox_id, message_id from public.claim_outbox($1, 25)',
          [worker],
        );
        if (rows.length === 0) return;
        for (const r of rows) {
          claims.push({ worker, message_id: r.message_id });
          // The provider id is derived from the message so a double send would collide.
          const done = await c.query<{ ok: boolean }>('select public.complete_outbox($1, $2, $3) as ok', [
            r.outbox_id,
            worker,
            `wamid.${r.message_id}`,
          ]);
          if (!done.rows[0]!.ok) refused.push(r.message_id);
        }
      }
    };
    try {
      await Promise.all(clients.map((c, i) => run(c, `processor-${i}`)));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }

    expect(refused).toEqual([]);
    expect(claims).toHaveLength(MESSAGES);
    const perMessage = new Map<string, number>();
    for (const c of claims) perMessage.set(c.message_id, (perMessage.get(c.message_id) ?? 0) + 1);
    expect(perMessage.size).toBe(MESSAGES);
    expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
    // The work was shared, not taken by one connection while the others waited.
    expect(new Set(claims.map((c) => c.worker)).size).toBeGreaterThan(1);

    const status = await backend.db.query<{ outbox: string; message: string; n: number }>(
      `select o.status as outbox, m.status as message, count(*)::int as n
       from public.outbox_messages o join public.messages m on m.id = o.message_id
       group by 1, 2`,
    );
    expect(status).toEqual([{ outbox: 'sent', message: 'sent', n: MESSAGES }]);
    const [ids] = await backend.db.query<{ n: number }>(
      `select count(distinct wa_message_id)::int as n from public.messages where wa_message_id = 'wamid.' || id`,
    );
    expect(ids!.n).toBe(MESSAGES);
  });
});
