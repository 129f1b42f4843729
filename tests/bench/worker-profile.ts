// A CPU profile of the dedicated workers a page starts, through the Chrome DevTools protocol:
// each worker is held at its start until its profiler runs, so its first task is in the profile.
// Playwright's CDP sessions reach pages only, so a worker is spoken to through its page's session
// (Target.sendMessageToTarget). The .cpuprofile files open in Chrome DevTools' Performance panel.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';

interface TargetMessage {
  id?: number;
  result?: unknown;
  error?: { message: string };
}

/** Starts profiling every worker `page` starts from now on; `stop` writes one file per worker. */
export async function profileWorkers(page: Page, dir: string): Promise<{ stop(): Promise<string[]> }> {
  const session = await page.context().newCDPSession(page);
  const workers: ((method: string, params?: object) => Promise<unknown>)[] = [];
  const waiting = new Map<string, Map<number, (message: TargetMessage) => void>>();
  let nextId = 1;

  session.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const parsed = JSON.parse(message) as TargetMessage;
    if (parsed.id === undefined) return;
    waiting.get(sessionId)?.get(parsed.id)?.(parsed);
    waiting.get(sessionId)?.delete(parsed.id);
  });
  session.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    if (targetInfo.type !== 'worker') return;
    waiting.set(sessionId, new Map());
    const send = (method: string, params: object = {}) =>
      sendToTarget(session, waiting.get(sessionId) ?? new Map(), sessionId, nextId++, method, params);
    workers.push(send);
    void (async () => {
      await send('Profiler.enable');
      await send('Profiler.setSamplingInterval', { interval: 100 });
      await send('Profiler.start');
      await send('Runtime.runIfWaitingForDebugger');
    })();
  });
  await session.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: true,
    flatten: false,
  });

  return {
    async stop() {
      const files: string[] = [];
      for (const [i, send] of workers.entries()) {
        const { profile } = (await send('Profiler.stop')) as { profile: unknown };
        const file = join(dir, `worker-${i + 1}.cpuprofile`);
        await writeFile(file, JSON.stringify(profile));
        files.push(file);
      }
      await session.detach();
      return files;
    },
  };
}

function sendToTarget(
  session: CDPSession,
  waiting: Map<number, (message: TargetMessage) => void>,
  sessionId: string,
  id: number,
  method: string,
  params: object,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    waiting.set(id, (message) =>
      message.error ? reject(new Error(message.error.message)) : resolve(message.result),
    );
    session
      .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
      .catch(reject);
  });
}
