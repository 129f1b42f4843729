// Attacks on contact ids derived from workspace + phone: a member of another workspace
// inserts the id of the victim workspace's future contact first, which used to make the
// victim's whole push batch fail. The derivation is checked on insert, and one bad row of a
// batch is refused with its reason while the rest are written.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';
import { workspaceOf } from './pull-client.ts';

let backend: Backend;
let alice: MintedUser;
let mallory: MintedUser;
let aliceWs: string;
let malloryWs: string;

beforeAll(async () => {
  backend = await startBackend();
  alice = await backend.mintUser();
  mallory = await backend.mintUser();
  aliceWs = await workspaceOf(backend, alice.id);
  malloryWs = await workspaceOf(backend, mallory.id);
});
afterAll(() => backend?.close());

function doc(ws: string, phone: string, fields: Record<string, unknown> = {}) {
  return {
    id: contactId(ws, phone),
    workspace_id: ws,
    phone,
    name: `Contact ${phone}`,
    updated_at: '2026-12-03T10:00:00.000Z',
    _deleted: false,
    ...fields,
  };
}

async function push(as: MintedUser, docs: Record<string, unknown>[]) {
  const { data, error } = await as.client.rpc('push_rows', {
    p_table: 'contacts',
    p_rows: docs.map((d) => ({ doc: d, assumed: null })),
  });
  expect(error).toBeNull();
  return data as { id: string; _refused?: string }[];
}

async function ids(ws: string): Promise<string[]> {
  const rows = await backend.db.query<{ id: string }>(
    'select id from public.contacts where workspace_id = $1 order by id',
    [ws],
  );
  return rows.map((r) => r.id);
}

describe('squatting a derived contact id', () => {
  const phone = '+33612340001';

  test("through push_rows: refused with the reason; the victim's batch then goes through whole", async () => {
    const squat = { ...doc(aliceWs, phone), workspace_id: malloryWs, phone: '+33699999999' };
    const answer = await push(mallory, [squat]);
    expect(answer).toEqual([
      {
        id: contactId(aliceWs, phone),
        _refused: `contact id ${contactId(aliceWs, phone)} is not the id of +33699999999 in workspace ${malloryWs}`,
      },
    ]);
    expect(await ids(malloryWs)).toEqual([]);

    const batch = [doc(aliceWs, phone), doc(aliceWs, '+33612340002'), doc(aliceWs, '+33612340003')];
    expect(await push(alice, batch)).toEqual([]);
    expect(await ids(aliceWs)).toEqual(batch.map((d) => d.id).sort());
  });

  test('through /rest/v1: refused with 400 and the reason', async () => {
    const victimPhone = '+33612340009';
    const { error, status } = await mallory.client
      .from('contacts')
      .insert({ id: contactId(aliceWs, victimPhone), workspace_id: malloryWs, phone: victimPhone });
    expect(status).toBe(400);
    expect(error?.code).toBe('23514');
    expect(error?.message).toBe(
      `contact id ${contactId(aliceWs, victimPhone)} is not the id of ${victimPhone} in workspace ${malloryWs}`,
    );
    // An insert naming no id gets the derived one.
    const own = await mallory.client
      .from('contacts')
      .insert({ workspace_id: malloryWs, phone: victimPhone })
      .select('id')
      .single();
    expect(own.data?.id).toBe(contactId(malloryWs, victimPhone));
  });
});

describe('one bad row in a push batch', () => {
  test('is refused with its reason; every other row of the batch is written', async () => {
    const good = [doc(aliceWs, '+4915112340001'), doc(aliceWs, '+4915112340002')];
    const badPhone = { ...doc(aliceWs, '+4915112340003'), phone: 'not a phone' };
    const foreign = doc(malloryWs, '+4915112340004');
    const answer = await push(alice, [good[0]!, badPhone, foreign, good[1]!]);
    expect(answer).toHaveLength(2);
    expect(answer).toEqual(
      expect.arrayContaining([
        {
          id: badPhone.id,
          _refused: expect.stringMatching(/is not the id of not a phone|contacts_phone_check/),
        },
        { id: foreign.id, _refused: expect.stringMatching(/row-level security/) },
      ]),
    );
    const stored = await ids(aliceWs);
    for (const d of good) expect(stored).toContain(d.id);
    expect(stored).not.toContain(badPhone.id);
    expect(await ids(malloryWs)).not.toContain(foreign.id);
  });

  test('an update breaking a check is refused alone; the other updates are written', async () => {
    const rows = [doc(aliceWs, '+4915112340011'), doc(aliceWs, '+4915112340012')];
    await push(alice, rows);
    const current = await backend.db.query<{ id: string; m: string }>(
      'select id, _modified::text as m from public.contacts where id = any($1)',
      [rows.map((r) => r.id)],
    );
    const at = new Map(current.map((r) => [r.id, r.m]));
    const { data, error } = await alice.client.rpc('push_rows', {
      p_table: 'contacts',
      p_rows: [
        { doc: { ...rows[0], name: 'Renamed' }, assumed: at.get(rows[0]!.id) },
        { doc: { ...rows[1], email: 'no at sign' }, assumed: at.get(rows[1]!.id) },
      ],
    });
    expect(error).toBeNull();
    expect(data).toEqual([{ id: rows[1]!.id, _refused: expect.stringMatching(/contacts_email_check/) }]);
    const [renamed] = await backend.db.query<{ name: string }>(
      'select name from public.contacts where id = $1',
      [rows[0]!.id],
    );
    expect(renamed?.name).toBe('Renamed');
  });
});
