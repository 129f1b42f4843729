// Mounts supabase/functions/<name>/handler.ts at /functions/v1/<name>. Each handler module
// exports `createHandler(env)` returning a web-standard `(Request) => Promise<Response>`;
// the function's index.ts wraps the same module in Deno.serve for hosted Supabase.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import { BodyTooLargeError, readBodyWithin } from './body.ts';
import type { LocalConfig } from './config.ts';
import type { LocalContext } from './context.ts';
import { resolveCaller } from './request-auth.ts';

export type FunctionEnv = Record<string, string>;
export type FunctionHandler = (req: Request) => Promise<Response>;
export type HandlerFactory = (env: FunctionEnv) => FunctionHandler;

export interface LoadedFunction {
  name: string;
  /** From supabase/config.toml `[functions.<name>] verify_jwt`; true unless set false. */
  verifyJwt: boolean;
  create: HandlerFactory;
}

const FUNCTIONS_DIR = join(import.meta.dirname, '..', 'functions');
const CONFIG_TOML = join(import.meta.dirname, '..', 'config.toml');

/** The few config.toml lines the local stack honours: `[functions.x]` then `verify_jwt = false`. */
export function functionsWithoutJwt(toml: string): Set<string> {
  const off = new Set<string>();
  let section = '';
  for (const line of toml.split('\n')) {
    const header = line.match(/^\s*\[functions\.([\w-]+)\]/);
    if (header?.[1]) section = header[1];
    else if (/^\s*\[/.test(line)) section = '';
    else if (section && /^\s*verify_jwt\s*=\s*false\b/.test(line)) off.add(section);
  }
  return off;
}

export async function loadFunctions(
  dir = FUNCTIONS_DIR,
  configToml = CONFIG_TOML,
): Promise<LoadedFunction[]> {
  if (!existsSync(dir)) return [];
  const noJwt = existsSync(configToml) ? functionsWithoutJwt(await readFile(configToml, 'utf8')) : new Set();
  const entries = await readdir(dir, { withFileTypes: true });
  const loaded: LoadedFunction[] = [];
  for (const entry of entries) {
    const file = join(dir, entry.name, 'handler.ts');
    if (!entry.isDirectory() || entry.name.startsWith('_') || !existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { createHandler?: HandlerFactory };
    if (typeof mod.createHandler !== 'function') throw new Error(`${file} must export createHandler(env)`);
    loaded.push({ name: entry.name, verifyJwt: !noJwt.has(entry.name), create: mod.createHandler });
  }
  return loaded;
}

/** The environment hosted Supabase gives every edge function. */
export function functionEnv(config: LocalConfig): FunctionEnv {
  return {
    ...(process.env as FunctionEnv),
    SUPABASE_URL: config.apiUrl,
    SUPABASE_ANON_KEY: config.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: config.serviceRoleKey,
  };
}

/**
 * The request with its body read within the gateway's limit as it streams in (a handler's
 * own req.text() would buffer a chunked body whole before it could refuse it), or the 413.
 */
async function withinLimit(req: Request, limit: number): Promise<Request | Response> {
  try {
    const body = await readBodyWithin(req, limit);
    if (!body) return req;
    const headers = new Headers(req.headers);
    headers.delete('transfer-encoding');
    headers.delete('content-length');
    return new Request(req.url, { method: req.method, headers, body: body as BodyInit, signal: req.signal });
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    return Response.json({ code: 'PAYLOAD_TOO_LARGE', message: err.message }, { status: 413 });
  }
}

export function functionRoutes(ctx: LocalContext, functions: LoadedFunction[]): Hono {
  const app = new Hono();
  const handlers = new Map<string, { fn: LoadedFunction; handler?: FunctionHandler }>(
    functions.map((fn) => [fn.name, { fn }]),
  );
  app.all('/:name/*', (c) => dispatch(c.req.param('name'), c.req.raw));
  app.all('/:name', (c) => dispatch(c.req.param('name'), c.req.raw));

  async function dispatch(name: string, req: Request): Promise<Response> {
    const entry = handlers.get(name);
    if (!entry)
      return Response.json(
        { code: 'NOT_FOUND', message: 'Requested function was not found' },
        { status: 404 },
      );
    if (entry.fn.verifyJwt) {
      const caller = await resolveCaller(req, ctx.config, { requireApikey: false });
      if (!caller.ok) return Response.json({ code: 401, message: caller.message }, { status: 401 });
    }
    // Created lazily so the handler sees the final URL and keys.
    entry.handler ??= entry.fn.create(functionEnv(ctx.config));
    const limited = await withinLimit(req, ctx.config.maxBodyBytes);
    if (limited instanceof Response) return limited;
    try {
      return await entry.handler(limited);
    } catch (err) {
      console.error(`function ${name} failed:`, err);
      return Response.json({ code: 'WORKER_ERROR', message: 'Function failed' }, { status: 500 });
    }
  }
  return app;
}
