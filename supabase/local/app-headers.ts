// The security headers the app is served with (npm start's app server, and `vite preview`):
// a strict Content-Security-Policy — scripts, workers and the service worker from the app's
// own origin only, no inline script; network only to the app and the configured Supabase
// project (HTTP and its realtime websocket) — no framing, and no referrer beyond the origin.
// The same header reaches the service worker's script, so its replays obey it too.

/** The origins the app may connect to for a Supabase URL: HTTP(S) and its websocket twin. */
function supabaseSources(supabaseUrl: string | undefined): string[] {
  if (!supabaseUrl) return [];
  let url: URL;
  try {
    url = new URL(supabaseUrl);
  } catch {
    return [];
  }
  const ws = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return [url.origin, `${ws}//${url.host}`];
}

export function contentSecurityPolicy(supabaseUrl: string | undefined): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self'",
    // Solid sets dynamic styles (group colours, the virtual list's offsets) and index.html
    // styles its boot screen; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    // Chat pictures come from the providers' hosts; media is shown from blob: URLs.
    "img-src 'self' data: blob: https:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src ${["'self'", ...supabaseSources(supabaseUrl)].join(' ')}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function appSecurityHeaders(supabaseUrl: string | undefined): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(supabaseUrl),
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
}
