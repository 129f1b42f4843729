// How channels read to people: provider and status names, shared by the channel screens.
import type { ChannelProvider, ChannelStatus } from '../../domain/types.ts';

export const PROVIDER_LABELS: Record<ChannelProvider, string> = {
  meta: 'Meta Cloud API',
  whapi: 'Whapi.cloud',
  simulator: 'Simulator',
};

export const STATUS_LABELS: Record<ChannelStatus, string> = {
  pending: 'Pending',
  connected: 'Connected',
  degraded: 'Degraded',
  disconnected: 'Disconnected',
};

export const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
