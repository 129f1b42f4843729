// A local HTTP server that records every request an adapter makes (method, path, query,
// headers, body) and answers each with the next canned answer: the provider's side of a
// contract test, speaking only what the test tells it to.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: unknown;
}

export interface CannedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  /** Answers the next requests with these, in order; then 404. */
  answer(...answers: CannedAnswer[]): void;
  close(): Promise<void>;
}

export async function recordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const answers: CannedAnswer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://provider');
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = body === '' ? null : JSON.parse(body);
      } catch {
        json = null;
      }
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        json,
      });
      const next = answers.shift() ?? { status: 404, body: { error: 'no canned answer' } };
      const raw = typeof next.body === 'string' ? next.body : JSON.stringify(next.body ?? null);
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (...more) => answers.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
