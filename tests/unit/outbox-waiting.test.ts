// What the header says waits in the service worker's outbox (issue 15 item 18): messages and
// campaign launches counted apart, from what each queued request carries.
import { describe, expect, test } from 'vitest';
import { queuedCommandsOf, waitingOf } from '../../src/sync/outbox-protocol.ts';
import { waitingToSendText } from '../../src/ui/text.ts';

const message = (id: string) => ({ message_id: id, channel_id: 'ch', to: '+447400123456', body: 'Hi' });
const chunkOf = (campaign: string, n: number) => ({
  commands: Array.from({ length: n }, (_, i) => ({ ...message(`${campaign}-${i}`), campaign_id: campaign })),
});

describe('the outbox queue as people count it', () => {
  test('a request of plain messages counts its messages; a launch chunk counts its campaign once', () => {
    expect(queuedCommandsOf({ commands: [message('a'), message('b')] })).toEqual({ messages: 2 });
    expect(queuedCommandsOf(chunkOf('c1', 500))).toEqual({ messages: 0, campaign: 'c1' });
    expect(queuedCommandsOf(null)).toEqual({ messages: 0 });
  });

  test('two messages and two chunks of one launch are 2 messages and 1 launch, not 4 messages', () => {
    const entries = [
      queuedCommandsOf({ commands: [message('a')] }),
      queuedCommandsOf(chunkOf('c1', 500)),
      queuedCommandsOf({ commands: [message('b')] }),
      queuedCommandsOf(chunkOf('c1', 12)),
    ];
    expect(waitingOf(entries)).toEqual({ messages: 2, launches: 1 });
    expect(waitingToSendText(waitingOf(entries))).toBe('2 messages and 1 campaign launch waiting to send');
    // An entry queued by an older worker, without its kind, still counts as a message.
    expect(waitingOf([{}, queuedCommandsOf(chunkOf('c2', 1))])).toEqual({ messages: 1, launches: 1 });
  });

  test('each kind is named only when something of it waits', () => {
    expect(waitingToSendText({ messages: 3, launches: 0 })).toBe('3 messages waiting to send');
    expect(waitingToSendText({ messages: 1, launches: 0 })).toBe('1 message waiting to send');
    expect(waitingToSendText({ messages: 0, launches: 2 })).toBe('2 campaign launches waiting to send');
    expect(waitingToSendText({ messages: 3, launches: 1 })).toBe(
      '3 messages and 1 campaign launch waiting to send',
    );
  });
});
