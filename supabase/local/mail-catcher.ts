// The mail catcher, as the Supabase CLI's Inbucket: every mail the stack sends (auth flows,
// invitations) is kept in private.outgoing_mail and shown at /_mail (HTML, newest first) and
// /_mail.json (`?to=<address>` filters). Served only on a loopback address: the mails carry
// sign-in links.
import { Hono } from 'hono';
import type { LocalContext } from './context.ts';
import type { Queryable } from './db.ts';
import { isLoopbackHost } from './loopback.ts';

export interface CaughtMail {
  id: number;
  to: string;
  subject: string;
  body: string;
  kind: string;
  created_at: string;
}

export async function caughtMails(
  q: Queryable,
  opts: { to?: string; afterId?: number } = {},
): Promise<CaughtMail[]> {
  return q.query<CaughtMail & Record<string, unknown>>(
    `select id::int as id, to_email as "to", subject, body, kind, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at
     from private.outgoing_mail
     where ($1::text is null or lower(to_email) = lower($1)) and id > $2
     order by id desc limit 200`,
    [opts.to ?? null, opts.afterId ?? 0],
  );
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Links in a mail's text become clickable; everything else is escaped. */
function linkify(text: string): string {
  return escapeHtml(text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
}

function page(mails: CaughtMail[]): string {
  const items = mails
    .map(
      (m) => `<article><h2>${escapeHtml(m.subject)}</h2>
<p class="meta">To ${escapeHtml(m.to)} · ${escapeHtml(m.kind)} · ${escapeHtml(m.created_at)}</p>
<pre>${linkify(m.body)}</pre></article>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pigeon mail catcher</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>:root{color-scheme:light dark}body{font:15px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}
article{border:1px solid #8884;border-radius:8px;padding:0 1rem;margin:1rem 0}.meta{color:#888}
pre{white-space:pre-wrap;overflow-wrap:anywhere}h2{font-size:1.1rem}</style></head>
<body><h1>Mail sent by the local stack</h1><p>${mails.length} mail(s), newest first. JSON: <a href="/_mail.json">/_mail.json</a></p>
${items || '<p>No mail yet.</p>'}</body></html>`;
}

export function mailRoutes(ctx: LocalContext): Hono {
  const app = new Hono();
  const hidden = () =>
    isLoopbackHost(new URL(ctx.config.apiUrl).hostname)
      ? undefined
      : Response.json({ message: 'the mail catcher is served on loopback only' }, { status: 404 });
  app.get('/_mail', async (c) => hidden() ?? c.html(page(await caughtMails(ctx.db))));
  app.get(
    '/_mail.json',
    async (c) => hidden() ?? c.json(await caughtMails(ctx.db, { to: c.req.query('to') })),
  );
  return app;
}

/** Calls `onMail` for each mail sent from now on (npm start prints them), polling once a second. */
export function watchMail(q: Queryable, onMail: (mail: CaughtMail) => void): () => void {
  let lastId: number | undefined;
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      if (lastId === undefined) {
        const [row] = await q.query<{ id: number }>(
          'select coalesce(max(id), 0)::int as id from private.outgoing_mail',
        );
        lastId = row?.id ?? 0;
        return;
      }
      const mails = await caughtMails(q, { afterId: lastId });
      for (const mail of mails.reverse()) {
        lastId = mail.id;
        onMail(mail);
      }
    } catch (err) {
      console.error('mail catcher: could not read the mails:', err instanceof Error ? err.message : err);
    } finally {
      busy = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), 1000);
  return () => clearInterval(timer);
}
