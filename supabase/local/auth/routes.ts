// PLACEHOLDER: replaced by the auth implementation.
import { Hono } from 'hono';
import type { LocalContext } from '../server.ts';

export function authRoutes(_ctx: LocalContext): Hono {
  return new Hono();
}
