import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  buildTimeConfig,
  LOCAL_ANON_KEY,
  LOCAL_SUPABASE_URL,
  loadRuntimeConfig,
  parseRuntimeConfig,
  resetRuntimeConfig,
  startingConfig,
} from '../../src/sync/runtime-config.ts';
import { CLI_DEFAULT_JWT_SECRET } from '../../supabase/local/config.ts';
import { verifyJwt } from '../../supabase/local/jwt.ts';

class MemoryStorage {
  private map = new Map<string, string>();
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.map.set(k, v);
  }
  removeItem(k: string): void {
    this.map.delete(k);
  }
}

const served = { supabaseUrl: 'http://127.0.0.1:40001/', anonKey: 'served-key' };

function json(body: unknown, contentType = 'application/json'): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': contentType } });
}

describe('loadRuntimeConfig', () => {
  beforeEach(() => {
    resetRuntimeConfig();
    vi.stubGlobal('location', new URL('http://127.0.0.1:5173/contacts'));
    vi.stubGlobal('localStorage', new MemoryStorage());
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    resetRuntimeConfig();
  });

  it('uses /config.json next to the app, fetched once', async () => {
    const fetchMock = vi.fn(async () => json(served));
    vi.stubGlobal('fetch', fetchMock);
    const [a, b] = await Promise.all([loadRuntimeConfig(), loadRuntimeConfig()]);
    expect(a).toEqual({ supabaseUrl: 'http://127.0.0.1:40001', anonKey: 'served-key' });
    expect(b).toBe(a);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(String((fetchMock.mock.calls[0] as unknown[])[0])).toBe('http://127.0.0.1:5173/config.json');
  });

  it('offline, falls back to the last config.json seen', async () => {
    vi.stubGlobal('fetch', async () => json(served));
    await loadRuntimeConfig();
    resetRuntimeConfig();
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await loadRuntimeConfig()).toEqual({
      supabaseUrl: 'http://127.0.0.1:40001',
      anonKey: 'served-key',
    });
  });

  it('a server without config.json means the build-time config, even after one was seen', async () => {
    vi.stubGlobal('fetch', async () => json(served));
    await loadRuntimeConfig();
    resetRuntimeConfig();
    vi.stubGlobal('fetch', async () => new Response('not found', { status: 404 }));
    expect(await loadRuntimeConfig()).toEqual(buildTimeConfig());
  });

  it('a start uses the remembered config at once and is told when the server names another', async () => {
    const first = vi.fn();
    vi.stubGlobal('fetch', async () => json(served));
    // Nothing remembered: the start waits for config.json.
    expect(await startingConfig(first)).toEqual({
      supabaseUrl: 'http://127.0.0.1:40001',
      anonKey: 'served-key',
    });
    resetRuntimeConfig();
    let answer!: (r: Response) => void;
    vi.stubGlobal('fetch', () => new Promise<Response>((resolve) => (answer = resolve)));
    const changed = vi.fn();
    // Remembered: answered before config.json is.
    expect(await startingConfig(changed)).toEqual({
      supabaseUrl: 'http://127.0.0.1:40001',
      anonKey: 'served-key',
    });
    answer(json({ ...served, supabaseUrl: 'http://127.0.0.1:40002' }));
    await vi.waitFor(() => expect(changed).toHaveBeenCalledTimes(1));
    expect(first).not.toHaveBeenCalled();
    // The next start uses the new one; a server that no longer has config.json forgets it.
    resetRuntimeConfig();
    vi.stubGlobal('fetch', async () => new Response('not found', { status: 404 }));
    const again = vi.fn();
    expect((await startingConfig(again)).supabaseUrl).toBe('http://127.0.0.1:40002');
    await vi.waitFor(() => expect(again).toHaveBeenCalledTimes(1));
    resetRuntimeConfig();
    expect(await startingConfig(vi.fn())).toEqual(buildTimeConfig());
  });

  it('offline with nothing remembered, uses the build-time config', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await loadRuntimeConfig()).toEqual(buildTimeConfig());
  });

  it('without config.json (404, or an SPA rewrite to HTML), uses the build-time defaults', async () => {
    vi.stubGlobal('fetch', async () => new Response('not found', { status: 404 }));
    expect(await loadRuntimeConfig()).toEqual(buildTimeConfig());
    resetRuntimeConfig();
    vi.stubGlobal(
      'fetch',
      async () => new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }),
    );
    expect(await loadRuntimeConfig()).toEqual(buildTimeConfig());
  });

  it('ignores a malformed config.json', async () => {
    vi.stubGlobal('fetch', async () => json({ supabaseUrl: 'javascript:alert(1)', anonKey: 'x' }));
    expect(await loadRuntimeConfig()).toEqual(buildTimeConfig());
  });
});

describe('parseRuntimeConfig', () => {
  it('accepts http(s) URLs with a key, and nothing else', () => {
    expect(parseRuntimeConfig({ supabaseUrl: 'https://x.supabase.co', anonKey: 'k' })).toEqual({
      supabaseUrl: 'https://x.supabase.co',
      anonKey: 'k',
    });
    expect(parseRuntimeConfig({ supabaseUrl: 'not a url', anonKey: 'k' })).toBeUndefined();
    expect(parseRuntimeConfig({ supabaseUrl: 'https://x.supabase.co', anonKey: '' })).toBeUndefined();
    expect(parseRuntimeConfig(null)).toBeUndefined();
    expect(parseRuntimeConfig('x')).toBeUndefined();
  });
});

describe('buildTimeConfig', () => {
  it('is VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY, else the local backend', () => {
    vi.stubEnv('VITE_SUPABASE_URL', '');
    vi.stubEnv('VITE_SUPABASE_ANON_KEY', '');
    expect(buildTimeConfig()).toEqual({ supabaseUrl: LOCAL_SUPABASE_URL, anonKey: LOCAL_ANON_KEY });
    vi.stubEnv('VITE_SUPABASE_URL', 'https://abc.supabase.co/');
    vi.stubEnv('VITE_SUPABASE_ANON_KEY', 'hosted-key');
    expect(buildTimeConfig()).toEqual({ supabaseUrl: 'https://abc.supabase.co', anonKey: 'hosted-key' });
    vi.unstubAllEnvs();
  });
});

describe('LOCAL_ANON_KEY', () => {
  it('is an anon key the local stack accepts with its default secret', async () => {
    const result = await verifyJwt(LOCAL_ANON_KEY, CLI_DEFAULT_JWT_SECRET);
    expect(result.ok && result.claims.role).toBe('anon');
  });
});
