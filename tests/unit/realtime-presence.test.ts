import { expect, test } from 'vitest';
import { PresenceTracker } from '../../supabase/local/realtime/presence.ts';

test('track, re-track and untrack produce Phoenix presence diffs and state', () => {
  const presence = new PresenceTracker<string>();
  const first = presence.track('room', 'chan-a', 'alice', { status: 'online' });
  const ref = first.joins.alice!.metas[0]!.phx_ref;
  expect(first).toEqual({ joins: { alice: { metas: [{ status: 'online', phx_ref: ref }] } }, leaves: {} });
  presence.track('room', 'chan-b', 'alice', { status: 'away' });
  expect(presence.state('room').alice!.metas.map((m) => m.status)).toEqual(['online', 'away']);

  const again = presence.track('room', 'chan-a', 'alice', { status: 'busy' });
  expect(again.leaves).toEqual({ alice: { metas: [{ status: 'online', phx_ref: ref }] } });
  expect(again.joins.alice!.metas[0]).toMatchObject({ status: 'busy', phx_ref_prev: ref });

  expect(presence.untrack('room', 'chan-b')).toMatchObject({
    leaves: { alice: { metas: [{ status: 'away' }] } },
  });
  expect(presence.untrack('room', 'chan-b')).toBeUndefined();
  expect(presence.state('room')).toEqual({ alice: { metas: [again.joins.alice!.metas[0]] } });
  expect(presence.state('elsewhere')).toEqual({});
});
