// Runs in Chromium: the same contact rows written through Pigeon's RxDB database (Dexie
// storage, the app's schemas) and through Dexie's own bulkPut, in one page.
import Dexie from 'dexie';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { openPigeonDatabase } from '../../../src/db/database.ts';
import { contactId } from '../../../src/domain/ids.ts';
import type { Contact } from '../../../src/domain/types.ts';

const WORKSPACE = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

function contacts(n: number): Contact[] {
  const now = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => {
    const phone = `+1555${String(i).padStart(7, '0')}`;
    return {
      id: contactId(WORKSPACE, phone),
      workspace_id: WORKSPACE,
      phone,
      name: `Contact ${i}`,
      email: `c${i}@example.test`,
      tags: ['bench', `tag${i % 10}`],
      group_ids: [],
      custom_fields: { city: 'Lisbon' },
      opted_out: false,
      opted_out_at: null,
      notes: '',
      updated_at: now,
      _deleted: false,
    };
  });
}

/** The floor: Dexie's own bulkPut of `rows` into a fresh database (ms). */
async function dexieBulkPut(rows: readonly Contact[]): Promise<number> {
  const dexie = new Dexie(`bench-dexie-${Date.now()}`);
  dexie.version(1).stores({ contacts: 'id, workspace_id, name, phone' });
  const t = performance.now();
  await dexie.table('contacts').bulkPut(rows);
  const ms = performance.now() - t;
  dexie.close();
  return ms;
}

async function run(n: number): Promise<Record<string, number>> {
  const rows = contacts(n);
  const dexieMs = await dexieBulkPut(rows);

  const db = await openPigeonDatabase({
    name: `bench-rxdb-${Date.now()}`,
    storage: getRxStorageDexie(),
    multiInstance: false,
  });
  const t = performance.now();
  const result = await db.contacts.bulkInsert(rows);
  const rxdbMs = performance.now() - t;
  if (result.error.length > 0) throw new Error(`RxDB refused ${result.error.length} rows`);
  await db.close();

  return {
    rows: n,
    dexie_bulkput_ms: Math.round(dexieMs),
    rxdb_bulkinsert_ms: Math.round(rxdbMs),
    rxdb_to_dexie_ratio: Number((rxdbMs / dexieMs).toFixed(2)),
  };
}

const bench = window as unknown as { runInsertBench: typeof run; runDexieFloor(n: number): Promise<number> };
bench.runInsertBench = run;
bench.runDexieFloor = (n) => dexieBulkPut(contacts(n));
