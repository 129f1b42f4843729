/**
 * A campaign's audience: every contact in any chosen group, with any chosen tag, or chosen by
 * hand, once each. Opted-out contacts are always left out, and every contact left out is
 * reported with the reason, so the user sees who will not get the message and why.
 *
 * Tags match ignoring case and surrounding spaces ("VIP" = "vip "): imports and typing
 * differ in case far more often than anyone means two different tags. Deleted contacts in a
 * group or with a tag are simply gone; a deleted or unknown contact chosen by hand is
 * reported. Each phone gets one message, even if a damaged copy lists it under two ids.
 */
import { isE164 } from './phone.ts';
import type { Contact } from './types.ts';

export interface CampaignAudience {
  group_ids: readonly string[];
  tags: readonly string[];
  contact_ids: readonly string[];
}

export type AudienceContact = Pick<
  Contact,
  'id' | 'phone' | 'name' | 'tags' | 'group_ids' | 'opted_out' | '_deleted'
>;

export type ExclusionReason =
  | 'opted_out'
  | 'deleted'
  | 'not_found'
  | 'invalid_phone'
  | 'duplicate_phone'
  // Set by preparation (campaign-prepare.ts), after rendering:
  | 'missing_variables'
  | 'empty_message'
  | 'too_long';

export interface Exclusion {
  contact_id: string;
  /** Null for a chosen contact that does not exist. */
  phone: string | null;
  name: string;
  reason: ExclusionReason;
}

export interface ResolvedAudience<C extends AudienceContact> {
  /** In the order the contacts were given. */
  recipients: C[];
  excluded: Exclusion[];
}

export function resolveAudience<C extends AudienceContact>(
  contacts: Iterable<C>,
  audience: CampaignAudience,
): ResolvedAudience<C> {
  const groups = new Set(audience.group_ids);
  const tags = new Set(audience.tags.map(tagKey));
  const chosen = new Set(audience.contact_ids);
  const seenChosen = new Set<string>();
  const phones = new Set<string>();
  const recipients: C[] = [];
  const excluded: Exclusion[] = [];
  const exclude = (contact: C, reason: ExclusionReason) =>
    excluded.push({ contact_id: contact.id, phone: contact.phone, name: contact.name, reason });

  for (const contact of contacts) {
    const byHand = chosen.has(contact.id);
    if (byHand) seenChosen.add(contact.id);
    const selected =
      byHand ||
      (groups.size > 0 && contact.group_ids.some((g) => groups.has(g))) ||
      (tags.size > 0 && contact.tags.some((t) => tags.has(tagKey(t))));
    if (!selected) continue;
    if (contact._deleted) {
      if (byHand) exclude(contact, 'deleted');
    } else if (contact.opted_out) {
      exclude(contact, 'opted_out');
    } else if (!isE164(contact.phone)) {
      exclude(contact, 'invalid_phone');
    } else if (phones.has(contact.phone)) {
      exclude(contact, 'duplicate_phone');
    } else {
      phones.add(contact.phone);
      recipients.push(contact);
    }
  }
  for (const id of chosen) {
    if (!seenChosen.has(id)) excluded.push({ contact_id: id, phone: null, name: '', reason: 'not_found' });
  }
  return { recipients, excluded };
}

/** How many were left out for each reason (reasons with none are absent). */
export function countExclusions(excluded: readonly Exclusion[]): Partial<Record<ExclusionReason, number>> {
  const counts: Partial<Record<ExclusionReason, number>> = {};
  for (const e of excluded) counts[e.reason] = (counts[e.reason] ?? 0) + 1;
  return counts;
}

function tagKey(tag: string): string {
  return tag.trim().toLowerCase();
}
