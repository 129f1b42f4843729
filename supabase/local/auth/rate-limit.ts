// Rate limits of the routes that guess or send (GoTrue answers 429 with Retry-After): the
// password grant per address (failed attempts) and per IP, sign-up and recovery per address
// and per IP, one mail per address per interval. Fixed windows kept in memory: one process
// serves the local stack.
import type { LocalContext } from '../context.ts';
import { AuthError } from './errors.ts';

interface Window {
  count: number;
  resetAt: number;
}

class Limiter {
  private readonly windows = new Map<string, Window>();

  private current(key: string, windowMs: number, now: number): Window {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.prune(now);
    }
    return w;
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }

  /** Refuses when `key` already used its `limit` in this window; counts this attempt when `count`. */
  check(key: string, limit: number, windowMs: number, opts: { count: boolean; code?: string }): void {
    const now = Date.now();
    const w = this.current(key, windowMs, now);
    if (w.count >= limit) {
      const seconds = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
      throw new AuthError(
        429,
        opts.code ?? 'over_request_rate_limit',
        `Too many requests: try again in ${seconds} seconds`,
        {},
        { 'Retry-After': String(seconds) },
      );
    }
    if (opts.count) w.count += 1;
  }

  count(key: string, windowMs: number): void {
    this.current(key, windowMs, Date.now()).count += 1;
  }
}

const limiters = new WeakMap<LocalContext, Limiter>();

function limiterOf(ctx: LocalContext): Limiter {
  let limiter = limiters.get(ctx);
  if (!limiter) {
    limiter = new Limiter();
    limiters.set(ctx, limiter);
  }
  return limiter;
}

export type LimitedRoute = 'token' | 'signup' | 'recover' | 'verify';

/** Counts a request from `ip` against the IP's budget (all limited routes together). */
export function limitIp(ctx: LocalContext, ip: string): void {
  const { perIp, windowSeconds } = ctx.config.rateLimits;
  limiterOf(ctx).check(`ip:${ip}`, perIp, windowSeconds * 1000, { count: true });
}

/**
 * The address's budget on a route. The password grant counts only failures (`countNow:
 * false`, then failedAttempt), but refuses once they are used up, even a right password.
 */
export function limitAddress(ctx: LocalContext, route: LimitedRoute, email: string, countNow = true): void {
  const { perAddress, windowSeconds } = ctx.config.rateLimits;
  limiterOf(ctx).check(`${route}:${email}`, perAddress, windowSeconds * 1000, { count: countNow });
}

export function failedAttempt(ctx: LocalContext, route: LimitedRoute, email: string): void {
  limiterOf(ctx).count(`${route}:${email}`, ctx.config.rateLimits.windowSeconds * 1000);
}

/** One mail per address per interval, known address or not (the answer reveals neither). */
export function limitMail(ctx: LocalContext, email: string): void {
  const seconds = ctx.config.rateLimits.mailIntervalSeconds;
  limiterOf(ctx).check(`mail:${email}`, 1, seconds * 1000, {
    count: true,
    code: 'over_email_send_rate_limit',
  });
}
