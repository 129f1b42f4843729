// The contacts list's sorted index (src/domain/contact-index.ts): windows, counts, search, and
// changes applied one by one or merged as a batch, always ending as a full sort would.
import { describe, expect, test } from 'vitest';
import { type ContactChange, ContactIndex, compareContacts } from '../../src/domain/contact-index.ts';
import type { Contact } from '../../src/domain/types.ts';

const contact = (id: string, name: string, patch: Partial<Contact> = {}): Contact => ({
  id,
  workspace_id: 'w',
  phone: `+4474001${id.padStart(5, '0')}`,
  name,
  email: '',
  tags: [],
  group_ids: [],
  custom_fields: {},
  opted_out: false,
  opted_out_at: null,
  notes: '',
  updated_at: '2026-01-01T00:00:00.000Z',
  _deleted: false,
  ...patch,
});

const names = (rows: readonly Contact[]) => rows.map((c) => c.name);
const all = (index: ContactIndex) => index.window({ search: '', filter: {}, offset: 0, limit: 1e9 }).rows;

describe('ContactIndex', () => {
  test('sorts by name then phone and answers windows with the counts', () => {
    const index = new ContactIndex([
      contact('3', 'Cy'),
      contact('1', 'Ada', { tags: ['vip'] }),
      contact('2', 'Bo', { tags: ['vip', 'lisbon'], group_ids: ['g'] }),
      contact('0', 'Ada'),
    ]);
    expect(names(all(index))).toEqual(['Ada', 'Ada', 'Bo', 'Cy']);
    expect(all(index).map((c) => c.id)).toEqual(['0', '1', '2', '3']);
    expect(index.window({ search: '', filter: {}, offset: 1, limit: 2 })).toMatchObject({
      offset: 1,
      matching: 4,
      total: 4,
    });
    expect(names(index.window({ search: '', filter: {}, offset: 1, limit: 2 }).rows)).toEqual(['Ada', 'Bo']);
    const vip = index.window({ search: 'VIP', filter: {}, offset: 0, limit: 1 });
    expect([names(vip.rows), vip.matching, vip.total]).toEqual([['Ada'], 2, 4]);
    const grouped = index.window({
      search: '',
      filter: { group: 'g', tags: ['lisbon'] },
      offset: 0,
      limit: 10,
    });
    expect(names(grouped.rows)).toEqual(['Bo']);
    expect(index.window({ search: '', filter: {}, offset: 99, limit: 5 })).toMatchObject({
      offset: 4,
      rows: [],
    });
    expect(index.tags()).toEqual(['lisbon', 'vip']);
  });

  test('a few changes and a big batch both end as a full sort of the same contacts', () => {
    const start = Array.from({ length: 500 }, (_, i) => contact(String(i), `Name ${(i * 7919) % 500}`));
    const single = new ContactIndex(start);
    const batched = new ContactIndex(start);
    const truth = new Map(start.map((c) => [c.id, c]));
    const changes: ContactChange[] = [];
    for (let i = 0; i < 300; i++) {
      const id = String((i * 31) % 700);
      const deleted = i % 5 === 0;
      const next = contact(id, `Renamed ${(i * 13) % 97}`, { tags: [`t${i % 3}`] });
      changes.push({ id, contact: next, deleted });
      if (deleted) truth.delete(id);
      else truth.set(id, next);
    }
    for (const change of changes) single.apply([change]);
    batched.apply(changes);
    const expected = [...truth.values()].sort(compareContacts);
    expect(all(single)).toEqual(expected);
    expect(all(batched)).toEqual(expected);
    expect(batched.total).toBe(expected.length);
    expect(batched.tags()).toEqual(['t0', 't1', 't2']);
  });

  test('a search is answered again after a change, not from the previous matches', () => {
    const index = new ContactIndex([contact('1', 'Ada'), contact('2', 'Bo')]);
    const query = { search: 'ada', filter: {}, offset: 0, limit: 10 };
    expect(index.window(query).matching).toBe(1);
    index.apply([{ id: '2', contact: contact('2', 'Adam'), deleted: false }]);
    expect(names(index.window(query).rows)).toEqual(['Ada', 'Adam']);
  });
});
