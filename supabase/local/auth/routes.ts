// /auth/v1: the GoTrue subset supabase-js's auth client uses, behind the apikey gate that
// Kong puts in front of GoTrue on hosted Supabase.

import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { LocalContext } from '../context.ts';
import { resolveCaller } from '../request-auth.ts';
import { getUser, logoutRoute, reauthenticateRoute, signup, token, updateOwnUser } from './account.ts';
import { createUser, deleteUser, getUserById, listUsers } from './admin.ts';
import { recover, verifyLink, verifyPost } from './email-flows.ts';
import { AuthError, errorResponse, unexpectedFailure } from './errors.ts';

/** The peer's address (the local stack is reached directly: no proxy header is trusted). */
function ip(c: Context): string {
  return getConnInfo(c).remote.address ?? 'unknown';
}

export function authRoutes(ctx: LocalContext): Hono {
  const app = new Hono();
  app.onError((err, c) => errorResponse(c.req.raw, err instanceof AuthError ? err : unexpectedFailure(err)));

  app.get('/health', (c) =>
    c.json({ version: 'local', name: 'GoTrue', description: 'Pigeon local GoTrue-compatible auth' }),
  );

  // Kong's answer, not GoTrue's: the request never reaches auth without a valid key, except
  // the mailed links (GET /verify), which Kong leaves open on hosted Supabase too.
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' && c.req.path.endsWith('/verify')) return next();
    const caller = await resolveCaller(c.req.raw, ctx.config);
    if (!caller.ok && (caller.error === 'no_apikey' || caller.error === 'bad_apikey')) {
      return c.json({ message: caller.message }, 401);
    }
    return next();
  });
  // ctx.config is final only once the server is bound, so the limit is read per request.
  app.use('*', (c, next) =>
    bodyLimit({
      maxSize: ctx.config.maxBodyBytes,
      onError: () => {
        throw new AuthError(
          413,
          'request_too_large',
          `Request body is larger than the limit of ${ctx.config.maxBodyBytes} bytes`,
        );
      },
    })(c, next),
  );

  app.get('/settings', (c) =>
    c.json({
      external: { email: true, phone: false, anonymous_users: false },
      disable_signup: false,
      mailer_autoconfirm: ctx.config.mailerAutoconfirm,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
    }),
  );
  app.post('/signup', (c) => signup(c.req.raw, ctx, ip(c)));
  app.post('/token', (c) => token(c.req.raw, ctx, ip(c)));
  app.post('/recover', (c) => recover(c.req.raw, ctx, ip(c)));
  app.post('/verify', (c) => verifyPost(c.req.raw, ctx, ip(c)));
  app.get('/verify', (c) => verifyLink(c.req.raw, ctx, ip(c)));
  app.get('/reauthenticate', (c) => reauthenticateRoute(c.req.raw, ctx));
  app.get('/user', (c) => getUser(c.req.raw, ctx));
  app.put('/user', (c) => updateOwnUser(c.req.raw, ctx));
  app.post('/logout', (c) => logoutRoute(c.req.raw, ctx));

  app.post('/admin/users', (c) => createUser(c.req.raw, ctx));
  app.get('/admin/users', (c) => listUsers(c.req.raw, ctx));
  app.get('/admin/users/:id', (c) => getUserById(c.req.raw, ctx, c.req.param('id')));
  app.delete('/admin/users/:id', (c) => deleteUser(c.req.raw, ctx, c.req.param('id')));
  return app;
}
