/// <reference types="vite/client" />
// Which Supabase the app talks to, decided at run time, so one build serves any backend.
//
// Order: `/config.json` next to the app (written by whoever serves it: `npm start` and the
// e2e harness serve it from supabase/local/serve-app.ts) → when it cannot be reached at all
// (offline), the last config.json seen, kept in localStorage, so an offline reload uses the
// backend it used online → VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY baked in at build
// time (a static deployment against hosted Supabase) → the local backend of `npm run backend`.
//
// localStorage is a window API: in a worker, an offline start gets the build-time config.

export interface RuntimeConfig {
  supabaseUrl: string;
  anonKey: string;
}

/** The local stack's address (supabase/config.toml's api port). */
export const LOCAL_SUPABASE_URL = 'http://127.0.0.1:54321';
/**
 * The local anon key: the Supabase CLI's anon claims (role anon, expiring 2032) signed with
 * its well-known local JWT secret (supabase/local/config.ts), so any local stack that keeps
 * the default secret accepts it (tests/unit/runtime-config.test.ts checks).
 */
export const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

const STORAGE_KEY = 'pigeon:runtime-config';
/** A server that does not answer within this is treated as absent (a captive portal, lie-fi). */
const FETCH_TIMEOUT_MS = 3000;

/** The build-time fallback: VITE_ env values, else the local backend. */
export function buildTimeConfig(): RuntimeConfig {
  const env = viteEnv();
  return {
    supabaseUrl: stripSlash(env.VITE_SUPABASE_URL || LOCAL_SUPABASE_URL),
    anonKey: env.VITE_SUPABASE_ANON_KEY || LOCAL_ANON_KEY,
  };
}

/**
 * Vite's (and vitest's) import.meta.env; absent when plain Node runs this file (tsx). Written
 * out literally: Vite's build replaces the exact text `import.meta.env`.
 */
function viteEnv(): Partial<ImportMetaEnv> {
  const env: ImportMetaEnv | undefined = import.meta.env;
  return env ?? {};
}

/** Checks a parsed config.json; undefined when it is not a usable config. */
export function parseRuntimeConfig(value: unknown): RuntimeConfig | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { supabaseUrl, anonKey } = value as Record<string, unknown>;
  if (typeof supabaseUrl !== 'string' || typeof anonKey !== 'string' || !anonKey) return undefined;
  try {
    const url = new URL(supabaseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  } catch {
    return undefined;
  }
  return { supabaseUrl: stripSlash(supabaseUrl), anonKey };
}

/** config.json's answer: a config, a definite "none here", or no answer at all (offline). */
type Served = { config: RuntimeConfig } | 'absent' | 'unreachable';

async function fetchServed(): Promise<Served> {
  let res: Response;
  try {
    res = await fetch(new URL('config.json', baseUrl()), {
      cache: 'no-store',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    return 'unreachable'; // offline, or timed out
  }
  // Static hosts answer a missing file with 404, or with index.html (SPA rewrites).
  if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return 'absent';
  try {
    const config = parseRuntimeConfig(await res.json());
    return config ? { config } : 'absent';
  } catch {
    return 'absent';
  }
}

function baseUrl(): string {
  const base = viteEnv().BASE_URL || '/';
  return new URL(base, globalThis.location?.href ?? 'http://localhost/').href;
}

function remembered(): RuntimeConfig | undefined {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY);
    return raw ? parseRuntimeConfig(JSON.parse(raw)) : undefined;
  } catch {
    return undefined;
  }
}

function remember(config: RuntimeConfig): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(config));
  } catch {
    // Storage full or blocked: the next offline start falls back to the build-time config.
  }
}

function forget(): void {
  try {
    globalThis.localStorage?.removeItem(STORAGE_KEY);
  } catch {
    // Storage blocked: nothing was remembered either.
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

let pending: Promise<RuntimeConfig> | undefined;

/** The backend to use; fetched once per page and shared by every caller. */
export function loadRuntimeConfig(): Promise<RuntimeConfig> {
  pending ??= (async () => {
    const served = await fetchServed();
    if (typeof served === 'object') {
      remember(served.config);
      return served.config;
    }
    // Only with no answer at all: a server that says "no config" means the build's own (and
    // the one remembered no longer applies: a start must not use it before asking).
    if (served === 'absent') forget();
    return (served === 'unreachable' && remembered()) || buildTimeConfig();
  })();
  return pending;
}

/**
 * The config to start with at once: the one remembered from the last start, with
 * /config.json asked meanwhile (a cold open does not wait for a request to the server before
 * its first rows); `changed` is called when the server now names another backend (the page
 * starts again with it). Without one remembered, the start waits for loadRuntimeConfig.
 */
export async function startingConfig(changed: () => void): Promise<RuntimeConfig> {
  const known = remembered();
  if (!known) return loadRuntimeConfig();
  void loadRuntimeConfig().then((config) => {
    if (config.supabaseUrl !== known.supabaseUrl || config.anonKey !== known.anonKey) changed();
  });
  return known;
}

/** Forgets the memoised config (tests). */
export function resetRuntimeConfig(): void {
  pending = undefined;
}
