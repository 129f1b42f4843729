// What a simulated device runs, imported once per device into its own module graph
// (app-devices.ts): RxDB's free edition allows 13 open collections per module instance,
// and two devices of the app open more than that together. A browser tab is a realm of
// its own; so, here, is each device.
export { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
export { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
export { createRoot } from 'solid-js';
export { createPigeonServices } from '../../src/app/create-services.ts';
export { openPigeonDatabase, userDatabaseName } from '../../src/db/database.ts';

import * as Comlink from 'comlink';
import { importWorkerApi } from '../../src/features/import/worker-api.ts';

/** The import worker's API served from a MessagePort in this thread (Node has no Web Worker). */
export function inProcessImportWorker(): Worker {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(importWorkerApi, port2);
  return Object.assign(port1, {
    terminate() {
      port1.close();
      port2.close();
    },
  }) as unknown as Worker;
}
