import { A, useNavigate } from '@solidjs/router';
import { createMemo, createSignal, For, type JSX, Show } from 'solid-js';
import { isUnsynced } from '../../domain/record-sync.ts';
import type { Result } from '../../domain/result.ts';
import { classes } from '../class-names.ts';
import page from '../components/page.module.css';
import { SyncMark } from '../components/SyncMark.tsx';
import { UnsyncedFilter } from '../components/UnsyncedFilter.tsx';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { CampaignEditor, type DraftInput } from './CampaignEditor.tsx';
import styles from './CampaignsPage.module.css';
import { StatusPill } from './StatusPill.tsx';

/** The campaigns of the workspace with their status and counters, and a form to start a draft. */
export function CampaignsPage(): JSX.Element {
  usePageTitle(() => 'Campaigns');
  const { campaigns, recordSync } = useServices();
  const all = campaigns.list();
  const syncStates = recordSync.states('campaigns');
  const [unsyncedOnly, setUnsyncedOnly] = createSignal(false);
  const list = createMemo(() =>
    unsyncedOnly() ? all().filter((c) => isUnsynced(syncStates().get(c.id))) : all(),
  );
  const navigate = useNavigate();

  async function create(draft: DraftInput): Promise<Result<unknown>> {
    const result = await campaigns.createDraft(draft);
    if (result.ok) navigate(`/campaigns/${result.value.id}`);
    return result;
  }

  return (
    <div class={styles.page}>
      <section class={page.card} aria-labelledby="campaigns-heading">
        <div class={page.listToolbar}>
          <h1 id="campaigns-heading">Campaigns</h1>
          <UnsyncedFilter checked={unsyncedOnly()} onChange={setUnsyncedOnly} />
        </div>
        <Show
          when={list().length > 0}
          fallback={
            <p class={classes(page.muted, page.emptyState)}>
              {unsyncedOnly() ? 'Every campaign is synced.' : 'No campaigns yet.'}
            </p>
          }
        >
          <table class={styles.table}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Sent</th>
                <th scope="col">Delivered</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              <For each={list()}>
                {(c) => (
                  <tr>
                    <td>
                      <A href={`/campaigns/${c.id}`}>{c.name}</A> <SyncMark state={syncStates().get(c.id)} />
                    </td>
                    <td>
                      <StatusPill status={c.status} />
                    </td>
                    <td>
                      {c.sent_count} / {c.recipient_count}
                    </td>
                    <td>{c.delivered_count}</td>
                    <td>{c.failed_count}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </section>
      <section class={page.card} aria-labelledby="new-campaign-heading">
        <h2 id="new-campaign-heading">New campaign</h2>
        <CampaignEditor label="New campaign" submit="Create draft" onSave={create} />
      </section>
    </div>
  );
}
