import { A, useNavigate } from '@solidjs/router';
import { createSignal, For, type JSX, Show } from 'solid-js';
import type { Campaign } from '../../domain/types.ts';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';

export const STATUS_LABELS: Record<Campaign['status'], string> = {
  draft: 'Draft',
  launching: 'Launching',
  scheduled: 'Scheduled',
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  cancelled: 'Cancelled',
  blocked: 'Blocked',
};

/** The campaigns of the workspace with their status and counters, and a form to start a draft. */
export function CampaignsPage(): JSX.Element {
  usePageTitle(() => 'Campaigns');
  const { campaigns, templates, messages } = useServices();
  const list = campaigns.list();
  const templateList = templates.list();
  const channel = messages.channel();
  const navigate = useNavigate();
  const [name, setName] = createSignal('');
  const [templateId, setTemplateId] = createSignal('');
  const [tags, setTags] = createSignal('');
  const [rate, setRate] = createSignal('20');
  const [error, setError] = createSignal<string>();

  async function create(event: SubmitEvent) {
    event.preventDefault();
    const template = templateList().find((t) => t.id === templateId());
    const result = await campaigns.createDraft({
      name: name(),
      channel_id: channel()?.id ?? null,
      template_id: template?.id ?? null,
      body: template?.body ?? '',
      tags: tags().split(','),
      rate_per_minute: Number(rate()),
    });
    if (!result.ok) return setError(result.error);
    navigate(`/campaigns/${result.value.id}`);
  }

  return (
    <div class="campaigns-page">
      <section class="card" aria-labelledby="campaigns-heading">
        <h1 id="campaigns-heading">Campaigns</h1>
        <Show when={list().length > 0} fallback={<p class="muted empty-state">No campaigns yet.</p>}>
          <table class="campaign-table">
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
                      <A href={`/campaigns/${c.id}`}>{c.name}</A>
                    </td>
                    <td>
                      <span class="badge">{STATUS_LABELS[c.status]}</span>
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
      <section class="card" aria-labelledby="new-campaign-heading">
        <h2 id="new-campaign-heading">New campaign</h2>
        <form class="campaign-form" onSubmit={create}>
          <TextField label="Campaign name" value={name()} onValue={setName} required />
          <label class="field">
            <span class="field-label">Template</span>
            <select value={templateId()} onChange={(e) => setTemplateId(e.currentTarget.value)}>
              <option value="">Choose a template</option>
              <For each={templateList()}>{(t) => <option value={t.id}>{t.name}</option>}</For>
            </select>
          </label>
          <TextField
            label="Audience tags"
            value={tags()}
            onValue={setTags}
            hint="Contacts with any of these tags, separated by commas. Opted-out contacts are always left out."
          />
          <TextField
            label="Messages per minute"
            value={rate()}
            onValue={setRate}
            inputmode="numeric"
            hint="The pace, at most 6000 a minute; the channel's own limit applies too."
          />
          <FormError error={error()} />
          <button type="submit" class="button button-primary">
            Create draft
          </button>
        </form>
      </section>
    </div>
  );
}
