/**
 * The campaign worker (Comlink): preparing a campaign (audience, rendering, send plan) runs
 * here, off the page's thread, so a 100,000-recipient preview never freezes the page.
 * Refusals come back as results, not exceptions, so their message reaches the user intact.
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

let running: AbortController | undefined;

const api = {
  async prepare(
    contacts: PreparableContact[],
    input: CampaignPlanInput,
    onProgress: (done: number, total: number) => void,
  ): Promise<Result<PreparedCampaign>> {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    try {
      const value = await prepareCampaign(contacts, input, { signal: controller.signal, onProgress });
      return { ok: true, value };
    } catch (err) {
      if (err instanceof CampaignInputError) return { ok: false, error: err.message };
      if (controller.signal.aborted) return { ok: false, error: 'Preparation cancelled.' };
      throw err;
    }
  },

  cancel(): void {
    running?.abort();
  },
};

export type CampaignWorkerApi = typeof api;

Comlink.expose(api);
