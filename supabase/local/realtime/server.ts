// PLACEHOLDER: replaced by the realtime implementation.
import type { Server } from 'node:http';
import type { LocalContext } from '../server.ts';

export async function attachRealtime(
  _server: Server,
  _ctx: LocalContext,
): Promise<{ close(): Promise<void> }> {
  return { close: async () => {} };
}
