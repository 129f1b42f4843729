// A send command queued offline whose token expires before the network returns still goes
// out: the service worker replays it with a session it refreshes itself, with no tab open.
// Its own file: the backend here issues 3-second tokens.
import { expect, test } from 'vitest';
import { useE2E } from './harness.ts';
import {
  readyToWrite,
  sendMessage,
  sentTo,
  serverMessages,
  until,
  waitingToSend,
} from './messaging-steps.ts';

const e2e = useE2E({
  backend: {
    jwtExpiry: 3,
    simulator: { delays: { sent: 100, delivered: 300, read: null, reply: null } },
    outboxTimer: { intervalMs: 250 },
  },
});

test('a request queued with a token that expired before the replay still goes out', async () => {
  const context = await e2e.newContext();
  const { page } = await readyToWrite(e2e, context, '+44 7400 500002', 'Expired Eve');
  await context.setOffline(true);
  await page.getByRole('status', { name: 'Offline' }).waitFor();
  await sendMessage(page, 'Sent with an old token');
  await waitingToSend(page, 1);
  // Long enough for the token the request was queued with to expire.
  await new Promise((r) => setTimeout(r, 4_000));
  await page.close();
  await context.setOffline(false);
  await until(
    () => sentTo(e2e.backend, '447400500002').length,
    (n) => n === 1,
  );
  expect((await serverMessages(e2e.backend, '+447400500002')).map((m) => m.body)).toEqual([
    'Sent with an old token',
  ]);
});
