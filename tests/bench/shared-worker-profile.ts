// A CPU profile of the SharedWorkers a persistent context starts (the storage worker), through
// the browser's own DevTools endpoint: Playwright's CDP sessions reach pages only, and a
// SharedWorker belongs to no page. The context must be launched with SHARED_WORKER_PROFILE_ARGS;
// each SharedWorker is held at its start until its profiler runs, so its first task is in the
// profile. The .cpuprofile files open in Chrome DevTools' Performance panel.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CpuProfile, selfTimes } from './page-profile.ts';

/** Chromium flags that open the browser-level DevTools endpoint on a free port. */
export const SHARED_WORKER_PROFILE_ARGS = ['--remote-debugging-port=0'];

interface CdpMessage {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: {
    sessionId: string;
    targetInfo: { type: string; url: string };
    waitingForDebugger: boolean;
    type: string;
    args: { value?: unknown; description?: string }[];
  };
  result?: unknown;
  error?: { message: string };
}

/** Profiles every SharedWorker started from now on; `stop` writes one file per worker. */
export async function profileSharedWorkers(
  userDataDir: string,
  dir: string,
  name: string,
): Promise<{ stop(): Promise<{ file: string; top: string[] }[]> }> {
  const [port] = (await readFile(join(userDataDir, 'DevToolsActivePort'), 'utf8')).split('\n');
  const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as {
    webSocketDebuggerUrl: string;
  };
  const socket = new WebSocket(version.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let nextId = 1;
  const waiting = new Map<number, (message: CdpMessage) => void>();
  const send = (method: string, params: object = {}, sessionId?: string) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result)));
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const workers: string[] = [];
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as CdpMessage;
    if (message.id !== undefined) {
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
      return;
    }
    if (message.method === 'Runtime.consoleAPICalled' && message.params) {
      const text = message.params.args.map((arg) => String(arg.value ?? arg.description)).join(' ');
      console.log(`shared worker console.${message.params.type}: ${text}`);
      return;
    }
    // A worker that ended (a page it served closed) took its profile with it.
    if (message.method === 'Target.detachedFromTarget' && message.params) {
      const gone = workers.indexOf(message.params.sessionId);
      if (gone >= 0) workers.splice(gone, 1);
      return;
    }
    if (message.method !== 'Target.attachedToTarget' || !message.params) return;
    const { sessionId, targetInfo, waitingForDebugger } = message.params;
    void (async () => {
      if (targetInfo.type === 'shared_worker') {
        workers.push(sessionId);
        await send('Profiler.enable', {}, sessionId);
        await send('Profiler.setSamplingInterval', { interval: 100 }, sessionId);
        await send('Profiler.start', {}, sessionId);
        await send('Runtime.enable', {}, sessionId);
      }
      if (waitingForDebugger) await send('Runtime.runIfWaitingForDebugger', {}, sessionId);
    })();
  };
  await send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
  return {
    async stop() {
      const out: { file: string; top: string[] }[] = [];
      for (const [i, sessionId] of workers.entries()) {
        const { profile } = (await send('Profiler.stop', {}, sessionId)) as { profile: CpuProfile };
        const file = join(dir, `${name}-shared-worker-${i + 1}.cpuprofile`);
        await writeFile(file, JSON.stringify(profile));
        out.push({ file, top: selfTimes(profile, 20) });
      }
      socket.close();
      return out;
    },
  };
}
