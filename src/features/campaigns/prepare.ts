/**
 * Where a campaign is prepared: in the Comlink worker where the platform has workers (the
 * browser), else on this thread (Node tests, where nothing else competes for it).
 */
import * as Comlink from 'comlink';
import {
  CampaignInputError,
  type CampaignPlanInput,
  type PreparableContact,
  type PreparedCampaign,
  prepareCampaign,
} from '../../domain/campaign-prepare.ts';
import type { Result } from '../../domain/result.ts';
import type { CampaignWorkerApi } from './worker.ts';

export type CampaignPreparer = (
  contacts: PreparableContact[],
  input: CampaignPlanInput,
  opts: { signal: AbortSignal; onProgress: (done: number, total: number) => void },
) => Promise<Result<PreparedCampaign>>;

export const prepareHere: CampaignPreparer = async (contacts, input, { signal, onProgress }) => {
  try {
    return { ok: true, value: await prepareCampaign(contacts, input, { signal, onProgress }) };
  } catch (err) {
    if (err instanceof CampaignInputError) return { ok: false, error: err.message };
    if (signal.aborted) return { ok: false, error: 'Preparation cancelled.' };
    throw err;
  }
};

export const prepareInWorker: CampaignPreparer = async (contacts, input, { signal, onProgress }) => {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), {
    type: 'module',
    name: 'pigeon-campaign',
  });
  const api = Comlink.wrap<CampaignWorkerApi>(worker);
  const cancel = () => void api.cancel();
  signal.addEventListener('abort', cancel);
  try {
    return await api.prepare(contacts, input, Comlink.proxy(onProgress));
  } finally {
    signal.removeEventListener('abort', cancel);
    api[Comlink.releaseProxy]();
    worker.terminate();
  }
};

export const defaultPreparer: CampaignPreparer =
  typeof Worker === 'undefined' ? prepareHere : prepareInWorker;
