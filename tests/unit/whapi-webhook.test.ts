// Reading Whapi.cloud webhooks into channel events, with payloads shaped as Whapi's API
// reference documents them: messages of every type, the business's own (from_me),
// actions (reactions, edits, deletes), message updates and removals, statuses, chats and
// the channel's health.
import { describe, expect, test } from 'vitest';
import { WebhookShapeError } from '../../supabase/functions/_shared/channel-events.ts';
import { readWhapiWebhook } from '../../supabase/functions/_shared/whapi-webhook.ts';

const CUSTOMER = '4915112345678';
const CHAT = `${CUSTOMER}@s.whatsapp.net`;

function delivery(type: string, event: string, content: Record<string, unknown>) {
  return { ...content, event: { type, event }, channel_id: 'MANTIS-M72HC' };
}

function incoming(message: Record<string, unknown>, fromMe = false) {
  return delivery('messages', 'post', {
    messages: [
      {
        id: 'Kx2B9aQ7-Lm1pR',
        from_me: fromMe,
        chat_id: CHAT,
        timestamp: 1726658279,
        source: 'mobile',
        from: fromMe ? '14155550100' : CUSTOMER,
        from_name: fromMe ? 'Shop' : 'Ada',
        ...message,
      },
    ],
  });
}

const message = (fields: Record<string, unknown>) => ({
  kind: 'message',
  id: 'Kx2B9aQ7-Lm1pR',
  direction: 'in',
  phone: `+${CUSTOMER}`,
  sender_name: 'Ada',
  ...fields,
});

describe('messages of every type', () => {
  test('text and link previews', () => {
    expect(readWhapiWebhook(incoming({ type: 'text', text: { body: 'Hello' } }))).toEqual({
      events: [message({ type: 'text', body: 'Hello' })],
      ignored: {},
    });
    expect(
      readWhapiWebhook(
        incoming({
          type: 'link_preview',
          link_preview: { body: 'See https://x.example', url: 'https://x.example' },
        }),
      ).events,
    ).toEqual([message({ type: 'text', body: 'See https://x.example' })]);
  });

  test.each([
    [
      'image',
      'image',
      { id: 'jpeg-3b1c', mime_type: 'image/jpeg', file_size: 1024, caption: 'Broken', timestamp: 1 },
    ],
    ['video', 'video', { id: 'mp4-3b1c', mime_type: 'video/mp4', file_size: 1024, timestamp: 1 }],
    ['gif', 'video', { id: 'mp4-gif', mime_type: 'video/mp4', file_size: 1024, timestamp: 1 }],
    ['audio', 'audio', { id: 'oga-1', mime_type: 'audio/ogg', file_size: 1024, timestamp: 1 }],
    ['voice', 'audio', { id: 'oga-2', mime_type: 'audio/ogg; codecs=opus', file_size: 1024, timestamp: 1 }],
    [
      'document',
      'document',
      {
        id: 'pdf-1',
        mime_type: 'application/pdf',
        file_size: 1024,
        file_name: 'invoice.pdf',
        caption: 'Invoice',
        timestamp: 1,
      },
    ],
    ['sticker', 'sticker', { id: 'webp-1', mime_type: 'image/webp', file_size: 1024, timestamp: 1 }],
  ])('%s: stored as a %s placeholder', (type, kind, media) => {
    expect(readWhapiWebhook(incoming({ type, [type]: media })).events).toEqual([
      message({
        type: kind,
        body: (media as { caption?: string }).caption ?? '',
        media: {
          id: media.id,
          mime_type: media.mime_type,
          ...((media as { file_name?: string }).file_name ? { file_name: 'invoice.pdf' } : {}),
        },
      }),
    ]);
  });

  test('location, contact and contact list', () => {
    expect(
      readWhapiWebhook(
        incoming({ type: 'location', location: { latitude: 52.5, longitude: 13.4, address: 'Berlin' } }),
      ).events,
    ).toEqual([
      message({
        type: 'location',
        body: '',
        details: { latitude: 52.5, longitude: 13.4, address: 'Berlin', name: undefined, url: undefined },
      }),
    ]);
    const vcard = 'BEGIN:VCARD\nFN:Grace\nTEL:+14155550102\nEND:VCARD';
    expect(readWhapiWebhook(incoming({ type: 'contact', contact: { name: 'Grace', vcard } })).events).toEqual(
      [message({ type: 'contacts', body: '', details: { contacts: [{ name: 'Grace', vcard }] } })],
    );
    expect(
      readWhapiWebhook(
        incoming({
          type: 'contact_list',
          contact_list: {
            list: [
              { name: 'Grace', vcard },
              { name: 'Alan', vcard },
            ],
          },
        }),
      ).events,
    ).toEqual([
      message({
        type: 'contacts',
        body: '',
        details: {
          contacts: [
            { name: 'Grace', vcard },
            { name: 'Alan', vcard },
          ],
        },
      }),
    ]);
  });

  test('a button reply', () => {
    expect(
      readWhapiWebhook(
        incoming({
          type: 'reply',
          reply: { type: 'buttons_reply', buttons_reply: { id: 'ButtonsV3:yes', title: 'Yes' } },
        }),
      ).events,
    ).toEqual([message({ type: 'interactive', body: 'Yes', details: { reply_id: 'ButtonsV3:yes' } })]);
  });

  test("the business's own message typed on the phone is outbound; Pigeon's own API sends are not recorded again", () => {
    expect(readWhapiWebhook(incoming({ type: 'text', text: { body: 'On my way' } }, true)).events).toEqual([
      {
        kind: 'message',
        id: 'Kx2B9aQ7-Lm1pR',
        direction: 'out',
        phone: `+${CUSTOMER}`,
        type: 'text',
        body: 'On my way',
      },
    ]);
    expect(readWhapiWebhook(incoming({ type: 'text', text: { body: 'x' }, source: 'api' }, true))).toEqual({
      events: [],
      ignored: { 'message:own-send': 1 },
    });
  });

  test('actions: reactions, edits and deletes about another message', () => {
    const action = (a: Record<string, unknown>, fromMe = false) =>
      incoming({ type: 'action', action: a }, fromMe);
    expect(readWhapiWebhook(action({ type: 'reaction', target: 'Out-1', emoji: '❤️' })).events).toEqual([
      { kind: 'reaction', id: 'Out-1', emoji: '❤️' },
    ]);
    expect(readWhapiWebhook(action({ type: 'reaction', target: 'In-1', emoji: '👍' }, true)).ignored).toEqual(
      {
        'action:reaction:from_me': 1,
      },
    );
    expect(
      readWhapiWebhook(
        action({ type: 'edit', target: 'In-1', edited_type: 'text', edited_content: { body: 'Fixed' } }),
      ).events,
    ).toEqual([{ kind: 'edit', id: 'In-1', body: 'Fixed' }]);
    expect(readWhapiWebhook(action({ type: 'delete', target: 'In-1' })).events).toEqual([
      { kind: 'revoke', id: 'In-1' },
    ]);
    expect(readWhapiWebhook(action({ type: 'vote', target: 'Poll-1', votes: ['a'] })).ignored).toEqual({
      'action:vote': 1,
    });
  });

  test('message updates and removals', () => {
    expect(
      readWhapiWebhook(
        delivery('messages', 'patch', {
          messages_updates: [
            {
              id: 'In-1',
              before_update: { type: 'text', text: { body: 'Helo' } },
              after_update: { type: 'text', text: { body: 'Hello' } },
              changes: ['text'],
            },
          ],
        }),
      ).events,
    ).toEqual([{ kind: 'edit', id: 'In-1', body: 'Hello' }]);
    expect(
      readWhapiWebhook(delivery('messages', 'delete', { messages_removed: ['In-1', 'In-2'] })).events,
    ).toEqual([
      { kind: 'revoke', id: 'In-1' },
      { kind: 'revoke', id: 'In-2' },
    ]);
  });

  test('groups and kinds Pigeon does not route are counted', () => {
    expect(
      readWhapiWebhook(incoming({ type: 'text', text: { body: 'x' }, chat_id: '120363@g.us' })).ignored,
    ).toEqual({
      'message:not-a-personal-chat': 1,
    });
    expect(readWhapiWebhook(incoming({ type: 'poll', poll: { title: 'Lunch?' } })).ignored).toEqual({
      'message:poll': 1,
    });
    expect(readWhapiWebhook(delivery('contacts', 'patch', { contacts_updates: [{}, {}] })).ignored).toEqual({
      'contacts:contacts_updates': 2,
    });
  });
});

describe('statuses, chats and the channel', () => {
  test('statuses: played counts as read, a failure carries its reason, pending is counted', () => {
    const status = (s: string, extra: Record<string, unknown> = {}) => ({
      id: 'Out-1',
      code: 3,
      status: s,
      recipient_id: CHAT,
      timestamp: '1700000000',
      ...extra,
    });
    expect(
      readWhapiWebhook(
        delivery('statuses', 'post', {
          statuses: [
            status('delivered'),
            status('played'),
            status('failed', {
              errors: [{ code: 1006, message: 'Message failed', details: 'Recipient not on WhatsApp' }],
            }),
            status('pending'),
          ],
        }),
      ),
    ).toEqual({
      events: [
        { kind: 'status', id: 'Out-1', status: 'delivered' },
        { kind: 'status', id: 'Out-1', status: 'read' },
        { kind: 'status', id: 'Out-1', status: 'failed', error: 'Recipient not on WhatsApp (code 1006)' },
      ],
      ignored: { 'status:pending': 1 },
    });
  });

  test('chats: name and picture of a personal chat', () => {
    expect(
      readWhapiWebhook(
        delivery('chats', 'post', {
          chats: [{ id: CHAT, type: 'contact', name: 'Ada', chat_pic: 'https://pps.example/a.jpg' }],
        }),
      ).events,
    ).toEqual([
      { kind: 'chat', phone: `+${CUSTOMER}`, name: 'Ada', picture_url: 'https://pps.example/a.jpg' },
    ]);
    expect(
      readWhapiWebhook(
        delivery('chats', 'patch', {
          chats_updates: [{ after_update: { id: CHAT, name: 'Ada L.' }, changes: ['name'] }],
        }),
      ).events,
    ).toEqual([{ kind: 'chat', phone: `+${CUSTOMER}`, name: 'Ada L.' }]);
  });

  test("the channel's health: AUTH connects, QR disconnects, LAUNCH is counted", () => {
    const health = (text: string) => delivery('channel', 'post', { health: { status: { code: 4, text } } });
    expect(readWhapiWebhook(health('AUTH')).events).toEqual([{ kind: 'channel', status: 'connected' }]);
    expect(readWhapiWebhook(health('QR')).events).toMatchObject([
      { kind: 'channel', status: 'disconnected' },
    ]);
    expect(readWhapiWebhook(health('LAUNCH')).ignored).toEqual({ 'channel:LAUNCH': 1 });
  });

  test.each([
    [null, 'event.type'],
    [{ messages: [] }, 'event.type'],
    [{ event: { type: 'messages', event: 'post' }, messages: {} }, 'messages must be an array'],
  ])('a body that is not a Whapi webhook is refused: %j', (payload, part) => {
    expect(() => readWhapiWebhook(payload)).toThrow(WebhookShapeError);
    expect(() => readWhapiWebhook(payload)).toThrow(part);
  });
});
