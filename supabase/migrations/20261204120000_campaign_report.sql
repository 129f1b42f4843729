-- The per-recipient campaign report and its "Retry failed" (issue 15 item 6).
--
-- 1. When each step happened. A message knew when it was queued (created_at) and first sent
--    (sent_at), not when it was delivered, read or failed: the report shows every step, so the
--    server stamps each the first time the status reaches it (a read that arrives before its
--    delivery report also stamps delivered: the provider can only read what it delivered).
-- 2. Who may retry. Retrying failed recipients spends the workspace's quota again, a decision
--    of the people who run the workspace: owners and admins (private.can_retry_campaign). Any
--    member could call retry_campaign before; an agent is now refused, as a member of another
--    workspace already was. The rest of retry_campaign is unchanged (restated in full because
--    migrations are append-only): the failed recipients of the latest round only, once per
--    round (a repeated round is a replay), quota reserved again, never a delivered one.

alter table public.messages
  add column delivered_at timestamptz,
  add column read_at timestamptz,
  add column failed_at timestamptz;

create function private.stamp_message_steps() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.direction <> 'out' then
    return new;
  end if;
  if new.status in ('delivered', 'read') and new.delivered_at is null then
    new.delivered_at := pg_catalog.now();
  end if;
  if new.status = 'read' and new.read_at is null then
    new.read_at := pg_catalog.now();
  end if;
  if new.status = 'failed' and new.failed_at is null then
    new.failed_at := pg_catalog.now();
  end if;
  return new;
end;
$$;
revoke all on function private.stamp_message_steps() from public;

create trigger stamp_message_steps before insert or update of status on public.messages
  for each row execute function private.stamp_message_steps();

-- The roles that may spend quota on a campaign again.
create function private.can_retry_campaign(p_workspace_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select public.has_role(p_workspace_id, array['owner', 'admin'])
$$;
revoke all on function private.can_retry_campaign(uuid) from public;

create or replace function public.retry_campaign(p_campaign_id uuid, p_round integer) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns;
  v_failed uuid[];
  v_count integer;
  v_reservation jsonb;
begin
  c := private.lock_campaign(p_campaign_id);
  if not private.can_retry_campaign(c.workspace_id) then
    raise exception 'only owners and admins can retry a campaign''s failed recipients'
      using errcode = 'insufficient_privilege';
  end if;
  if p_round is null or p_round not between 1 and 100 then
    raise exception 'round must be between 1 and 100 (got %)', coalesce(p_round::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if p_round <= c.retry_round then
    return private.campaign_reply(c.id, true);
  end if;
  if p_round <> c.retry_round + 1 then
    raise exception 'campaign % is at retry round %: the next retry is round %', c.id, c.retry_round, c.retry_round + 1
      using errcode = 'invalid_parameter_value';
  end if;
  if c.status <> 'completed' then
    raise exception 'campaign % is %: failed recipients can be retried once it has completed', c.id, c.status
      using errcode = 'invalid_parameter_value';
  end if;

  -- In the order they were first sent; never a recipient any round of this campaign reached.
  select coalesce(pg_catalog.array_agg(m.id order by m.created_at, m.id), '{}') into v_failed
  from public.messages m join public.contacts ct on ct.id = m.contact_id
  where m.campaign_id = c.id and m.campaign_round = c.retry_round and m.status = 'failed'
    and m.error is distinct from private.campaign_cancelled_error()
    and not ct.opted_out and not ct._deleted
    and not exists (
      select 1 from public.messages d
      where d.campaign_id = c.id and d.contact_id = m.contact_id
        and d.status in ('sent', 'delivered', 'read')
    );
  v_count := pg_catalog.cardinality(v_failed);
  if v_count = 0 then
    return private.campaign_reply(c.id, false, '{"retried": 0}');
  end if;

  v_reservation := private.reserve_campaign_quota(c, p_round, v_count);
  if not (v_reservation ->> 'granted')::boolean then
    return private.campaign_reply(c.id, false, pg_catalog.jsonb_build_object(
      'retried', 0, 'granted', false,
      'reason', pg_catalog.format('Not enough quota to retry: %s messages needed, %s left this month.',
        v_count, coalesce(v_reservation ->> 'available', v_reservation ->> 'remaining')),
      'quota', v_reservation));
  end if;

  -- Status first, so the counter trigger neither settles nor holds the new messages.
  update public.campaigns cc
  set retry_round = p_round, status = 'running', completed_at = null, blocked_reason = null,
      failed_count = cc.failed_count - v_count
  where cc.id = c.id;
  -- Each with its planned time, in the order above.
  with planned as (
    select m.*, t.at
    from pg_catalog.unnest(v_failed) with ordinality f (id, n)
    join public.messages m on m.id = f.id
    join private.campaign_send_times(c, v_count, pg_catalog.now()) with ordinality t (at, n) on t.n = f.n
  ), retried as (
    insert into public.messages (id, workspace_id, channel_id, chat_id, contact_id, direction, phone, body,
      campaign_id, campaign_round)
    select private.campaign_message_id(c.id, p.contact_id, p_round), p.workspace_id, p.channel_id, p.chat_id,
      p.contact_id, 'out', p.phone, p.body, c.id, p_round
    from planned p
    returning id, workspace_id, channel_id, contact_id
  )
  insert into public.outbox_messages (message_id, workspace_id, channel_id, campaign_id, scheduled_at)
  select r.id, r.workspace_id, r.channel_id, c.id, p.at
  from retried r join planned p on p.contact_id = r.contact_id;
  update public.campaigns cc set status = 'scheduled'
  where cc.id = c.id and not exists (
    select 1 from public.outbox_messages o
    where o.campaign_id = c.id and o.status = 'queued' and o.scheduled_at <= pg_catalog.now()
  );

  return private.campaign_reply(c.id, false,
    pg_catalog.jsonb_build_object('retried', v_count, 'granted', true, 'quota', v_reservation));
end;
$$;

revoke all on function public.retry_campaign(uuid, integer) from public, anon;
grant execute on function public.retry_campaign(uuid, integer) to authenticated;
