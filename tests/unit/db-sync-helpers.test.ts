// Small pure parts of the data layer: retry delays, edit stamps, the contacts search, sync state.
import { describe, expect, test } from 'vitest';
import { retryDelay } from '../../src/domain/backoff.ts';
import { contactSearch, searchContacts, tagsInUse } from '../../src/domain/contact-search.ts';
import { editStamp } from '../../src/domain/edit-stamp.ts';
import type { Contact } from '../../src/domain/types.ts';
import { syncState } from '../../src/sync/status.ts';

describe('retryDelay', () => {
  const policy = { minMs: 1000, maxMs: 30_000 };
  test('doubles from the minimum and stops at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n, policy))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(retryDelay(0, policy)).toBe(1000);
    expect(retryDelay(10_000, policy)).toBe(30_000);
  });
});

describe('editStamp', () => {
  const now = Date.parse('2026-03-01T09:30:00.000Z');
  test('is now, as ISO 8601 with milliseconds', () => {
    expect(editStamp(undefined, now)).toBe('2026-03-01T09:30:00.000Z');
    expect(editStamp('2026-02-01T00:00:00.000Z', now)).toBe('2026-03-01T09:30:00.000Z');
  });
  test('is always after the previous edit, even in the same millisecond or with a clock set back', () => {
    expect(editStamp('2026-03-01T09:30:00.000Z', now)).toBe('2026-03-01T09:30:00.001Z');
    expect(editStamp('2026-03-02T00:00:00.000Z', now)).toBe('2026-03-02T00:00:00.001Z');
  });
  test('an unreadable previous stamp counts as none', () => {
    expect(editStamp('garbage', now)).toBe('2026-03-01T09:30:00.000Z');
  });
});

describe('contact search', () => {
  const contact = (patch: Partial<Contact>): Contact => ({
    id: '1',
    workspace_id: 'w',
    phone: '+447400123456',
    name: 'Ann Lee',
    email: 'ann@example.com',
    tags: ['VIP', 'leeds'],
    group_ids: [],
    custom_fields: {},
    opted_out: false,
    opted_out_at: null,
    notes: 'room 101',
    updated_at: '2026-01-01T00:00:00.000Z',
    _deleted: false,
    ...patch,
  });
  const ann = contact({});

  test('matches name, email and tags ignoring case', () => {
    for (const q of ['ann', 'LEE', 'example.com', 'vip', 'Leeds'])
      expect(contactSearch(q)?.(ann), q).toBe(true);
    expect(contactSearch('bob')?.(ann)).toBe(false);
  });

  test('matches phone digits however the number is written', () => {
    for (const q of ['+44 7400 123456', '07400 123', '0044-7400', '(7400) 123-456']) {
      expect(contactSearch(q)?.(ann), q).toBe(true);
    }
    expect(contactSearch('07400 999')?.(ann)).toBe(false);
  });

  test('only a trunk or international prefix of zeros is dropped: "0001" is digits to find, not "1"', () => {
    const other = contact({ id: '2', name: 'Bo', phone: '+447400700001' });
    expect(searchContacts([ann, other], '0001').map((c) => c.id)).toEqual(['2']);
    expect(searchContacts([ann, other], '00 01').map((c) => c.id)).toEqual(['2']);
    // A prefix is followed by the number's first digit, never by another zero.
    expect(searchContacts([ann, other], '0044 7400 7').map((c) => c.id)).toEqual(['2']);
    expect(searchContacts([ann, other], '07400 123').map((c) => c.id)).toEqual([ann.id]);
  });

  test('text with digits is not read as a phone number', () => {
    // "room 101" is in the notes, which are not searched; "101" is not in the phone.
    expect(contactSearch('room 101')?.(ann)).toBe(false);
    expect(contactSearch('1')?.(ann)).toBe(true);
  });

  test('words match in any order, each anywhere in name, email or tags', () => {
    for (const q of ['lee ann', 'Ann  Lee', 'vip ann', 'leeds example'])
      expect(contactSearch(q)?.(ann), q).toBe(true);
    expect(contactSearch('ann bob')?.(ann)).toBe(false);
  });

  test('filters by one group and by several tags at once, with or without a query', () => {
    const list = [
      contact({ id: 'a', name: 'Ada', tags: ['vip', 'lisbon'], group_ids: ['g1'] }),
      contact({ id: 'b', name: 'Bo', tags: ['vip'], group_ids: ['g1'] }),
      contact({ id: 'c', name: 'Cy', tags: ['vip', 'lisbon'], group_ids: ['g2'] }),
    ];
    const ids = (query: string, filter: Parameters<typeof searchContacts>[2]) =>
      searchContacts(list, query, filter).map((c) => c.id);
    expect(ids('', { group: 'g1' })).toEqual(['a', 'b']);
    expect(ids('', { tags: ['vip', 'lisbon'] })).toEqual(['a', 'c']);
    expect(ids('', { group: 'g1', tags: ['vip', 'lisbon'] })).toEqual(['a']);
    expect(ids('cy', { tags: ['lisbon'] })).toEqual(['c']);
    expect(tagsInUse(list)).toEqual(['lisbon', 'vip']);
  });

  test('an empty query keeps every contact, in order', () => {
    const list = [ann, contact({ id: '2', name: 'Bob' })];
    expect(searchContacts(list, '  ')).toBe(list);
    expect(searchContacts(list, 'bob').map((c) => c.id)).toEqual(['2']);
  });
});

describe('syncState', () => {
  test('offline wins, then an error, then activity', () => {
    expect(syncState(false, true, 'boom')).toBe('offline');
    expect(syncState(true, true, 'boom')).toBe('error');
    expect(syncState(true, true, undefined)).toBe('syncing');
    expect(syncState(true, false, undefined)).toBe('idle');
  });
});
