// PLACEHOLDER: replaced by the rest implementation.
import { Hono } from 'hono';
import type { LocalContext } from '../server.ts';

export function restRoutes(_ctx: LocalContext): Hono {
  return new Hono();
}
