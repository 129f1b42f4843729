// The outbox intake: POST {commands: [{message_id, channel_id, to, body, contact_id?, contact_name?,
// template?: {id, body_parameters?, header_parameters?}}]} (a template: an approved one
// synced from Meta, sent as such; 20261202100500_provider_templates.sql).
// Request-level problems (method, JSON, shape, batch size) are answered here; each command
// is checked and written by the enqueue_messages RPC, called with the caller's own token so
// that the database decides membership (auth.uid()) and a replay is a no-op. Plain fetch
// to /rest/v1 rather than supabase-js: one call needs no client, and supabase-js insists on
// a WebSocket implementation that Node 20 (the local stack) lacks.
// The service worker replays a queued request until it gets a definite answer: 200
// (per-item results), 4xx (dropped, reason shown) or anything else (kept and retried).
import { CORS_HEADERS, json, problem } from '../_shared/http.ts';

export const MAX_COMMANDS = 500;
// 500 bodies of 4096 characters at up to 4 UTF-8 bytes each, plus ids and JSON framing.
const MAX_BODY_BYTES = 9_000_000;

export type CommandStatus = 'queued' | 'duplicate' | 'rejected';
export interface CommandResult {
  message_id: string | null;
  status: CommandStatus;
  error?: string;
}

export function createHandler(env: Record<string, string>) {
  const url = env.SUPABASE_URL;
  const anonKey = env.SUPABASE_ANON_KEY;
  if (!url || !anonKey) throw new Error('outbox: SUPABASE_URL and SUPABASE_ANON_KEY must be set');

  return async (req: Request): Promise<Response> => {
    if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS_HEADERS });
    if (req.method !== 'POST') return json({ error: 'use POST' }, 405, { allow: 'POST, OPTIONS' });

    const authorization = req.headers.get('authorization');
    if (!authorization?.startsWith('Bearer ')) return problem(401, 'a signed-in user token is required');

    const declared = Number(req.headers.get('content-length') ?? 0);
    if (declared > MAX_BODY_BYTES) return problem(413, `the request body exceeds ${MAX_BODY_BYTES} bytes`);
    const text = await req.text();
    if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) {
      return problem(413, `the request body exceeds ${MAX_BODY_BYTES} bytes`);
    }

    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return problem(400, 'the request body is not valid JSON');
    }
    const commands = (payload as { commands?: unknown } | null)?.commands;
    if (typeof payload !== 'object' || payload === null || !Array.isArray(commands)) {
      return problem(400, 'the request body must be {"commands": [...]}');
    }
    if (commands.length < 1 || commands.length > MAX_COMMANDS) {
      return problem(400, `a batch holds 1 to ${MAX_COMMANDS} commands, got ${commands.length}`);
    }

    const res = await fetch(`${url}/rest/v1/rpc/enqueue_messages`, {
      method: 'POST',
      headers: { apikey: anonKey, authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ p_commands: commands }),
    });
    const answer = (await res.json().catch(() => null)) as { message?: string } | null;
    if (res.ok) return json(answer as { results: CommandResult[] }, 200);
    const reason = answer?.message ?? res.statusText;
    // 401: an expired or revoked token, which the client refreshes before replaying.
    if (res.status === 400 || res.status === 401 || res.status === 403) return problem(res.status, reason);
    // Anything else is the server's trouble: a 5xx keeps the request queued for a retry.
    return problem(502, `the database could not take the batch: ${reason}`);
  };
}
