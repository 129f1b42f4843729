/**
 * Who is signed in, as the UI sees it.
 *
 * supabase-js keeps the session in storage (localStorage in the browser) and refreshes it.
 * What auth-js does when a refresh fails (checked in @supabase/auth-js 2.119):
 * - a network failure (AuthRetryableFetchError) keeps the stored session; getSession() then
 *   answers `null` for an expired token, but nothing is removed and no SIGNED_OUT is sent;
 * - a refusal (400/401 from /token) with the access token already expired removes the
 *   session and sends SIGNED_OUT.
 * So the user is remembered here too: an offline reload shows them signed in at once with
 * their local data, and a SIGNED_OUT this app did not ask for becomes `expired` (local data
 * kept, unpushed changes still waiting) until they sign in again.
 */
import { isAuthRetryableFetchError, type Session, type SupabaseClient } from '@supabase/supabase-js';
import { BehaviorSubject } from 'rxjs';
import type { Result } from '../domain/result.ts';

export interface SignedInUser {
  id: string;
  email: string;
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: string }
  /** expired: the refresh token was refused; local data stays until the user signs in again. */
  | { status: 'signed-in' | 'expired'; user: SignedInUser };

/** The part of the Web Storage API used here (localStorage in the browser). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A KeyValueStorage in memory: where there is no localStorage (Node), and in tests. */
export function memoryStorage(): KeyValueStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

const USER_KEY = 'pigeon:user';

interface RememberedUser {
  user: SignedInUser;
  expired: boolean;
}

export class SessionManager {
  readonly state$ = new BehaviorSubject<SessionState>({ status: 'loading' });
  // Set while this app signs out, so its own SIGNED_OUT is not taken for an expiry.
  private signingOut = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly client: SupabaseClient,
    private readonly storage: KeyValueStorage,
  ) {}

  /** Shows the remembered user at once (offline-first), then follows auth-js. */
  start(): void {
    const remembered = this.remembered();
    this.state$.next(
      remembered
        ? { status: remembered.expired ? 'expired' : 'signed-in', user: remembered.user }
        : { status: 'loading' },
    );
    const { data } = this.client.auth.onAuthStateChange((event, session) => {
      if (session) this.signedIn(session);
      else if (event === 'SIGNED_OUT') this.signedOut();
      // INITIAL_SESSION without a session: nobody, or an expired token that could not be
      // refreshed offline (auth-js keeps it; a refusal would come as SIGNED_OUT).
      else if (event === 'INITIAL_SESSION' && !this.remembered()) this.state$.next({ status: 'signed-out' });
    });
    this.unsubscribe = () => data.subscription.unsubscribe();
  }

  /**
   * Asks auth-js for a usable session now (it refreshes an expired token): on reconnect,
   * so the replication gets a fresh token without waiting for the next refresh tick.
   */
  async revalidate(): Promise<void> {
    const remembered = this.remembered();
    if (!remembered || remembered.expired) return;
    const { data, error } = await this.client.auth.getSession();
    if (data.session) this.signedIn(data.session);
    // No session and no network error: the stored session is gone (a refusal, or storage
    // cleared): the user has to sign in again.
    else if (!error || !isAuthRetryableFetchError(error)) this.signedOut();
  }

  async signIn(email: string, password: string): Promise<Result> {
    const { data, error } = await this.client.auth.signInWithPassword({ email: email.trim(), password });
    if (error || !data.session) return { ok: false, error: describeAuthError(error) };
    this.signedIn(data.session);
    return { ok: true, value: undefined };
  }

  /**
   * The workspace name and its starting settings (time zone, default country) go to the user
   * metadata, where the sign-up trigger reads them.
   */
  async signUp(
    email: string,
    password: string,
    workspaceName?: string,
    defaults: Readonly<Record<string, string>> = {},
  ): Promise<Result> {
    const name = workspaceName?.trim();
    const { data, error } = await this.client.auth.signUp({
      email: email.trim(),
      password,
      options: { data: { ...defaults, ...(name ? { workspace_name: name } : {}) } },
    });
    if (error) return { ok: false, error: describeAuthError(error) };
    if (data.session) this.signedIn(data.session);
    else
      this.state$.next({
        status: 'signed-out',
        reason: 'Check your email to confirm your account, then sign in.',
      });
    return { ok: true, value: undefined };
  }

  /** Ends the session on this device only (other devices of the user stay signed in). */
  async signOut(): Promise<void> {
    this.signingOut = true;
    // Forgotten first: another tab receiving the SIGNED_OUT broadcast must not take it for
    // an expiry.
    this.storage.removeItem(USER_KEY);
    try {
      // Offline, auth-js still removes the local session (the server call is best effort).
      await this.client.auth.signOut({ scope: 'local' });
    } finally {
      this.signingOut = false;
      this.state$.next({ status: 'signed-out' });
    }
  }

  dispose(): void {
    this.unsubscribe?.();
    this.state$.complete();
  }

  private signedIn(session: Session): void {
    const user = { id: session.user.id, email: session.user.email ?? '' };
    this.remember({ user, expired: false });
    const current = this.state$.value;
    if (current.status === 'signed-in' && current.user.id === user.id && current.user.email === user.email)
      return;
    this.state$.next({ status: 'signed-in', user });
  }

  private signedOut(): void {
    const remembered = this.remembered();
    if (this.signingOut || !remembered) {
      this.state$.next({ status: 'signed-out' });
      return;
    }
    this.remember({ ...remembered, expired: true });
    this.state$.next({ status: 'expired', user: remembered.user });
  }

  private remembered(): RememberedUser | undefined {
    const raw = this.storage.getItem(USER_KEY);
    if (!raw) return undefined;
    try {
      const value: unknown = JSON.parse(raw);
      return isRememberedUser(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private remember(value: RememberedUser): void {
    this.storage.setItem(USER_KEY, JSON.stringify(value));
  }
}

function isRememberedUser(value: unknown): value is RememberedUser {
  if (typeof value !== 'object' || value === null) return false;
  const { user, expired } = value as Record<string, unknown>;
  if (typeof expired !== 'boolean' || typeof user !== 'object' || user === null) return false;
  const { id, email } = user as Record<string, unknown>;
  return typeof id === 'string' && typeof email === 'string';
}

function describeAuthError(error: unknown): string {
  if (isAuthRetryableFetchError(error)) return "Can't reach the server. Check your connection and try again.";
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Please try again.';
}
