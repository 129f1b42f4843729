/**
 * The fuzz test's steps and their seeded generator. Steps name records by slot (the same few
 * records on purpose) and fields from a short list (often the same field on several devices).
 */
import { Random } from './random.ts';

export type Kind = 'contacts' | 'groups' | 'templates' | 'campaigns';
export const KINDS: readonly Kind[] = ['contacts', 'groups', 'templates', 'campaigns'];
/** The server table and local collection of each kind. */
export const TABLE: Record<Kind, string> = {
  contacts: 'contacts',
  groups: 'contact_groups',
  templates: 'templates',
  campaigns: 'campaigns',
};
export const DEVICES = 3;
/** Records per kind in one run: few, so that edits meet. */
export const SLOTS = 2;

/** The scalar fields each kind's steps edit (campaign tags: a whole list, merged as one value). */
export const FIELDS: Record<Kind, readonly string[]> = {
  contacts: ['name', 'email', 'notes'],
  groups: ['name', 'description'],
  templates: ['name', 'body'],
  campaigns: ['name', 'body', 'tags'],
};

/** Fields that may be cleared (a required one may not: the service refuses an empty name). */
export const CLEARABLE: Record<Kind, readonly string[]> = {
  contacts: ['name', 'email', 'notes'],
  groups: ['description'],
  templates: [],
  campaigns: ['body'],
};

export type Step =
  | { t: 'network'; device: number; up: boolean }
  | { t: 'create'; device: number; kind: Kind; slot: number }
  | { t: 'edit'; device: number; kind: Kind; slot: number; field: string; clear: boolean }
  | { t: 'delete'; device: number; kind: Kind; slot: number }
  | { t: 'tag'; device: number; slot: number; add: boolean }
  | { t: 'import'; device: number; slots: number[] }
  | { t: 'server-edit'; kind: Kind; slot: number; field: string }
  | { t: 'server-delete'; kind: Kind; slot: number }
  | { t: 'server-create'; slot: number }
  | { t: 'sign-out'; device: number }
  | { t: 'sign-in'; device: number }
  | { t: 'restart'; device: number }
  | { t: 'wait'; ms: number };

export function generateSteps(seed: number, count: number): Step[] {
  const random = new Random(seed);
  const steps: Step[] = [];
  const device = () => random.int(DEVICES);
  const slot = () => random.int(SLOTS);
  for (let i = 0; i < count; i++) {
    const roll = random.next();
    const kind = random.pick(KINDS);
    // Mostly edits of the same few records, with devices often offline: concurrent edits.
    if (roll < 0.14) steps.push({ t: 'network', device: device(), up: random.chance(0.45) });
    else if (roll < 0.22) steps.push({ t: 'create', device: device(), kind, slot: slot() });
    else if (roll < 0.62) {
      const field = random.pick(FIELDS[kind]);
      const clear = CLEARABLE[kind].includes(field) && random.chance(0.25);
      steps.push({ t: 'edit', device: device(), kind, slot: slot(), field, clear });
    } else if (roll < 0.66) steps.push({ t: 'delete', device: device(), kind, slot: slot() });
    else if (roll < 0.73) steps.push({ t: 'tag', device: device(), slot: slot(), add: random.chance(0.6) });
    else if (roll < 0.76) steps.push({ t: 'import', device: device(), slots: [slot(), slot()] });
    else if (roll < 0.83)
      steps.push({ t: 'server-edit', kind, slot: slot(), field: random.pick(FIELDS[kind]) });
    else if (roll < 0.845) steps.push({ t: 'server-delete', kind, slot: slot() });
    else if (roll < 0.86) steps.push({ t: 'server-create', slot: slot() });
    else if (roll < 0.875) steps.push({ t: 'sign-out', device: device() });
    else if (roll < 0.89) steps.push({ t: 'sign-in', device: device() });
    else if (roll < 0.91) steps.push({ t: 'restart', device: device() });
    else steps.push({ t: 'wait', ms: random.pick([0, 20, 50, 150]) });
  }
  return steps;
}

export function describeStep(step: Step): string {
  const { t, ...rest } = step;
  return `${t} ${Object.entries(rest)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ')}`;
}
