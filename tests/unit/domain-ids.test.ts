import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { campaignMessageId, chatId, contactId } from '../../src/domain/ids.ts';

const V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const workspace = '3f2b8c1e-4d5a-4e6f-9a7b-8c9d0e1f2a3b';
const otherWorkspace = '9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4';
const phone = '+447400123456';

// An independent RFC 4122 section 4.3 implementation (SHA-1 of namespace bytes + name bytes).
function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('contactId', () => {
  it('is a v5 uuid, the same every time for the same workspace and phone', () => {
    const id = contactId(workspace, phone);
    expect(id).toMatch(V5);
    expect(contactId(workspace, phone)).toBe(id);
  });

  it('is RFC 4122 v5 of "<workspace>:<phone>" in the contact namespace, so stored ids never move', () => {
    // Rows everywhere hold ids made this way (and SQL's uuid_generate_v5 can make them too): if
    // the namespace or the name changes, every contact imported again becomes a duplicate.
    expect(contactId(workspace, phone)).toBe(
      uuidV5('e75d4b1f-ff79-42b1-bb30-868dd9e5e702', `${workspace}:${phone}`),
    );
  });

  it('ignores the case of the workspace id', () => {
    expect(contactId(workspace.toUpperCase(), phone)).toBe(contactId(workspace, phone));
  });

  it('differs across workspaces and phones', () => {
    const ids = new Set([
      contactId(workspace, phone),
      contactId(otherWorkspace, phone),
      contactId(workspace, '+447400123457'),
      contactId(otherWorkspace, '+447400123457'),
    ]);
    expect(ids.size).toBe(4);
  });

  it('differs for many random workspaces', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => contactId(randomUUID(), phone)));
    expect(ids.size).toBe(1000);
  });

  it.each(['07400 123456', '+44 7400 123456', '447400123456', '+0447400123456', ''])(
    'throws on the non-E.164 phone %j',
    (bad) => {
      expect(() => contactId(workspace, bad)).toThrow(TypeError);
    },
  );

  it('throws on a workspace id that is not a uuid', () => {
    expect(() => contactId('workspace-1', phone)).toThrow(/workspaceId must be a uuid/);
    expect(() => contactId('', phone)).toThrow(TypeError);
  });
});

describe('chatId', () => {
  const channel = '0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e';

  it('is a v5 uuid, deterministic, case-insensitive in the channel id', () => {
    const id = chatId(channel, '447400123456@s.whatsapp.net');
    expect(id).toMatch(V5);
    expect(chatId(channel, '447400123456@s.whatsapp.net')).toBe(id);
    expect(chatId(channel.toUpperCase(), '447400123456@s.whatsapp.net')).toBe(id);
  });

  it('is RFC 4122 v5 of "<channel>:<chat>" in the chat namespace', () => {
    expect(chatId(channel, '120363025246125486@g.us')).toBe(
      uuidV5('597a5c32-6f2e-49b7-82ac-894b612eae9a', `${channel}:120363025246125486@g.us`),
    );
  });

  it('differs across channels and chats', () => {
    const other = randomUUID();
    const ids = new Set([
      chatId(channel, '447400123456@s.whatsapp.net'),
      chatId(other, '447400123456@s.whatsapp.net'),
      chatId(channel, '120363025246125486@g.us'),
    ]);
    expect(ids.size).toBe(3);
  });

  it('never collides with a contact id made from the same strings', () => {
    expect(chatId(workspace, phone)).not.toBe(contactId(workspace, phone));
  });

  it('throws on a bad channel id or an empty or spaced chat id', () => {
    expect(() => chatId('channel', '447400123456@s.whatsapp.net')).toThrow(/channelId must be a uuid/);
    expect(() => chatId(channel, '')).toThrow(TypeError);
    expect(() => chatId(channel, '447400123456 @s.whatsapp.net')).toThrow(TypeError);
  });
});

describe('campaignMessageId', () => {
  const campaign = 'a1b2c3d4-e5f6-4789-8abc-def012345678';
  const contact = contactId(workspace, phone);

  it('is a v5 uuid, the same on every replay, case-insensitive in both ids', () => {
    const id = campaignMessageId(campaign, contact);
    expect(id).toMatch(V5);
    expect(campaignMessageId(campaign, contact)).toBe(id);
    expect(campaignMessageId(campaign.toUpperCase(), contact.toUpperCase())).toBe(id);
  });

  it('is RFC 4122 v5 of "<campaign>:<contact>" in the campaign message namespace', () => {
    expect(campaignMessageId(campaign, contact)).toBe(
      uuidV5('fd34233e-cf5f-4076-afb6-0f26a0fab9f0', `${campaign}:${contact}`),
    );
  });

  it('differs per recipient and per campaign, and the order of the ids matters', () => {
    const otherContact = contactId(workspace, '+12125550123');
    const otherCampaign = randomUUID();
    const ids = new Set([
      campaignMessageId(campaign, contact),
      campaignMessageId(campaign, otherContact),
      campaignMessageId(otherCampaign, contact),
      campaignMessageId(contact, campaign),
    ]);
    expect(ids.size).toBe(4);
  });

  it('throws on ids that are not uuids', () => {
    expect(() => campaignMessageId('campaign', contact)).toThrow(/campaignId/);
    expect(() => campaignMessageId(campaign, phone)).toThrow(/contactId/);
  });
});
