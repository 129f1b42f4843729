// Reading Cloud API webhooks into provider-neutral events, and their signatures.
import { describe, expect, test } from 'vitest';
import { readCloudWebhook, WebhookShapeError } from '../../supabase/functions/_shared/cloud-webhook.ts';
import { signWebhook, verifyWebhook } from '../../supabase/functions/_shared/webhook-signature.ts';

const PHONE_ID = '106540352242922';

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

describe('readCloudWebhook', () => {
  test('statuses: known kinds kept, a failure carries its reason, unknown kinds ignored', () => {
    const events = readCloudWebhook(
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
      PHONE_ID,
    );
    expect(events).toEqual({
      statuses: [
        { id: 'wamid.a', status: 'delivered' },
        { id: 'wamid.b', status: 'failed', error: 'Not on WhatsApp (code 131026)' },
      ],
      messages: [],
      ignored: 2,
    });
  });

  test('inbound text messages become E.164 senders; other types are ignored', () => {
    const events = readCloudWebhook(
      webhook({
        contacts: [{ profile: { name: 'Kerry' }, wa_id: '16315551181' }],
        messages: [
          {
            from: '16315551181',
            id: 'wamid.in1',
            timestamp: '1700000000',
            type: 'text',
            text: { body: 'Hi!' },
          },
          {
            from: '16315551181',
            id: 'wamid.in2',
            timestamp: '1700000000',
            type: 'image',
            image: { id: '1' },
          },
        ],
      }),
      PHONE_ID,
    );
    expect(events).toEqual({
      statuses: [],
      messages: [{ id: 'wamid.in1', from: '+16315551181', body: 'Hi!' }],
      ignored: 1,
    });
  });

  test('events of another phone number or another field are ignored', () => {
    const statuses = [{ id: 'wamid.a', status: 'read', timestamp: '1', recipient_id: '1' }];
    expect(readCloudWebhook(webhook({ statuses }, 'someone-else'), PHONE_ID)).toEqual({
      statuses: [],
      messages: [],
      ignored: 1,
    });
    expect(readCloudWebhook(webhook({ statuses }, PHONE_ID, 'account_update'), PHONE_ID).ignored).toBe(1);
  });

  test.each([
    [null, 'object "whatsapp_business_account"'],
    [{ object: 'page', entry: [] }, 'object "whatsapp_business_account"'],
    [{ object: 'whatsapp_business_account' }, 'entry must be an array'],
    [{ object: 'whatsapp_business_account', entry: [{}] }, 'entry[0].changes must be an array'],
    [
      { object: 'whatsapp_business_account', entry: [{ changes: [{ value: {} }] }] },
      'entry[0].changes[0].value.metadata',
    ],
  ])('a malformed envelope is refused, naming the part: %j', (payload, part) => {
    expect(() => readCloudWebhook(payload, PHONE_ID)).toThrow(WebhookShapeError);
    expect(() => readCloudWebhook(payload, PHONE_ID)).toThrow(part);
  });
});

describe('webhook signatures', () => {
  const secret = 'app-secret';
  const body = JSON.stringify(webhook({}));

  test('a signature made with the secret verifies; anything else does not', async () => {
    const signature = await signWebhook(secret, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await verifyWebhook(secret, body, signature)).toBe(true);
    expect(await verifyWebhook(secret, body, signature.toUpperCase().replace('SHA256=', 'sha256='))).toBe(
      true,
    );
    expect(await verifyWebhook('other', body, signature)).toBe(false);
    expect(await verifyWebhook(secret, `${body}\n`, signature)).toBe(false);
    for (const bad of [null, '', 'sha256=', signature.slice(0, -2), signature.replace('sha256=', 'sha1=')]) {
      expect(await verifyWebhook(secret, body, bad)).toBe(false);
    }
  });

  test('matches an HMAC-SHA256 computed independently', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    expect(await signWebhook(secret, body)).toBe(expected);
  });
});
