import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  buildTimeConfig,
  LOCAL_ANON_KEY,
  LOCAL_SUPABASE_URL,
  loadRuntimeConfig,
  parseRuntimeConfig,
  resetRuntimeConfig,
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
