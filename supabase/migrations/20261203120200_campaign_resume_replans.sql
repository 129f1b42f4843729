-- Resume re-plans what is left from now (issue 15 item 3). resume_campaign put every held
-- message back with the time planned at launch, most of them already past after a pause, so
-- the backlog went out at the channel's pace: a campaign paced at 12 a minute sent 8 in 7 s.
-- Now the held messages are planned again as a launch plans them
-- (private.campaign_send_times: window, weekdays, delays and rate), in their planned order,
-- from the later of now, the campaign's start, and one spacing after its last send.
create or replace function public.resume_campaign(p_campaign_id uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns := private.lock_campaign_for(p_campaign_id, '{scheduled,running}', '{paused}',
    'only a paused campaign can be resumed');
  v_start timestamptz;
  v_count integer;
  v_first timestamptz;
begin
  if c.id is not null then
    if not private.keep_reservation(c) then
      raise exception 'campaign % cannot resume: its quota reservation expired during the pause and the quota no longer covers it', c.id
        using errcode = 'invalid_parameter_value',
              hint = 'Raise the quota, or cancel the campaign.';
    end if;
    select greatest(pg_catalog.now(), c.start_at, pg_catalog.max(m.sent_at) + pg_catalog.make_interval(
             secs => greatest(pg_catalog.ceil(60000.0 / c.rate_per_minute), c.min_delay_ms) / 1000.0))
    into v_start
    from public.messages m where m.campaign_id = c.id;
    select pg_catalog.count(*)::integer into v_count
    from public.outbox_messages o where o.campaign_id = c.id and o.status = 'paused';
    select t.at into v_first from private.campaign_send_times(c, 1, v_start) t (at);
    -- The status first: the hold trigger keeps rows of a paused campaign held.
    update public.campaigns cc
    set status = case when (v_count > 0 and v_first <= pg_catalog.now()) or cc.sent_count > 0
                      then 'running' else 'scheduled' end
    where cc.id = c.id;
    with held as (
      select o.id,
        pg_catalog.row_number() over (order by o.scheduled_at nulls first, o.created_at, o.message_id) as n
      from public.outbox_messages o
      where o.campaign_id = c.id and o.status = 'paused'
    )
    update public.outbox_messages o
    set status = 'queued', scheduled_at = t.at, updated_at = pg_catalog.now()
    from held h
    join private.campaign_send_times(c, v_count, v_start) with ordinality t (at, n) on t.n = h.n
    where o.id = h.id;
    -- Everything may have finished during the pause.
    perform private.settle_campaign(c.id);
  end if;
  return private.campaign_reply(p_campaign_id, c.id is null);
end;
$$;
