/**
 * The import worker (Comlink): reading, mapping and validating a chosen file happen here, off
 * the page's thread; the page saves the batches it is handed (RxDB lives in the page).
 */
import * as Comlink from 'comlink';
import { importWorkerApi } from './worker-api.ts';

export type { ImportWorkerApi } from './worker-api.ts';

Comlink.expose(importWorkerApi);
