// The local Supabase-compatible HTTP surface: one Hono app for auth, rest and functions,
// plus the realtime websocket on the same port.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { authRoutes } from './auth/routes.ts';
import { type AuthRateLimits, type LocalConfig, makeConfig } from './config.ts';
import type { LocalContext } from './context.ts';
import { corsMiddleware } from './cors.ts';
import type { Database } from './db.ts';
import { functionRoutes, loadFunctions } from './functions.ts';
import { mailRoutes } from './mail-catcher.ts';
import { attachRealtime } from './realtime/server.ts';
import { restRoutes } from './rest/routes.ts';

export function createApp(ctx: LocalContext, functions: Awaited<ReturnType<typeof loadFunctions>>): Hono {
  const app = new Hono();
  app.use('*', corsMiddleware);
  app.route('/auth/v1', authRoutes(ctx));
  app.route('/rest/v1', restRoutes(ctx));
  app.route('/functions/v1', functionRoutes(ctx, functions));
  app.route('/', mailRoutes(ctx));
  app.get('/', (c) => c.json({ name: 'pigeon local supabase', ok: true }));
  app.notFound((c) => c.json({ message: 'no Route matched with those values' }, 404));
  return app;
}

export interface RunningServer {
  url: string;
  config: LocalConfig;
  close(): Promise<void>;
}

export async function listen(
  db: Database,
  opts: {
    port: number;
    host?: string;
    jwtSecret?: string;
    jwtExpiry?: number;
    maxBodyBytes?: number;
    siteUrl?: string;
    mailerAutoconfirm?: boolean;
    rateLimits?: Partial<AuthRateLimits>;
    /** Where edge functions live (tests mount fixtures); supabase/functions by default. */
    functionsDir?: string;
    configToml?: string;
  },
): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const functions = await loadFunctions(opts.functionsDir, opts.configToml);
  // The port may be 0 (tests): the real URL is known only once bound, so the app reads
  // the config through this holder.
  const holder: LocalContext = {
    db,
    config: await makeConfig({ apiUrl: `http://${host}:${opts.port}`, ...opts }),
  };
  // Plain HTTP/1.1 (no http2 option), so this is a node:http Server.
  const server = createAdaptorServer({ fetch: createApp(holder, functions).fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  holder.config = await makeConfig({ apiUrl: `http://${host}:${port}`, ...opts });
  const realtime = await attachRealtime(server, holder);
  return {
    url: holder.config.apiUrl,
    config: holder.config,
    async close() {
      await realtime.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
  };
}
