// One HTTP call to a provider, bounded in time (body included: a provider may stall after
// the headers), with the answer read as JSON when it is JSON. A call that gets no answer is
// `unanswered`, with the reason for people; it never throws.
export interface ProviderAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body; null when the body is empty or not JSON (a proxy's error page). */
  body: unknown;
}

export type ProviderCall = ProviderAnswer | { unanswered: string };

export async function callProvider(url: string, init: RequestInit, timeoutMs: number): Promise<ProviderCall> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON: the status alone decides.
    }
    return { status: res.status, headers: res.headers, body };
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return { unanswered: `no answer from the provider within ${timeoutMs} ms` };
    }
    return { unanswered: `could not reach the provider: ${(err as Error).message}` };
  }
}

/** A media download: the provider's response, streamed; or why there is none. */
export async function fetchProviderStream(
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response | { unanswered: string }> {
  try {
    // The timeout bounds the wait for the headers; the body then streams at the reader's pace.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await fetch(url, { ...init, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    return { unanswered: `could not reach the provider: ${(err as Error).message}` };
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
