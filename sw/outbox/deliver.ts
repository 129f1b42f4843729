// One try at sending a send-command request, with the session's current token rather than
// the one it was queued with (which may have expired since). A 401 refreshes the session
// and tries once more.
import { type ReplayVerdict, replayVerdict } from '../../src/domain/command-replay.ts';
import { within } from '../../src/sync/within.ts';
import { accessToken, type Project, refreshedAccessToken } from './session.ts';

declare const self: ServiceWorkerGlobalScope;

export interface Attempt {
  verdict: ReplayVerdict;
  /** The last answer; undefined when the network failed. */
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

function withToken(request: Request, token: string | undefined): Request {
  const headers = new Headers(request.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return new Request(request.clone(), { headers });
}

/**
 * How long to wait for a usable token. Offline, auth-js keeps retrying a refresh for a
 * while; the request should be queued at once instead.
 */
const TOKEN_WAIT_MS = 3_000;

/** Sends `request` (left unread, so it can be queued after); a network failure is 'retry'. */
export async function deliver(request: Request): Promise<Attempt> {
  // No network: queue it now rather than after a token refresh that cannot happen.
  if (!self.navigator.onLine) return { verdict: 'retry' };
  const project = projectOf(request);
  try {
    // No stored session (signed out, or a refresh already refused): the queued token is
    // the only one there is.
    const token = await within(accessToken(project), TOKEN_WAIT_MS);
    let response = await fetch(withToken(request, token));
    let verdict = replayVerdict(response.status);
    if (verdict === 'refresh') {
      const fresh = await within(refreshedAccessToken(project), TOKEN_WAIT_MS);
      if (fresh) {
        response = await fetch(withToken(request, fresh));
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
