-- Fair claims (issue 13's many-channel benchmark). claim_outbox took the oldest due rows of
-- all channels: a channel with a backlog (a campaign of 5,000) filled every claim with its
-- own rows, whose slots its rate spreads beyond the horizon, so the other channels' rows,
-- even a single reply in a conversation, waited until that backlog was nearly sent. Now each
-- channel's oldest due rows take turns in the claim (the first row of every channel, then
-- the second, …), read per channel through an index of its queued rows. The rest of
-- claim_outbox (20261202000700_outbox.sql) is unchanged, restated in full.

create index outbox_messages_channel_queue_idx
  on public.outbox_messages (channel_id, next_attempt_at, created_at, id) where status = 'queued';

create or replace function public.claim_outbox(
  p_worker text,
  p_limit integer default 50,
  p_lease_seconds integer default 120,
  p_horizon_seconds integer default null
) returns table (
  outbox_id uuid,
  message_id uuid,
  channel_id uuid,
  workspace_id uuid,
  provider text,
  phone text,
  body text,
  -- Sends made before this one.
  attempts integer,
  -- Wait this long after receiving the claim before sending: relative, so the time the
  -- answer took to arrive shifts every slot of the claim alike and their spacing holds.
  send_delay_ms integer
)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_lease interval;
  v_exhausted uuid[];
  v_rows uuid[];
  v_row_channels uuid[];
  v_claim_ids uuid[] := '{}';
  v_claim_slots timestamptz[] := '{}';
  v_channel public.channels;
  v_slot timestamptz;
  i integer;
begin
  if p_worker is null or pg_catalog.char_length(p_worker) not between 1 and 200 then
    raise exception 'worker must be 1 to 200 characters' using errcode = 'invalid_parameter_value';
  end if;
  if p_limit is null or p_limit not between 1 and 1000 then
    raise exception 'limit must be 1 to 1000, got %', p_limit using errcode = 'invalid_parameter_value';
  end if;
  if p_lease_seconds is null or p_lease_seconds < 1 then
    raise exception 'lease must be at least 1 second, got %', p_lease_seconds
      using errcode = 'invalid_parameter_value';
  end if;
  if p_horizon_seconds is not null and p_horizon_seconds not between 0 and p_lease_seconds - 1 then
    raise exception 'horizon must be 0 seconds or more and shorter than the lease (% s), got %',
      p_lease_seconds, p_horizon_seconds using errcode = 'invalid_parameter_value';
  end if;
  v_lease := pg_catalog.make_interval(secs => p_lease_seconds);

  -- Abandoned claims with no attempt left: their lost sends were the 5th.
  select pg_catalog.array_agg(e.id) into v_exhausted
  from (
    select o.id from public.outbox_messages o
    where o.status = 'sending' and o.claimed_at <= pg_catalog.now() - v_lease and o.attempts >= 5
    for update skip locked
  ) e;
  if v_exhausted is not null then
    update public.outbox_messages o set claimed_by = null, claimed_at = null where o.id = any (v_exhausted);
    perform private.fail_outbox_rows(v_exhausted,
      'no outcome after 5 send attempts: the processor sending it stopped responding');
  end if;

  -- Each channel's oldest due rows take turns: the first of every channel, then the second…
  -- (a claimed-over row of a stopped worker goes first). Oldest first over all channels
  -- handed a backlogged channel every claim, while the others waited behind its horizon.
  select pg_catalog.array_agg(d.id order by d.turn, d.next_attempt_at, d.created_at, d.id),
         pg_catalog.array_agg(d.channel_id order by d.turn, d.next_attempt_at, d.created_at, d.id)
  into v_rows, v_row_channels
  from (
    select l.id, l.channel_id, l.next_attempt_at, l.created_at,
      pg_catalog.row_number() over (partition by l.channel_id
        order by l.next_attempt_at, l.created_at, l.id) - l.takeover as turn
    from (
      -- Per channel, its oldest due rows no other worker holds (locked here, in its index order).
      select q.*, 0 as takeover
      from public.channels c
      cross join lateral (
        select o.id, o.channel_id, o.next_attempt_at, o.created_at
        from public.outbox_messages o
        where o.channel_id = c.id and o.status = 'queued' and o.next_attempt_at <= pg_catalog.now()
          and (o.scheduled_at is null or o.scheduled_at <= pg_catalog.now())
        order by o.next_attempt_at, o.created_at, o.id
        limit p_limit
        for update of o skip locked
      ) q
      where (c.paused_until is null or c.paused_until <= pg_catalog.now())
        and c.status <> 'disconnected' and not c._deleted
      union all
      -- Claims of a stopped worker go first.
      select t.* from (
        select o.id, o.channel_id, o.next_attempt_at, o.created_at, p_limit as takeover
        from public.outbox_messages o
        join public.channels c on c.id = o.channel_id
        where o.status = 'sending' and o.attempts < 5 and o.claimed_at <= pg_catalog.now() - v_lease
          and (c.paused_until is null or c.paused_until <= pg_catalog.now())
          and c.status <> 'disconnected' and not c._deleted
        for update of o skip locked
      ) t
    ) l
    order by turn, l.next_attempt_at, l.created_at, l.id
    limit p_limit
  ) d;
  if v_rows is null then
    return;
  end if;

  -- Channels in id order, so two workers lock pacing rows alike and never deadlock.
  for v_channel in
    select c.* from public.channels c
    where c.id = any (v_row_channels)
    order by c.id
  loop
    insert into private.channel_pacing (channel_id, next_send_at)
    values (v_channel.id, pg_catalog.now())
    on conflict on constraint channel_pacing_pkey do nothing;
    select greatest(p.next_send_at, pg_catalog.now()) into v_slot
    from private.channel_pacing p where p.channel_id = v_channel.id
    for update;

    for i in 1 .. pg_catalog.array_length(v_rows, 1) loop
      continue when v_row_channels[i] <> v_channel.id;
      exit when p_horizon_seconds is not null
        and v_slot > pg_catalog.now() + pg_catalog.make_interval(secs => p_horizon_seconds);
      v_claim_ids := v_claim_ids || v_rows[i];
      v_claim_slots := v_claim_slots || v_slot;
      v_slot := v_slot + private.send_gap(v_channel);
    end loop;

    update private.channel_pacing p set next_send_at = v_slot where p.channel_id = v_channel.id;
  end loop;

  return query
  with slots as (
    select s.id, s.send_at from unnest(v_claim_ids, v_claim_slots) as s (id, send_at)
  ), claimed as (
    update public.outbox_messages o
    set status = 'sending', claimed_by = p_worker, claimed_at = pg_catalog.now(),
        attempts = o.attempts + 1, updated_at = pg_catalog.now()
    from slots
    where o.id = slots.id
    returning o.id, o.message_id, o.channel_id, o.workspace_id, o.attempts, slots.send_at
  ), marked as (
    -- A taken-over row's message is already 'sending'; the rule skips it instead of failing.
    update public.messages m
    set status = 'sending'
    from claimed
    where m.id = claimed.message_id and private.message_status_moves_forward(m.status, 'sending')
    returning m.id
  )
  select claimed.id, claimed.message_id, claimed.channel_id, claimed.workspace_id, c.provider,
    m.phone, m.body, claimed.attempts - 1,
    pg_catalog.ceil(extract(epoch from claimed.send_at - pg_catalog.now()) * 1000)::integer
  from claimed
  join public.messages m on m.id = claimed.message_id
  join public.channels c on c.id = claimed.channel_id
  order by claimed.send_at, claimed.id;
end;
$$;
revoke all on function public.claim_outbox(text, integer, integer, integer) from public, anon, authenticated;
grant execute on function public.claim_outbox(text, integer, integer, integer) to service_role;
