import { createSignal, createUniqueId, For, type JSX, Show } from 'solid-js';
import { templatesFor } from '../../domain/provider-template.ts';
import type { Result } from '../../domain/result.ts';
import type { Campaign, IsoWeekday, TemplateParameters } from '../../domain/types.ts';
import type { CampaignDraftFields } from '../../features/campaigns/api.ts';
import { ConnectChannelCta } from '../channels/ConnectChannelCta.tsx';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import { TextField } from '../components/Field.tsx';
import { FormError } from '../components/FormError.tsx';
import forms from '../components/forms.module.css';
import { GroupPicker } from '../components/GroupPicker.tsx';
import { useServices } from '../services-context.ts';
import { joinList, splitList } from '../text.ts';
import { AudienceContacts } from './AudienceContacts.tsx';
import styles from './CampaignEditor.module.css';
import { instantOf, localOf, minutesOfDay, msOfSeconds, secondsOf, timeOfDay } from './form-values.ts';
import { TemplateValues, templateSlots } from './TemplateValues.tsx';

const WEEKDAYS: readonly (readonly [IsoWeekday, string])[] = [
  [1, 'Monday'],
  [2, 'Tuesday'],
  [3, 'Wednesday'],
  [4, 'Thursday'],
  [5, 'Friday'],
  [6, 'Saturday'],
  [7, 'Sunday'],
];

/** Which input a refusal of campaign-draft.ts is about, by the label it starts with. */
type Spot = 'name' | 'tags' | 'start' | 'window' | 'days' | 'minDelay' | 'maxDelay' | 'rate';
const SPOTS: Record<string, Spot> = {
  Name: 'name',
  Tags: 'tags',
  Start: 'start',
  'Window start': 'window',
  'Window end': 'window',
  Window: 'window',
  Days: 'days',
  'Minimum delay': 'minDelay',
  'Maximum delay': 'maxDelay',
  Rate: 'rate',
};

export type DraftInput = Partial<CampaignDraftFields> & { name: string };

/**
 * A campaign's fields: name, template, audience (groups, tags, chosen contacts), schedule in
 * the campaign's time zone (the workspace's for a new one), send window, delay between
 * messages and rate. Saved as a local draft, so it works offline; a refusal shows at the
 * field it names. `initial`: the draft being edited (read once, when the form opens).
 */
export function CampaignEditor(props: {
  initial?: Campaign;
  label: string;
  submit: string;
  onSave: (draft: DraftInput) => Promise<Result<unknown>>;
}): JSX.Element {
  const { templates, channels, workspace } = useServices();
  const first = props.initial;
  const usable = () => channels.list().filter((c) => c.status !== 'disconnected');
  const [channelId, setChannelId] = createSignal(first?.channel_id ?? '');
  const channel = () => usable().find((c) => c.id === channelId()) ?? channels.preferred() ?? usable()[0];
  const allTemplates = templates.list();
  const templateList = () => templatesFor(allTemplates(), channel());
  const zone = () => first?.time_zone ?? workspace()?.time_zone ?? 'UTC';
  const [name, setName] = createSignal(first?.name ?? '');
  const [templateId, setTemplateId] = createSignal(first?.template_id ?? '');
  const chosenTemplate = () => templateList().find((t) => t.id === templateId());
  const [parameters, setParameters] = createSignal<TemplateParameters>(
    first?.template_parameters ?? { header: [], body: [] },
  );
  const [groupIds, setGroupIds] = createSignal<string[]>(first?.group_ids ?? []);
  const [tags, setTags] = createSignal(joinList(first?.tags ?? []));
  const [chosen, setChosen] = createSignal<string[]>(first?.contact_ids ?? []);
  const [startLater, setStartLater] = createSignal(Boolean(first?.start_at));
  const [startAt, setStartAt] = createSignal(localOf(first?.start_at ?? null, zone()));
  const [windowStart, setWindowStart] = createSignal(timeOfDay(first?.window_start_minute ?? null));
  const [windowEnd, setWindowEnd] = createSignal(timeOfDay(first?.window_end_minute ?? null));
  const [days, setDays] = createSignal<IsoWeekday[]>(first?.window_days ?? [1, 2, 3, 4, 5, 6, 7]);
  const [minDelay, setMinDelay] = createSignal(secondsOf(first?.min_delay_ms ?? 0));
  const [maxDelay, setMaxDelay] = createSignal(secondsOf(first?.max_delay_ms ?? 0));
  const [rate, setRate] = createSignal(String(first?.rate_per_minute ?? 20));
  const [error, setError] = createSignal<{ spot: Spot | undefined; text: string }>();
  const problem = (spot: Spot) => (error()?.spot === spot ? error()?.text : undefined);
  const daysHint = createUniqueId();
  const startGroup = createUniqueId();

  const toggleDay = (day: IsoWeekday, on: boolean) =>
    setDays((all) => (on ? [...all.filter((d) => d !== day), day].sort() : all.filter((d) => d !== day)));

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const template = chosenTemplate();
    const result = await props.onSave({
      name: name(),
      channel_id: channel()?.id ?? first?.channel_id ?? null,
      template_id: template?.id ?? null,
      // A Meta template is sent as such, each {{n}} with its mapped value.
      template_parameters: template?.provider === 'meta' ? templateSlots(template, parameters()) : null,
      // The text is the template's when it was chosen: later edits to the template stay out.
      body: first && templateId() === first.template_id ? first.body : (template?.body ?? ''),
      group_ids: groupIds(),
      tags: splitList(tags()),
      contact_ids: chosen(),
      start_at: startLater() ? instantOf(startAt(), zone()) : null,
      time_zone: zone(),
      window_start_minute: minutesOfDay(windowStart()),
      window_end_minute: minutesOfDay(windowEnd()),
      window_days: days(),
      min_delay_ms: msOfSeconds(minDelay()),
      max_delay_ms: msOfSeconds(maxDelay()),
      rate_per_minute: Number(rate()),
    });
    if (result.ok) return setError(undefined);
    const label = result.error.slice(0, Math.max(result.error.indexOf(':'), 0));
    setError({ spot: SPOTS[label], text: result.error });
  }

  return (
    <form class={styles.form} onSubmit={save} aria-label={props.label} novalidate>
      <TextField label="Campaign name" value={name()} onValue={setName} required problem={problem('name')} />
      <Show when={usable().length > 0} fallback={<ConnectChannelCta what="send this campaign" />}>
        <label class={forms.field}>
          <span class={forms.label}>Channel</span>
          <select value={channel()?.id ?? ''} onChange={(e) => setChannelId(e.currentTarget.value)}>
            <For each={usable()}>{(c) => <option value={c.id}>{c.name}</option>}</For>
          </select>
        </label>
      </Show>
      <label class={forms.field}>
        <span class={forms.label}>Template</span>
        <select value={templateId()} onChange={(e) => setTemplateId(e.currentTarget.value)}>
          <option value="">Choose a template</option>
          <For each={templateList()}>{(t) => <option value={t.id}>{t.name}</option>}</For>
        </select>
      </label>
      <Show when={chosenTemplate()?.provider === 'meta' && chosenTemplate()}>
        {(template) => (
          <TemplateValues
            template={template()}
            values={parameters()}
            onChange={(values) => {
              setParameters(values);
              // A refusal of a value is stale once that value changes.
              if (error()?.text.startsWith('Template ')) setError(undefined);
            }}
            problem={(label) => (error()?.text.startsWith(`${label}:`) ? error()?.text : undefined)}
          />
        )}
      </Show>

      <fieldset class={classes(forms.field, styles.fieldset)}>
        <legend class={forms.label}>Audience</legend>
        <p class={forms.hint}>
          Anyone in a chosen group, with a chosen tag, or chosen by hand, once each. Opted-out contacts are
          always left out.
        </p>
        <GroupPicker selected={groupIds()} onChange={setGroupIds} />
        <TextField
          label="Audience tags"
          value={tags()}
          onValue={setTags}
          hint="Contacts with any of these tags, separated by commas."
          problem={problem('tags')}
        />
        <AudienceContacts chosen={chosen()} onChange={setChosen} />
      </fieldset>

      <fieldset class={classes(forms.field, styles.fieldset)}>
        <legend class={forms.label}>Schedule</legend>
        <label class={controls.checkbox}>
          <input
            type="radio"
            name={startGroup}
            checked={!startLater()}
            onChange={() => setStartLater(false)}
          />
          Send at launch
        </label>
        <label class={controls.checkbox}>
          <input type="radio" name={startGroup} checked={startLater()} onChange={() => setStartLater(true)} />
          Send at a time
        </label>
        <Show when={startLater()}>
          <TextField
            label="Start at"
            type="datetime-local"
            value={startAt()}
            onValue={setStartAt}
            hint={`In the workspace's time zone, ${zone()}.`}
            problem={problem('start')}
          />
        </Show>
      </fieldset>

      <fieldset class={classes(forms.field, styles.fieldset)}>
        <legend class={forms.label}>Send window</legend>
        <p class={forms.hint}>
          Leave both times empty to send at any hour. An end before the start runs past midnight. Times are in{' '}
          {zone()}.
        </p>
        <div class={styles.pair}>
          <TextField
            label="Window start"
            type="time"
            value={windowStart()}
            onValue={setWindowStart}
            problem={problem('window')}
          />
          <TextField label="Window end" type="time" value={windowEnd()} onValue={setWindowEnd} />
        </div>
        <fieldset
          class={forms.field}
          aria-describedby={problem('days') ? daysHint : undefined}
          aria-invalid={problem('days') ? true : undefined}
        >
          <legend class={forms.label}>Days</legend>
          <div class={controls.checkboxList}>
            <For each={WEEKDAYS}>
              {([day, label]) => (
                <label class={controls.checkbox}>
                  <input
                    type="checkbox"
                    checked={days().includes(day)}
                    onChange={(event) => toggleDay(day, event.currentTarget.checked)}
                  />
                  {label}
                </label>
              )}
            </For>
          </div>
          <Show when={problem('days')}>
            <span id={daysHint} class={classes(forms.hint, forms.problem)}>
              {problem('days')}
            </span>
          </Show>
        </fieldset>
      </fieldset>

      <fieldset class={classes(forms.field, styles.fieldset)}>
        <legend class={forms.label}>Pace</legend>
        <div class={styles.pair}>
          <TextField
            label="Minimum delay (seconds)"
            value={minDelay()}
            onValue={setMinDelay}
            inputmode="decimal"
            problem={problem('minDelay')}
          />
          <TextField
            label="Maximum delay (seconds)"
            value={maxDelay()}
            onValue={setMaxDelay}
            inputmode="decimal"
            problem={problem('maxDelay')}
            hint="Each message waits a random time between the two."
          />
        </div>
        <TextField
          label="Messages per minute"
          value={rate()}
          onValue={setRate}
          inputmode="numeric"
          hint="At most 6000 a minute; the channel's own limit applies too."
          problem={problem('rate')}
        />
      </fieldset>
      <FormError error={error()?.text} />
      <button type="submit" class={classes(controls.button, controls.primary)}>
        {props.submit}
      </button>
    </form>
  );
}
