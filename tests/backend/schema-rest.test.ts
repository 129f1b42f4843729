// The workspace schema through the API surface clients really use: supabase-js against
// /rest/v1 (RLS decides) — another workspace's rows can't be read, inserted, updated or deleted.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { contactId } from '../../src/domain/ids.ts';
import { type Backend, type MintedUser, startBackend } from './harness.ts';

let backend: Backend;
let alice: MintedUser;
let mallory: MintedUser;
let aliceWs: string;
let malloryWs: string;

async function workspaceOf(userId: string): Promise<string> {
  const [m] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [userId],
  );
  return m!.workspace_id;
}

beforeAll(async () => {
  backend = await startBackend();
  alice = await backend.mintUser();
  mallory = await backend.mintUser();
  aliceWs = await workspaceOf(alice.id);
  malloryWs = await workspaceOf(mallory.id);
});
afterAll(() => backend?.close());

const contact = (ws: string, phone: string, name: string) => ({
  id: contactId(ws, phone),
  workspace_id: ws,
  phone,
  name,
});

test("a member reads and writes their workspace's contacts through /rest/v1", async () => {
  const row = contact(aliceWs, '+14155550501', 'Alice Own');
  const inserted = await alice.client.from('contacts').insert(row).select('id, name, workspace_id').single();
  expect(inserted.error).toBeNull();
  expect(inserted.data).toEqual({ id: row.id, name: 'Alice Own', workspace_id: aliceWs });
  const updated = await alice.client
    .from('contacts')
    .update({ name: 'Alice Renamed' })
    .eq('id', row.id)
    .select('name');
  expect(updated.data).toEqual([{ name: 'Alice Renamed' }]);
});

test("another workspace's rows can't be read, inserted, updated or deleted", async () => {
  const row = contact(aliceWs, '+14155550502', 'Alice Secret');
  expect((await alice.client.from('contacts').insert(row)).error).toBeNull();

  // Read: nothing comes back, by filter or by id.
  const read = await mallory.client.from('contacts').select('*').eq('workspace_id', aliceWs);
  expect(read.error).toBeNull();
  expect(read.data).toEqual([]);
  const byId = await mallory.client.from('contacts').select('*').eq('id', row.id).maybeSingle();
  expect(byId.data).toBeNull();
  for (const table of [
    'workspaces',
    'workspace_members',
    'contact_groups',
    'templates',
    'channels',
    'quotas',
  ]) {
    const { data, error } = await mallory.client.from(table).select('*').eq('workspace_id', aliceWs);
    expect(error, table).toBeNull();
    expect(data, table).toEqual([]);
  }

  // Insert into Alice's workspace: refused by RLS (42501).
  const intrude = await mallory.client.from('contacts').insert(contact(aliceWs, '+14155550503', 'Planted'));
  expect(intrude.error?.code).toBe('42501');

  // Update and delete reach no row; Alice's row is unchanged and still there.
  const upd = await mallory.client.from('contacts').update({ name: 'Hacked' }).eq('id', row.id).select();
  expect(upd.data ?? []).toEqual([]);
  const del = await mallory.client.from('contacts').delete().eq('id', row.id);
  expect(del.error?.code).toBe('42501'); // clients never hard-delete, even their own rows
  const [still] = await backend.db.query<{ name: string; _deleted: boolean }>(
    'select name, _deleted from public.contacts where id = $1',
    [row.id],
  );
  expect(still).toEqual({ name: 'Alice Secret', _deleted: false });
  const planted = await backend.db.query('select 1 from public.contacts where name = $1', ['Planted']);
  expect(planted).toEqual([]);

  // Moving her own contact into Alice's workspace is refused too.
  const own = contact(malloryWs, '+14155550504', 'Mallory Own');
  expect((await mallory.client.from('contacts').insert(own)).error).toBeNull();
  const move = await mallory.client.from('contacts').update({ workspace_id: aliceWs }).eq('id', own.id);
  expect(move.error).not.toBeNull();
});

test('channel secrets are unreachable through the API, even for the owner', async () => {
  const res = await alice.client.from('channel_secrets').select('*');
  expect(res.error?.code).toBe('42501');
  const anon = await backend.anon().from('contacts').select('*');
  expect(anon.error?.code).toBe('42501');
});
