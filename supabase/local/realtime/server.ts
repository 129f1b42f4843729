// /realtime/v1/websocket: accepts websocket upgrades with an apikey (the gate Kong keeps on
// hosted Supabase), runs the Phoenix protocol per socket (connection.ts), and delivers
// database changes captured by triggers (capture.sql) as they are committed.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { LocalContext } from '../context.ts';
import { callerFromToken } from '../request-auth.ts';
import { ensureCaptured, installCapture, WAKE_CHANNEL } from './capture.ts';
import { rolesBypassingRls } from './catalog.ts';
import { Connection } from './connection.ts';
import { Hub } from './hub.ts';
import { DEFAULT_VSN, SUPPORTED_VSNS, type Vsn } from './protocol.ts';
import { ChangePump } from './pump.ts';

export const REALTIME_PATH = '/realtime/v1/websocket';

export interface RealtimeOptions {
  /** A socket that sends nothing (not even a heartbeat) for this long is dropped. */
  idleTimeoutMs?: number;
  /** How often the queue is checked without a wake-up. */
  pollIntervalMs?: number;
  /** Largest accepted frame. */
  maxFrameBytes?: number;
}

function refuse(socket: Duplex, status: number, statusText: string, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function attachRealtime(
  server: Server,
  ctx: LocalContext,
  options: RealtimeOptions = {},
): Promise<{ close(): Promise<void> }> {
  // realtime-js heartbeats every 25 s; Phoenix drops a socket silent for 60 s.
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  await installCapture(ctx.db);
  for (const [table, reason] of await ensureCaptured(ctx.db)) {
    console.warn(`realtime: changes of ${table} will not be delivered: ${reason}`);
  }
  const hub = new Hub(ctx, await rolesBypassingRls(ctx.db));
  const pump = new ChangePump(ctx.db, hub);
  const unlisten = await ctx.db.listen(WAKE_CHANNEL, () => pump.wake());
  const poll = setInterval(() => pump.wake(), options.pollIntervalMs ?? 2_000).unref();
  const connections = new Map<WebSocket, Connection>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 1024 * 1024 });

  const idle = setInterval(
    () => {
      const cutoff = Date.now() - idleTimeoutMs;
      for (const [ws, conn] of connections) if (conn.lastSeen < cutoff) ws.terminate();
    },
    Math.min(idleTimeoutMs / 2, 10_000),
  ).unref();

  async function accept(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const header = req.headers.apikey;
    const apikey = url.searchParams.get('apikey') ?? (typeof header === 'string' ? header : undefined);
    if (!apikey) return refuse(socket, 401, 'Unauthorized', 'No API key found in request');
    const caller = await callerFromToken(apikey, ctx.config);
    if (!caller.ok) return refuse(socket, 401, 'Unauthorized', 'Invalid API key');
    const vsn = url.searchParams.get('vsn') ?? DEFAULT_VSN;
    if (!SUPPORTED_VSNS.includes(vsn as Vsn)) {
      return refuse(
        socket,
        400,
        'Bad Request',
        `Unsupported vsn "${vsn}": use ${SUPPORTED_VSNS.join(' or ')}`,
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ws, hub, vsn as Vsn, apikey);
      connections.set(ws, conn);
      ws.on('message', (data, isBinary) => {
        const bytes = Buffer.isBuffer(data)
          ? data
          : Array.isArray(data)
            ? Buffer.concat(data)
            : Buffer.from(data);
        conn.receive(bytes, isBinary);
      });
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        connections.delete(ws);
        conn.closed();
      });
    });
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.replace(/\/$/, '') !== REALTIME_PATH) {
      if (server.listenerCount('upgrade') === 1)
        refuse(socket, 404, 'Not Found', 'no Route matched with those values');
      return;
    }
    socket.on('error', () => socket.destroy());
    accept(req, socket, head, url).catch((err) => {
      console.error('realtime: upgrade failed:', err);
      socket.destroy();
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    async close() {
      server.off('upgrade', onUpgrade);
      clearInterval(poll);
      clearInterval(idle);
      for (const ws of connections.keys()) ws.close(1001, 'server shutting down');
      // Give close frames a moment to go out, then cut whatever is left.
      await new Promise((resolve) => setTimeout(resolve, connections.size ? 100 : 0));
      for (const ws of connections.keys()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await pump.stop();
      await unlisten();
    },
  };
}
