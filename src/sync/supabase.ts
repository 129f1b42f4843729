/**
 * The supabase-js client. URL and anon key come from the runtime config (runtime-config.ts:
 * VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY, defaulting to the local backend); tests in Node
 * pass them explicitly, with `realtime: { transport: ws }` since Node 20 has no WebSocket.
 */
import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import { buildTimeConfig } from './runtime-config.ts';

export interface SupabaseConnection {
  url?: string;
  anonKey?: string;
  options?: SupabaseClientOptions<'public'>;
}

export function createSupabaseClient(connection: SupabaseConnection = {}): SupabaseClient {
  const { url, anonKey } = resolveConnection(connection);
  return createClient(url, anonKey, connection.options);
}

/** The URL and key to use, the build-time ones filling in what is missing. */
export function resolveConnection(connection: SupabaseConnection): { url: string; anonKey: string } {
  // Only read when needed: outside Vite (plain Node) there is no import.meta.env.
  if (connection.url && connection.anonKey) return { url: connection.url, anonKey: connection.anonKey };
  const defaults = buildTimeConfig();
  return { url: connection.url || defaults.supabaseUrl, anonKey: connection.anonKey || defaults.anonKey };
}
