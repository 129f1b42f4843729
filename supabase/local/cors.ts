// CORS as Supabase's gateway answers it (any origin, exposing what supabase-js reads) while
// the stack listens on loopback only. Listening beyond loopback, only the origins listed
// (PIGEON_CORS_ORIGINS) and the app served beside the API on the same host may read answers.
// A private-network preflight (Chrome's Private Network Access: a page of a more public
// address asking to reach this one) is allowed for those origins and loopback pages only,
// and refused with a reason otherwise, so no public web page can drive a local stack.
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { LocalContext } from './context.ts';
import { hostnameOf, trusted } from './cors-policy.ts';
import { isLoopbackHost } from './loopback.ts';

const gatewayCors = (origin: (origin: string) => string | null) =>
  cors({
    origin,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: [
      'authorization',
      'x-client-info',
      'apikey',
      'content-type',
      'prefer',
      'range',
      'range-unit',
      'accept',
      'accept-profile',
      'content-profile',
      'x-supabase-api-version',
      'x-retry-count',
    ],
    exposeHeaders: ['content-range', 'content-location', 'location', 'x-supabase-api-version', 'retry-after'],
    maxAge: 3600,
  });

export function corsMiddleware(ctx: LocalContext): MiddlewareHandler {
  return async (c, next) => {
    const policy = ctx.config.cors;
    const origin = c.req.header('origin') ?? '';
    const host = c.req.header('host');
    const allowed = policy.anyOrigin || trusted(policy, origin, host);
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-private-network') === 'true') {
      const fromLoopback = isLoopbackHost(hostnameOf(origin) ?? '');
      if (!(fromLoopback || trusted(policy, origin, host))) {
        return c.json(
          {
            message: `Private network access from ${origin || 'a page with no origin'} is not allowed: list the origin in PIGEON_CORS_ORIGINS`,
          },
          403,
        );
      }
      c.header('access-control-allow-private-network', 'true');
    }
    const preflight = await gatewayCors((o) => (policy.anyOrigin ? '*' : allowed ? o : null))(c, next);
    if (preflight) return preflight;
    // A function answers with its own `*` (hosted Supabase passes it through): not here.
    if (!allowed) c.res.headers.delete('access-control-allow-origin');
  };
}
