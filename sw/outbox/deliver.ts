// One try at sending a send-command request for its owner (the user who queued it), with
// that user's current session rather than the token it was queued with (which may have
// expired since). A 401 refreshes the session and tries once more. While another user (or
// nobody) is signed in, the request is parked: it is never sent with someone else's session.
import { type ReplayVerdict, replayVerdict } from '../../src/domain/command-replay.ts';
import { jwtSubject } from '../../src/domain/jwt-subject.ts';
import { within } from '../../src/sync/within.ts';
import { accessToken, type Project, refreshedAccessToken, signedInUser } from './session.ts';

declare const self: ServiceWorkerGlobalScope;

export interface Attempt {
  /** `parked`: its owner is not signed in on this device now; it was not sent. */
  verdict: ReplayVerdict | 'parked';
  /** The last answer; undefined when the network failed or nothing was sent. */
  response?: Response;
}

const FUNCTIONS_PATH = '/functions/v1/';

/** The project a request to its /functions/v1/ belongs to. */
export function projectOf(request: Request): Project {
  const at = request.url.indexOf(FUNCTIONS_PATH);
  return {
    supabaseUrl: at > 0 ? request.url.slice(0, at) : new URL(request.url).origin,
    anonKey: request.headers.get('apikey') ?? '',
  };
}

/**
 * The request as sent, with `token` if there is one, its body read out (a few kilobytes of
 * JSON): a body passed on as a stream is invisible to DevTools, and so to the e2e tests that
 * check whose token carried which messages.
 */
async function withToken(request: Request, token: string | undefined): Promise<Request> {
  const headers = new Headers(request.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return new Request(request.url, { method: request.method, headers, body: await request.clone().text() });
}

/**
 * How long to wait for a usable token. Offline, auth-js keeps retrying a refresh for a
 * while; the request should be queued at once instead.
 */
const TOKEN_WAIT_MS = 3_000;

/** A token fetched for `owner`: `parked` when it turned out to be another user's (a sign-in meanwhile). */
async function ownersToken(token: Promise<string | undefined>, owner: string) {
  const value = await within(token, TOKEN_WAIT_MS);
  return { token: value, parked: value !== undefined && jwtSubject(value) !== owner };
}

/** Sends `owner`'s `request` (left unread, so it can be queued after); a network failure is 'retry'. */
export async function deliver(request: Request, owner: string): Promise<Attempt> {
  // No network: queue it now rather than after a token refresh that cannot happen.
  if (!self.navigator.onLine) return { verdict: 'retry' };
  const project = projectOf(request);
  try {
    if ((await signedInUser(project)) !== owner) return { verdict: 'parked' };
    // No usable token yet (an offline refresh): the owner's own queued token is the only
    // one there is. Any other user's token never goes on the request.
    const current = await ownersToken(accessToken(project), owner);
    if (current.parked) return { verdict: 'parked' };
    let response = await fetch(await withToken(request, current.token));
    let verdict: Attempt['verdict'] = replayVerdict(response.status);
    if (verdict === 'refresh') {
      const fresh = await ownersToken(refreshedAccessToken(project), owner);
      if (fresh.parked) return { verdict: 'parked' };
      if (fresh.token) {
        response = await fetch(await withToken(request, fresh.token));
        verdict = replayVerdict(response.status);
      }
      // Still refused: the user must sign in again; the command waits for that, it is not
      // wrong in itself.
      if (verdict === 'refresh') verdict = 'retry';
    }
    return { verdict, response };
  } catch {
    return { verdict: 'retry' };
  }
}
