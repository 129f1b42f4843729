-- Claims by send slot (issue 13's many-channel benchmark). The fair claim
-- (20261204130100_fair_outbox_claim.sql) gave every channel the same number of rows per
-- claim, so each channel sent at the pace of the claims, not at its own rate: 20 channels
-- limited to 60–98 a second all sent ≈ 10 a second. Now a claim takes the rows whose send
-- slots come first over all channels (a channel's next free slot, then one gap per row): a
-- quiet channel's reply still goes first (its slot is now), and a fast channel gets as many
-- rows as its rate fills in the same time. It also locked up to p_limit rows of every
-- channel to use p_limit in all; now the candidates are read without locks and only the
-- chosen rows are locked (SKIP LOCKED: a row another worker holds is left to it). The rest
-- of claim_outbox is unchanged, restated in full.

-- Where a channel's next slot is (now at the earliest) and the shortest gap between its
-- sends (the rate's spacing or the owner's minimum delay): what a claim projects slots from.
create function private.claim_pace(p_channel public.channels)
returns table (start timestamptz, gap interval)
language sql
stable
-- One row: the planner's default guess of 1000 made the claim look costly enough to JIT-
-- compile it, ≈ 3 s a claim.
rows 1
set search_path = ''
as $$
  select greatest(coalesce(
      (select p.next_send_at from private.channel_pacing p where p.channel_id = p_channel.id),
      pg_catalog.now()), pg_catalog.now()),
    pg_catalog.make_interval(secs => greatest(60.0 / p_channel.rate_per_minute, p_channel.min_delay_ms / 1000.0))
$$;
revoke all on function private.claim_pace(public.channels) from public, anon, authenticated;

-- How many rows of a channel could get a slot within the horizon (all, up to p_limit, when
-- there is none).
create function private.claim_room(p_start timestamptz, p_gap interval, p_limit integer, p_horizon_seconds integer)
returns integer
language sql
stable
set search_path = ''
as $$
  select case
    when p_horizon_seconds is null then p_limit
    else least(p_limit, greatest(0, pg_catalog.floor(
      extract(epoch from pg_catalog.now() + pg_catalog.make_interval(secs => p_horizon_seconds) - p_start)
      / extract(epoch from p_gap))::integer + 1))
  end
$$;
revoke all on function private.claim_room(timestamptz, interval, integer, integer) from public, anon, authenticated;

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
  v_candidates uuid[];
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

  -- Candidates, read without locks: per channel its oldest due rows, as many as could get
  -- a slot within the horizon (a stopped worker's claims first), each with the slot it would
  -- get; the claim takes the p_limit rows whose slots come first over all channels.
  with paces as (
    select c.id as channel_id, s.start, s.gap,
      private.claim_room(s.start, s.gap, p_limit, p_horizon_seconds) as room
    from public.channels c
    cross join lateral private.claim_pace(c) s
    where (c.paused_until is null or c.paused_until <= pg_catalog.now())
      and c.status <> 'disconnected' and not c._deleted
  )
  select pg_catalog.array_agg(d.id order by d.first, d.projected, d.id)
  into v_candidates
  from (
    select r.id, r.first, p.start + (r.turn - 1) * p.gap as projected
    from (
      select l.id, l.channel_id, l.first,
        pg_catalog.row_number() over (partition by l.channel_id
          order by l.first, l.next_attempt_at, l.created_at, l.id) as turn
      from (
        select q.id, q.channel_id, q.next_attempt_at, q.created_at, 1 as first
        from paces p
        cross join lateral (
          select o.id, o.channel_id, o.next_attempt_at, o.created_at
          from public.outbox_messages o
          where o.channel_id = p.channel_id and o.status = 'queued' and o.next_attempt_at <= pg_catalog.now()
            and (o.scheduled_at is null or o.scheduled_at <= pg_catalog.now())
          order by o.next_attempt_at, o.created_at, o.id
          limit p_limit
        ) q
        union all
        -- Claims of a stopped worker go first.
        select o.id, o.channel_id, o.next_attempt_at, o.created_at, 0
        from public.outbox_messages o
        join paces p on p.channel_id = o.channel_id
        where o.status = 'sending' and o.attempts < 5 and o.claimed_at <= pg_catalog.now() - v_lease
      ) l
    ) r
    join paces p on p.channel_id = r.channel_id
    where r.turn <= p.room
    order by r.first, 3, r.id
    limit p_limit
  ) d;
  if v_candidates is null then
    return;
  end if;

  -- Locked in that order; a row another worker holds or took meanwhile is left out (SKIP
  -- LOCKED, and the conditions are checked again on the row's latest version).
  select pg_catalog.array_agg(l.id order by l.ord), pg_catalog.array_agg(l.channel_id order by l.ord)
  into v_rows, v_row_channels
  from (
    select o.id, o.channel_id, k.ord
    from unnest(v_candidates) with ordinality k (id, ord)
    join public.outbox_messages o on o.id = k.id
    where (o.status = 'queued' and o.next_attempt_at <= pg_catalog.now()
        and (o.scheduled_at is null or o.scheduled_at <= pg_catalog.now()))
      or (o.status = 'sending' and o.attempts < 5 and o.claimed_at <= pg_catalog.now() - v_lease)
    for update of o skip locked
  ) l;
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
