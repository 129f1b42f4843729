// The signed-in session, as the service worker reaches it: auth-js over the IndexedDB store
// the page uses (src/sync/auth-storage.ts), under auth-js's own Web Lock, so a refresh here
// and one in an open tab never spend the same refresh token. With no tab open, this is the
// only way a command queued with a since-expired token can still go out.
import { GoTrueClient, navigatorLock } from '@supabase/supabase-js';
import { jwtSubject } from '../../src/domain/jwt-subject.ts';
import { authStorageKey, indexedDbAuthStorage } from '../../src/sync/auth-storage.ts';

/** A Supabase project, as a queued request names it (its URL and apikey header). */
export interface Project {
  supabaseUrl: string;
  anonKey: string;
}

const clients = new Map<string, GoTrueClient>();

function authFor({ supabaseUrl, anonKey }: Project): GoTrueClient {
  let client = clients.get(supabaseUrl);
  if (!client) {
    client = new GoTrueClient({
      url: `${supabaseUrl}/auth/v1`,
      headers: { apikey: anonKey, authorization: `Bearer ${anonKey}` },
      storageKey: authStorageKey(supabaseUrl),
      storage: indexedDbAuthStorage(),
      persistSession: true,
      // Refreshing is done on demand, when a command needs a token.
      autoRefreshToken: false,
      detectSessionInUrl: false,
      // auth-js picks the Web Lock only where there is a window; the worker must take the
      // same lock as the tabs.
      lock: navigatorLock,
    });
    clients.set(supabaseUrl, client);
  }
  return client;
}

/**
 * Who is signed in on this device now, read from the stored session without refreshing it
 * (offline too): the subject of its access token, even an expired one. Undefined when nobody is.
 */
export async function signedInUser({ supabaseUrl }: Project): Promise<string | undefined> {
  const raw = await indexedDbAuthStorage().getItem(authStorageKey(supabaseUrl));
  if (!raw) return undefined;
  try {
    return jwtSubject((JSON.parse(raw) as { access_token?: string } | null)?.access_token);
  } catch {
    return undefined;
  }
}

/** A usable access token (auth-js refreshes one about to expire); undefined when there is none. */
export async function accessToken(project: Project): Promise<string | undefined> {
  const { data } = await authFor(project).getSession();
  return data.session?.access_token;
}

/** A new access token after the server refused the current one; undefined when refused too. */
export async function refreshedAccessToken(project: Project): Promise<string | undefined> {
  const { data } = await authFor(project).refreshSession();
  return data.session?.access_token;
}
