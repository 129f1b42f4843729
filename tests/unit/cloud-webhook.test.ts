// Reading WhatsApp Cloud API webhooks into channel events, with payloads shaped as Meta's
// webhook reference shows them (messages of every type, statuses, edits, revokes,
// reactions, account and quality updates), and their X-Hub-Signature-256.
import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { WebhookShapeError } from '../../supabase/functions/_shared/channel-events.ts';
import { readCloudWebhook } from '../../supabase/functions/_shared/cloud-webhook.ts';
import { signWebhook, verifyWebhook } from '../../supabase/functions/_shared/webhook-signature.ts';

const PHONE_ID = '106540352242922';
const NUMBER = { phoneNumberId: PHONE_ID, phone: '+15550783881' };
const CUSTOMER = '16315551181';

function webhook(value: Record<string, unknown>, phoneNumberId = PHONE_ID, field = 'messages') {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** A customer's message of one type, with the contacts block Meta sends beside it. */
function inbound(message: Record<string, unknown>) {
  return webhook({
    contacts: [{ profile: { name: 'Kerry Fisher' }, wa_id: CUSTOMER }],
    messages: [{ from: CUSTOMER, id: 'wamid.in', timestamp: '1700000000', ...message }],
  });
}

const read = (payload: unknown) => readCloudWebhook(payload, NUMBER);
const message = (fields: Record<string, unknown>) => ({
  kind: 'message',
  id: 'wamid.in',
  direction: 'in',
  phone: `+${CUSTOMER}`,
  sender_name: 'Kerry Fisher',
  ...fields,
});

describe('messages of every type', () => {
  test('text', () => {
    expect(read(inbound({ type: 'text', text: { body: 'Hi!' } }))).toEqual({
      events: [message({ type: 'text', body: 'Hi!' })],
      ignored: {},
    });
  });

  test.each([
    ['image', { caption: 'The broken part', mime_type: 'image/jpeg', sha256: 'h', id: '1037543291543636' }],
    ['video', { caption: 'Unboxing', mime_type: 'video/mp4', sha256: 'h', id: '1037543291543637' }],
    ['audio', { mime_type: 'audio/ogg; codecs=opus', sha256: 'h', id: '1037543291543638', voice: true }],
    [
      'document',
      {
        caption: 'Invoice',
        filename: 'invoice.pdf',
        mime_type: 'application/pdf',
        sha256: 'h',
        id: '1037543291543639',
      },
    ],
    ['sticker', { mime_type: 'image/webp', sha256: 'h', id: '1037543291543640', animated: false }],
  ])('%s: a placeholder with caption, MIME type and media id', (type, media) => {
    const { events } = read(inbound({ type, [type]: media }));
    expect(events).toEqual([
      message({
        type,
        body: (media as { caption?: string }).caption ?? '',
        media: {
          id: media.id,
          mime_type: media.mime_type,
          ...((media as { filename?: string }).filename ? { file_name: 'invoice.pdf' } : {}),
        },
      }),
    ]);
  });

  test('location', () => {
    const location = {
      latitude: 38.9,
      longitude: -77.03,
      name: 'Office',
      address: '1 Main St',
      url: 'https://x.example',
    };
    expect(read(inbound({ type: 'location', location })).events).toEqual([
      message({ type: 'location', body: '', details: location }),
    ]);
  });

  test('contacts', () => {
    const contacts = [
      {
        name: { formatted_name: 'Ada Lovelace', first_name: 'Ada' },
        phones: [{ phone: '+44 7700 900123', wa_id: '447700900123', type: 'CELL' }],
      },
    ];
    expect(read(inbound({ type: 'contacts', contacts })).events).toEqual([
      message({
        type: 'contacts',
        body: '',
        details: { contacts: [{ name: 'Ada Lovelace', phones: ['+44 7700 900123'] }] },
      }),
    ]);
  });

  test('interactive replies: button and list', () => {
    expect(
      read(
        inbound({
          type: 'interactive',
          interactive: { type: 'button_reply', button_reply: { id: 'yes-1', title: 'Yes' } },
        }),
      ).events,
    ).toEqual([message({ type: 'interactive', body: 'Yes', details: { reply_id: 'yes-1' } })]);
    expect(
      read(
        inbound({
          type: 'interactive',
          interactive: {
            type: 'list_reply',
            list_reply: { id: 'row-2', title: 'Tuesday', description: 'Afternoon' },
          },
        }),
      ).events,
    ).toEqual([
      message({
        type: 'interactive',
        body: 'Tuesday',
        details: { reply_id: 'row-2', description: 'Afternoon' },
      }),
    ]);
  });

  test("a template's quick-reply button", () => {
    expect(
      read(inbound({ type: 'button', button: { payload: 'STOP_PROMOS', text: 'Stop promotions' } })).events,
    ).toEqual([message({ type: 'button', body: 'Stop promotions', details: { payload: 'STOP_PROMOS' } })]);
  });

  test('reactions, edits and revokes are about another message', () => {
    expect(
      read(inbound({ type: 'reaction', reaction: { message_id: 'wamid.out1', emoji: '👍' } })).events,
    ).toEqual([{ kind: 'reaction', id: 'wamid.out1', emoji: '👍' }]);
    // A reaction taken back comes without an emoji.
    expect(read(inbound({ type: 'reaction', reaction: { message_id: 'wamid.out1' } })).events).toEqual([
      { kind: 'reaction', id: 'wamid.out1', emoji: '' },
    ]);
    expect(
      read(
        inbound({
          type: 'edit',
          edit: { original_message_id: 'wamid.in0', message: { type: 'text', text: { body: 'Fixed' } } },
        }),
      ).events,
    ).toEqual([{ kind: 'edit', id: 'wamid.in0', body: 'Fixed' }]);
    expect(
      read(
        inbound({
          type: 'edit',
          edit: {
            original_message_id: 'wamid.in0',
            message: { type: 'image', image: { id: '1', caption: 'New caption' } },
          },
        }),
      ).events,
    ).toEqual([{ kind: 'edit', id: 'wamid.in0', body: 'New caption' }]);
    expect(read(inbound({ type: 'revoke', revoke: { original_message_id: 'wamid.in0' } })).events).toEqual([
      { kind: 'revoke', id: 'wamid.in0' },
    ]);
  });

  test('types Pigeon does not store are counted, not refused', () => {
    const unsupported = inbound({
      type: 'unsupported',
      errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }],
    });
    expect(read(unsupported)).toEqual({ events: [], ignored: { 'message:unsupported': 1 } });
    expect(read(inbound({ type: 'order', order: { catalog_id: '1' } })).ignored).toEqual({
      'message:order': 1,
    });
  });
});

describe('statuses', () => {
  test('known kinds kept, a failure carries its reason, unknown kinds counted', () => {
    const reading = read(
      webhook({
        statuses: [
          { id: 'wamid.a', status: 'delivered', timestamp: '1700000000', recipient_id: '4915112345678' },
          {
            id: 'wamid.b',
            status: 'failed',
            timestamp: '1700000000',
            recipient_id: '4915112345678',
            errors: [
              { code: 131026, title: 'Message undeliverable', error_data: { details: 'Not on WhatsApp' } },
            ],
          },
          { id: 'wamid.c', status: 'deleted', timestamp: '1700000000', recipient_id: '1' },
          { status: 'read' },
        ],
      }),
    );
    expect(reading).toEqual({
      events: [
        { kind: 'status', id: 'wamid.a', status: 'delivered' },
        { kind: 'status', id: 'wamid.b', status: 'failed', error: 'Not on WhatsApp (code 131026)' },
      ],
      ignored: { 'status:deleted': 1, 'status:read': 1 },
    });
  });

  test('a failure outside the 24-hour window tells to send a template', () => {
    const reading = read(
      webhook({
        statuses: [
          {
            id: 'wamid.w',
            status: 'failed',
            timestamp: '1',
            recipient_id: '1',
            errors: [
              { code: 131047, title: 'Re-engagement message', error_data: { details: 'More than 24 hours' } },
            ],
          },
        ],
      }),
    );
    expect((reading.events[0] as { error: string }).error).toMatch(
      /send an approved template instead.*code 131047/,
    );
  });
});

describe('the number and other fields', () => {
  test("another number's events are counted, not applied", () => {
    const statuses = [{ id: 'wamid.a', status: 'read', timestamp: '1', recipient_id: '1' }];
    expect(read(webhook({ statuses }, 'someone-else'))).toEqual({
      events: [],
      ignored: { 'other-number': 1 },
    });
  });

  test('account_update: disabled disconnects, reconnected connects; other events are counted', () => {
    const account = (event: string, phone = '15550783881') => ({
      object: 'whatsapp_business_account',
      entry: [
        { id: '1', time: 1, changes: [{ field: 'account_update', value: { phone_number: phone, event } }] },
      ],
    });
    expect(read(account('DISABLED_UPDATE')).events).toEqual([
      { kind: 'channel', status: 'disconnected', reason: 'Meta reported DISABLED_UPDATE for the number' },
    ]);
    expect(read(account('ACCOUNT_RECONNECTED')).events).toEqual([{ kind: 'channel', status: 'connected' }]);
    expect(read(account('VERIFIED_ACCOUNT')).ignored).toEqual({ 'account_update:VERIFIED_ACCOUNT': 1 });
    expect(read(account('DISABLED_UPDATE', '15550000001')).events).toEqual([]);
  });

  test('phone_number_quality_update: flagged is a low rating, unflagged a high one', () => {
    const quality = (event: string) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          time: 1,
          changes: [
            {
              field: 'phone_number_quality_update',
              value: { display_phone_number: '15550783881', event, current_limit: 'TIER_10K' },
            },
          ],
        },
      ],
    });
    expect(read(quality('FLAGGED')).events).toEqual([{ kind: 'channel', quality_rating: 'RED' }]);
    expect(read(quality('UNFLAGGED')).events).toEqual([{ kind: 'channel', quality_rating: 'GREEN' }]);
    expect(read(quality('UPGRADE')).ignored).toEqual({ 'phone_number_quality_update:UPGRADE': 1 });
  });

  test('fields Pigeon does not read are counted', () => {
    expect(read(webhook({}, PHONE_ID, 'message_template_status_update')).ignored).toEqual({
      'field:message_template_status_update': 1,
    });
  });

  test.each([
    [null, 'object "whatsapp_business_account"'],
    [{ object: 'page', entry: [] }, 'object "whatsapp_business_account"'],
    [{ object: 'whatsapp_business_account' }, 'entry must be an array'],
    [{ object: 'whatsapp_business_account', entry: [{}] }, 'entry[0].changes must be an array'],
    [
      { object: 'whatsapp_business_account', entry: [{ changes: [{}] }] },
      'entry[0].changes[0].value is missing',
    ],
    [
      { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: {} }] }] },
      'entry[0].changes[0].value.metadata',
    ],
  ])('a malformed envelope is refused, naming the part: %j', (payload, part) => {
    expect(() => read(payload)).toThrow(WebhookShapeError);
    expect(() => read(payload)).toThrow(part);
  });
});

describe('X-Hub-Signature-256', () => {
  const secret = 'app-secret';
  const bytes = (text: string) => new TextEncoder().encode(text);
  const body = JSON.stringify(webhook({}));

  test('valid: a signature of the raw bytes under the app secret', async () => {
    const signature = await signWebhook(secret, body);
    expect(signature).toBe(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    expect(await verifyWebhook(secret, bytes(body), signature)).toBe(true);
    expect(
      await verifyWebhook(secret, bytes(body), signature.toUpperCase().replace('SHA256=', 'sha256=')),
    ).toBe(true);
  });

  test('over the bytes as received: the same JSON re-encoded does not verify', async () => {
    // "é" escaped and unescaped: equal JSON, different bytes.
    const raw = '{"text":"caf\\u00e9"}';
    const signature = await signWebhook(secret, bytes(raw));
    expect(await verifyWebhook(secret, bytes(raw), signature)).toBe(true);
    expect(await verifyWebhook(secret, bytes(JSON.stringify(JSON.parse(raw))), signature)).toBe(false);
  });

  test('missing, forged, malformed, or replayed with a different body: refused', async () => {
    const signature = await signWebhook(secret, body);
    expect(await verifyWebhook(secret, bytes(body), null)).toBe(false);
    expect(await verifyWebhook(secret, bytes(body), await signWebhook('not-the-secret', body))).toBe(false);
    expect(await verifyWebhook(secret, bytes(`${body}\n`), signature)).toBe(false);
    for (const bad of ['', 'sha256=', signature.slice(0, -2), signature.replace('sha256=', 'sha1=')]) {
      expect(await verifyWebhook(secret, bytes(body), bad)).toBe(false);
    }
    // A channel without a secret verifies nothing.
    expect(await verifyWebhook('', bytes(body), signature)).toBe(false);
  });
});
