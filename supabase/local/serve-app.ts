// Serves the built app (vite build's dist/) beside the local backend: static files with
// their content types, the SPA fallback to index.html for client-side routes, and
// `/config.json`, the runtime config that tells the app which backend to use (see
// src/sync/runtime-config.ts), so one build serves any backend. Used by `npm start` and the e2e
// tests; a production deployment can use any static host.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { appSecurityHeaders } from './app-headers.ts';

export interface AppRuntimeConfig {
  supabaseUrl: string;
  anonKey: string;
}

export interface AppServerOptions {
  /** The built app (vite build's outDir). */
  dir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Served as /config.json; a function is asked on every request. */
  runtimeConfig?: AppRuntimeConfig | (() => AppRuntimeConfig);
}

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Vite's hashed output: a changed file gets a new name, so it may be cached for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, sw.js, the manifest, icons): revalidated on every use. */
const REVALIDATE = 'no-cache';

export async function serveApp(opts: AppServerOptions): Promise<AppServer> {
  const root = resolve(opts.dir);
  const index = join(root, 'index.html');
  if (!(await isFile(index)))
    throw new Error(`serveApp: ${index} is missing; build the app first (npm run build)`);
  const host = opts.host ?? '127.0.0.1';

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error');
      else res.destroy();
      console.error('serve-app:', err);
    });
  });

  const runtimeConfig = (): AppRuntimeConfig | undefined =>
    typeof opts.runtimeConfig === 'function' ? opts.runtimeConfig() : opts.runtimeConfig;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(appSecurityHeaders(runtimeConfig()?.supabaseUrl)))
      res.setHeader(name, value);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
    }
    const pathname = decodedPath(req.url ?? '/');
    if (pathname === undefined) return send(res, 400, 'text/plain; charset=utf-8', 'bad path');

    const config = runtimeConfig();
    if (pathname === '/config.json' && config) {
      res.setHeader('cache-control', 'no-store');
      return send(res, 200, CONTENT_TYPES['.json']!, JSON.stringify(config), req.method === 'HEAD');
    }

    const file = resolve(root, `.${pathname}`);
    if (file !== root && !file.startsWith(root + sep))
      return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    if (await isFile(file)) return sendFile(req, res, file, pathname);
    const indexOfDir = join(file, 'index.html');
    if (pathname.endsWith('/') && (await isFile(indexOfDir))) return sendFile(req, res, indexOfDir, pathname);
    // A client-side route (no file extension): the app shell, whose router shows the page.
    if (!extname(pathname)) return sendFile(req, res, index, '/index.html');
    return send(res, 404, 'text/plain; charset=utf-8', 'not found');
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  pathname: string,
): Promise<void> {
  const info = await stat(file);
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  res.setHeader('cache-control', pathname.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
  res.setHeader('etag', etag);
  res.setHeader('last-modified', info.mtime.toUTCString());
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('content-type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('content-length', info.size);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((done, fail) => {
    const stream = createReadStream(file);
    stream.once('error', fail);
    res.once('close', () => done());
    stream.pipe(res);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string, headOnly = false): void {
  const bytes = Buffer.from(body);
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('content-length', bytes.length);
  if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'no-store');
  res.end(headOnly ? undefined : bytes);
}

/** The request's path, percent-decoded; undefined when it cannot name a file safely. */
function decodedPath(rawUrl: string): string | undefined {
  try {
    const pathname = decodeURIComponent(new URL(rawUrl, 'http://app.invalid').pathname);
    return pathname.includes('\0') ? undefined : pathname;
  } catch {
    return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export interface BuildAppOptions {
  /** Where the build goes (default: dist/ in the project). */
  outDir?: string;
  /** Extra environment for the build, e.g. VITE_SUPABASE_URL. */
  env?: Record<string, string>;
  /** Show vite's output (default true). */
  verbose?: boolean;
  /** Minify (default true); a profiling bench turns it off so function names read. */
  minify?: boolean;
}

export const projectRoot = resolve(import.meta.dirname, '..', '..');

/** Runs `vite build` (in a child process, so a test run or the server stays lean). */
export async function buildApp(opts: BuildAppOptions = {}): Promise<{ outDir: string; ms: number }> {
  const outDir = resolve(opts.outDir ?? join(projectRoot, 'dist'));
  const vite = join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const started = performance.now();
  const output: Buffer[] = [];
  const verbose = opts.verbose ?? true;
  // A production build whatever the caller's environment: under vitest NODE_ENV is `test`,
  // which would make import.meta.env.PROD false (and so skip the service worker).
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env, NODE_ENV: 'production' };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        vite,
        'build',
        '--outDir',
        outDir,
        '--emptyOutDir',
        ...(opts.minify === false ? ['--minify', 'false'] : []),
      ],
      {
        cwd: projectRoot,
        env,
        stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (d: Buffer) => output.push(d));
    child.stderr?.on('data', (d: Buffer) => output.push(d));
    child.once('error', fail);
    child.once('exit', (c) => done(c));
  });
  if (code !== 0) {
    throw new Error(
      `vite build failed (exit ${code})${verbose ? '' : `:\n${Buffer.concat(output).toString()}`}`,
    );
  }
  return { outDir, ms: Math.round(performance.now() - started) };
}
