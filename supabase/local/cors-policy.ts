// Which web origins the local stack trusts: any while it listens on loopback only, else the
// origins listed and the app served beside the API on the same host (applied in cors.ts).
import { isLoopbackHost } from './loopback.ts';

export interface CorsPolicy {
  /** Answer `*` (loopback development); otherwise only `origins` and the same host. */
  anyOrigin: boolean;
  origins: readonly string[];
}

export function corsPolicy(apiUrl: string, origins: readonly string[] | undefined): CorsPolicy {
  return { anyOrigin: !origins && isLoopbackHost(hostnameOf(apiUrl) ?? ''), origins: origins ?? [] };
}

export function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** An origin this stack trusts by name: listed, or the same host as the API it calls. */
export function trusted(policy: CorsPolicy, origin: string, requestHost: string | undefined): boolean {
  if (policy.origins.includes(origin)) return true;
  const host = hostnameOf(origin);
  return host !== undefined && host === hostnameOf(`http://${requestHost ?? ''}`);
}
