// "Test connection": ask the channel's provider what it knows of the number with the stored
// credentials, and record it on the channel (record_channel_check). Meta: GET the phone
// number's fields, and that it belongs to the WABA; Whapi: GET /health. A refused credential
// is named; a connected channel whose credentials are refused becomes disconnected.
import type { ChannelAccess, ChannelRow } from '../_shared/channel-provider.ts';
import { phoneNumberFacts, wabaHasNumber } from '../_shared/cloud-api.ts';
import type { ServiceApi } from '../_shared/service-api.ts';
import { whapiHealth } from '../_shared/whapi-api.ts';

export interface CheckOutcome {
  ok: boolean;
  /** The request field the provider refused (access_token, app_secret, api_token, phone_number_id, waba_id). */
  field?: string;
  error?: string;
  channel: ChannelRow;
}

const CREDENTIAL_FIELDS = new Set(['access_token', 'app_secret', 'api_token']);

interface Verdict {
  ok: boolean;
  field?: string;
  error?: string;
  facts?: { phone_number?: string; verified_name?: string; quality_rating?: string };
}

function e164(display: string | undefined): string | undefined {
  const digits = display?.replace(/\D/g, '');
  return digits ? `+${digits}` : undefined;
}

async function cloudVerdict(access: ChannelAccess, channel: ChannelRow, timeoutMs: number): Promise<Verdict> {
  const account = access.cloudAccount!(timeoutMs);
  const phoneNumberId =
    channel.provider === 'simulator' ? channel.id : (channel.settings.phone_number_id ?? '');
  const number = await phoneNumberFacts(account, phoneNumberId);
  if (!number.ok) return number;
  if (channel.settings.waba_id) {
    const owned = await wabaHasNumber(account, channel.settings.waba_id, phoneNumberId);
    if (!owned.ok) return owned;
  }
  return {
    ok: true,
    facts: {
      ...(e164(number.facts.display_phone_number)
        ? { phone_number: e164(number.facts.display_phone_number) }
        : {}),
      ...(number.facts.verified_name ? { verified_name: number.facts.verified_name } : {}),
      ...(number.facts.quality_rating ? { quality_rating: number.facts.quality_rating } : {}),
    },
  };
}

async function whapiVerdict(access: ChannelAccess, timeoutMs: number): Promise<Verdict> {
  const health = await whapiHealth(access.whapiAccount!(timeoutMs));
  if (!health.ok) return health;
  if (health.facts.status !== 'AUTH') {
    return {
      ok: false,
      error: `the Whapi channel's WhatsApp session is ${health.facts.status}, not logged in: scan its QR code in Whapi's dashboard, then test again`,
    };
  }
  return {
    ok: true,
    facts: {
      ...(health.facts.userId ? { phone_number: e164(health.facts.userId) } : {}),
      ...(health.facts.name ? { verified_name: health.facts.name } : {}),
    },
  };
}

/** Whether a failed check blames a credential (rather than an id, or the provider's reach). */
export function refusedCredential(check: { ok: boolean; field?: string }): boolean {
  return !check.ok && check.field !== undefined && CREDENTIAL_FIELDS.has(check.field);
}

/**
 * Runs the provider's check and records what it learnt on the channel. With
 * `onRefusedCredential` (new credentials on trial), a refused credential calls it (to put the
 * old ones back) and leaves the channel's status as it was.
 */
export async function checkConnection(
  api: ServiceApi,
  access: ChannelAccess,
  channel: ChannelRow,
  timeoutMs: number,
  onRefusedCredential?: () => Promise<void>,
): Promise<CheckOutcome> {
  const verdict = access.whapiAccount
    ? await whapiVerdict(access, timeoutMs)
    : await cloudVerdict(access, channel, timeoutMs);
  const refused = refusedCredential(verdict);
  if (refused) await onRefusedCredential?.();
  // A success connects a pending or disconnected channel (releasing its held queue); a
  // degraded one stays paused until its pause ends, whatever a test says. Refused
  // credentials disconnect a channel, unless they were new ones and the old ones stay.
  const status = verdict.ok
    ? channel.status === 'pending' || channel.status === 'disconnected'
      ? 'connected'
      : undefined
    : refused && channel.status !== 'pending' && !onRefusedCredential
      ? 'disconnected'
      : undefined;
  const recorded = await api.rpc<ChannelRow>('record_channel_check', {
    p_channel_id: channel.id,
    p_check: {
      ok: verdict.ok,
      ...(status ? { status } : {}),
      ...verdict.facts,
      ...(verdict.error ? { error: verdict.error } : {}),
    },
  });
  return {
    ok: verdict.ok,
    ...(verdict.field ? { field: verdict.field } : {}),
    ...(verdict.error ? { error: verdict.error } : {}),
    channel: recorded,
  };
}
