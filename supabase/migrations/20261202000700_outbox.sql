-- The outbox processor's core and the provider webhooks' writes (DESIGN.md: the outbox,
-- webhooks): paced claiming, each send's outcome, the pause of a throttled channel, status
-- events and inbound messages. The process-outbox and webhooks functions (or pg_cron on
-- hosted Supabase) call these through service_role; no client role may call them.
--
-- They are SECURITY DEFINER (search_path pinned) rather than invoker functions: they must
-- write outbox_messages, messages and channels past RLS, and a definer function keeps that
-- true whatever grants service_role ends up with on a given Supabase project. The grants
-- are the only way in.
--
-- The attempt rules:
--  - An attempt is a send started: claim_outbox counts it when it hands a row out. A row
--    taken over after an expired lease therefore counts its lost send too, so a message
--    that crashes its worker every time stops after 5 claims instead of retrying forever.
--  - "At most 5 attempts" means at most 5 sends in total, first send included. A 429
--    refunds its attempt (the provider refused to look at it); nothing else does.
--  - Outbox status 'paused' is never claimed: it is the holding state of campaigns that are
--    launching or paused, resumed by whoever paused them.
--  - Rows of a disconnected or deleted channel are not claimed; they wait in the queue.

-- The delay before retry n (n = attempts made so far, from 1): base, 2 base, 4 base, 8 base,
-- then 16 base for every later retry. The base is a parameter so tests can run the schedule
-- in seconds instead of minutes.
create function private.outbox_backoff(p_attempts integer, p_base_seconds integer) returns interval
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.make_interval(
    secs => p_base_seconds * pg_catalog.power(2, least(greatest(p_attempts, 1) - 1, 4))::integer
  )
$$;
revoke all on function private.outbox_backoff(integer, integer) from public;

-- ---------------------------------------------------------------------------------------
-- Pacing: the next free send slot of each channel. Kept out of public.channels because
-- every claim advances it, and a channels update would replicate to every client.
-- ---------------------------------------------------------------------------------------

create table private.channel_pacing (
  channel_id uuid primary key references public.channels (id) on delete cascade,
  next_send_at timestamptz not null
);
revoke all on private.channel_pacing from public;

-- The pause after a send of the channel: the rate's spacing, or the random delay the owner
-- asked for when that is longer (the rate is a ceiling; the delay breaks regular timing).
create function private.send_gap(p_channel public.channels) returns interval
language sql
volatile
set search_path = ''
as $$
  select pg_catalog.make_interval(secs => greatest(
    60.0 / p_channel.rate_per_minute,
    (p_channel.min_delay_ms + pg_catalog.random() * (p_channel.max_delay_ms - p_channel.min_delay_ms)) / 1000.0
  ))
$$;
revoke all on function private.send_gap(public.channels) from public;

-- ---------------------------------------------------------------------------------------
-- claim_outbox: up to p_limit due rows for worker p_worker, oldest first, each with the
-- send slot reserved for it (send_delay_ms: the caller sends no earlier). Slots of a channel are
-- spaced by send_gap and reserved under a lock of the channel's pacing row, so pacing holds
-- across any number of concurrent workers. p_horizon_seconds bounds how far ahead slots are
-- reserved (a row whose slot would fall later stays queued); null means no bound, for
-- callers that do not wait for the slot. The lease must outlast the wait plus the send.
--
-- Due: queued with next_attempt_at and scheduled_at passed, or 'sending' under a claim older
-- than p_lease_seconds (its worker crashed); on a channel neither paused, disconnected nor
-- deleted. A taken-over row that has used its 5 attempts fails instead of a 6th send.
-- SKIP LOCKED lets concurrent workers each take different rows without waiting.
-- ---------------------------------------------------------------------------------------
create function public.claim_outbox(
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

  select pg_catalog.array_agg(d.id order by d.next_attempt_at, d.created_at, d.id),
         pg_catalog.array_agg(d.channel_id order by d.next_attempt_at, d.created_at, d.id)
  into v_rows, v_row_channels
  from (
    select o.id, o.channel_id, o.next_attempt_at, o.created_at
    from public.outbox_messages o
    join public.channels c on c.id = o.channel_id
    where ((o.status = 'queued' and o.next_attempt_at <= pg_catalog.now())
           or (o.status = 'sending' and o.attempts < 5 and o.claimed_at <= pg_catalog.now() - v_lease))
      and (o.scheduled_at is null or o.scheduled_at <= pg_catalog.now())
      and (c.paused_until is null or c.paused_until <= pg_catalog.now())
      and c.status <> 'disconnected' and not c._deleted
    order by o.next_attempt_at, o.created_at, o.id
    limit p_limit
    -- Only the outbox rows: the channel row stays free for its owners to edit.
    for update of o skip locked
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

-- ---------------------------------------------------------------------------------------
-- complete_outbox: the provider accepted the send. Returns true when the row is sent by
-- p_worker (again true on a repeated call: a worker retrying its own report after a lost
-- response must not see an error), false when p_worker does not hold the claim, e.g. its
-- lease expired and another worker took the row over.
-- ---------------------------------------------------------------------------------------
create function public.complete_outbox(p_id uuid, p_worker text, p_wa_message_id text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.outbox_messages;
begin
  select * into v_row from public.outbox_messages o where o.id = p_id for update;
  if not found or v_row.claimed_by is distinct from p_worker then
    return false;
  end if;
  if v_row.status = 'sent' then
    return true;
  end if;
  if v_row.status <> 'sending' then
    return false;
  end if;

  update public.outbox_messages o
  set status = 'sent', last_error = null, updated_at = pg_catalog.now()
  where o.id = p_id;
  -- The id is recorded even if a webhook already moved the status on, so later status
  -- events can find the message.
  update public.messages m
  set wa_message_id = p_wa_message_id,
      status = case when private.message_status_moves_forward(m.status, 'sent') then 'sent' else m.status end
  where m.id = v_row.message_id;
  -- A send going through after the pause is the sign the channel recovered.
  update public.channels c
  set status = 'connected', degraded_reason = null, paused_until = null
  where c.id = v_row.channel_id and c.status = 'degraded'
    and (c.paused_until is null or c.paused_until <= pg_catalog.now());
  return true;
end;
$$;
revoke all on function public.complete_outbox(uuid, text, text) from public, anon, authenticated;
grant execute on function public.complete_outbox(uuid, text, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- pause_channel: the provider throttled the channel (HTTP 429). Nothing of the channel is
-- claimed before p_until; a later pause never shortens an earlier one.
-- ---------------------------------------------------------------------------------------
create function public.pause_channel(p_channel_id uuid, p_until timestamptz, p_reason text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.channels c
  set paused_until = greatest(c.paused_until, p_until),
      status = 'degraded',
      degraded_reason = pg_catalog.left(p_reason, 1000)
  where c.id = p_channel_id;
end;
$$;
revoke all on function public.pause_channel(uuid, timestamptz, text) from public, anon, authenticated;
grant execute on function public.pause_channel(uuid, timestamptz, text) to service_role;

-- ---------------------------------------------------------------------------------------
-- fail_outbox: the send did not go through. Returns the row's new status ('queued' or
-- 'failed'), or null when p_worker does not hold the claim (nothing changes, so a repeated
-- report never counts an attempt twice).
--  - p_retry_after_seconds set (a 429): the channel pauses for that long and the row goes
--    back to the queue with its attempt refunded.
--  - retryable with fewer than 5 attempts made: back to the queue after the backoff.
--  - otherwise terminal: the message fails with p_error, which users see.
-- ---------------------------------------------------------------------------------------
create function public.fail_outbox(
  p_id uuid,
  p_worker text,
  p_error text,
  p_retryable boolean,
  p_retry_after_seconds integer default null,
  p_backoff_base_seconds integer default 60
) returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.outbox_messages;
  v_error text := pg_catalog.left(coalesce(p_error, 'unknown error'), 2000);
  v_wait interval;
begin
  if p_backoff_base_seconds is null or p_backoff_base_seconds < 0 then
    raise exception 'backoff base must be 0 or more seconds, got %', p_backoff_base_seconds
      using errcode = 'invalid_parameter_value';
  end if;
  select * into v_row from public.outbox_messages o where o.id = p_id for update;
  if not found or v_row.status <> 'sending' or v_row.claimed_by is distinct from p_worker then
    return null;
  end if;

  if p_retry_after_seconds is not null then
    v_wait := pg_catalog.make_interval(secs => greatest(p_retry_after_seconds, 0));
    perform public.pause_channel(v_row.channel_id, pg_catalog.now() + v_wait, v_error);
  elsif coalesce(p_retryable, false) and v_row.attempts < 5 then
    v_wait := private.outbox_backoff(v_row.attempts, p_backoff_base_seconds);
  else
    perform private.fail_outbox_rows(array[p_id], v_error);
    return 'failed';
  end if;

  update public.outbox_messages o
  set status = 'queued', last_error = v_error, claimed_by = null, claimed_at = null,
      attempts = case when p_retry_after_seconds is null then o.attempts else greatest(o.attempts - 1, 0) end,
      next_attempt_at = pg_catalog.now() + v_wait, updated_at = pg_catalog.now()
  where o.id = p_id;
  return 'queued';
end;
$$;
revoke all on function public.fail_outbox(uuid, text, text, boolean, integer, integer)
  from public, anon, authenticated;
grant execute on function public.fail_outbox(uuid, text, text, boolean, integer, integer) to service_role;

-- ---------------------------------------------------------------------------------------
-- Status events that arrive before their message's wamid is stored. The provider may report
-- 'sent' or 'delivered' before complete_outbox has recorded the id its send answered with;
-- such events wait here and complete_outbox applies them (forward only) in the transaction
-- that stores the id (private.apply_held_status_events). Events for ids nobody ever stores
-- (sends made outside Pigeon) expire after 2 days. An advisory lock on (channel, wamid)
-- orders the two sides, so an event is either seen by the message update or held and seen
-- by complete_outbox.
-- ---------------------------------------------------------------------------------------
create table private.held_status_events (
  channel_id uuid not null references public.channels (id) on delete cascade,
  wa_message_id text not null,
  status text not null check (status in ('sent', 'delivered', 'read', 'failed')),
  error text,
  received_at timestamptz not null default now(),
  primary key (channel_id, wa_message_id, status)
);
create index held_status_events_received_idx on private.held_status_events (received_at);
alter table private.held_status_events enable row level security;
revoke all on private.held_status_events from public;

create function private.lock_wamid(p_channel_id uuid, p_wa_message_id text) returns void
language sql
volatile
set search_path = ''
as $$
  select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(p_channel_id::text || ':' || p_wa_message_id, 0))
$$;
revoke all on function private.lock_wamid(uuid, text) from public;

-- What users see of a failure the provider reported.
create function private.provider_error(p_error text) returns text
language sql
immutable
set search_path = ''
as $$ select pg_catalog.left(coalesce(p_error, 'the provider reported the message failed'), 2000) $$;
revoke all on function private.provider_error(text) from public;

-- Moves the outbound message of (channel, wamid) to p_status if that is forward; true when it did.
create function private.apply_status_event(
  p_channel_id uuid, p_wa_message_id text, p_status text, p_error text
) returns boolean
language plpgsql
set search_path = ''
as $$
begin
  update public.messages m
  set status = p_status,
      error = case when p_status = 'failed' then private.provider_error(p_error) else m.error end
  where m.channel_id = p_channel_id and m.wa_message_id = p_wa_message_id and m.direction = 'out'
    and private.message_status_moves_forward(m.status, p_status);
  return found;
end;
$$;
revoke all on function private.apply_status_event(uuid, text, text, text) from public;

-- When complete_outbox stores a message's wamid: under the wamid's lock (taken before the row
-- changes, so a webhook either saw the id or held its event), the held events move the row
-- forward, in status order, and are dropped.
create function private.apply_held_status_events() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_event record;
begin
  perform private.lock_wamid(new.channel_id, new.wa_message_id);
  for v_event in
    select h.status, h.error from private.held_status_events h
    where h.channel_id = new.channel_id and h.wa_message_id = new.wa_message_id
    order by pg_catalog.array_position(array['sent', 'delivered', 'read', 'failed'], h.status)
  loop
    if private.message_status_moves_forward(new.status, v_event.status) then
      new.status := v_event.status;
      new.error := case when v_event.status = 'failed' then private.provider_error(v_event.error) else new.error end;
    end if;
  end loop;
  delete from private.held_status_events h
  where h.channel_id = new.channel_id and h.wa_message_id = new.wa_message_id;
  return new;
end;
$$;
revoke all on function private.apply_held_status_events() from public;

-- Named to fire before guard_message, which then checks the step as any other.
create trigger apply_held_status_events before update of wa_message_id on public.messages
  for each row when (new.wa_message_id is not null and new.wa_message_id is distinct from old.wa_message_id
                     and new.direction = 'out')
  execute function private.apply_held_status_events();

-- ---------------------------------------------------------------------------------------
-- record_provider_events(channel, statuses, messages): provider events, already checked for
-- signature and shape by the webhooks function, applied to one channel in one transaction.
--  statuses: [{id, status: sent | delivered | read | failed, error?}] — moves the outbound
--    message with that wa_message_id forward; a stale event is skipped quietly; an event for
--    a wamid no message has yet is held until complete_outbox stores it (above).
--  messages: [{id, from: E.164, body}] — an inbound message, inserted once per
--    (channel, id) with its chat (linked to the workspace's contact of that phone).
-- Returns {statuses_applied, statuses_skipped, statuses_held, messages_created, messages_duplicate}.
-- A malformed event raises (invalid_parameter_value) and nothing of the call is written.
-- ---------------------------------------------------------------------------------------
create function public.record_provider_events(
  p_channel_id uuid,
  p_statuses jsonb,
  p_messages jsonb
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_channel public.channels;
  v_event jsonb;
  v_phone text;
  v_chat_id uuid;
  v_contact_id uuid;
  -- Inbound messages are dated when they arrive: provider timestamps have a one-second grain,
  -- so a quick reply would sort before the message it answers.
  v_at timestamptz := pg_catalog.now();
  v_applied integer := 0;
  v_skipped integer := 0;
  v_held integer := 0;
  v_created integer := 0;
  v_duplicate integer := 0;
  i integer := 0;
begin
  select * into v_channel from public.channels c where c.id = p_channel_id and not c._deleted;
  if not found then
    raise exception 'channel % does not exist', p_channel_id using errcode = 'invalid_parameter_value';
  end if;
  if pg_catalog.jsonb_typeof(p_statuses) is distinct from 'array'
     or pg_catalog.jsonb_typeof(p_messages) is distinct from 'array' then
    raise exception 'statuses and messages must be JSON arrays' using errcode = 'invalid_parameter_value';
  end if;
  if pg_catalog.jsonb_array_length(p_statuses) + pg_catalog.jsonb_array_length(p_messages) > 1000 then
    raise exception 'at most 1000 events per call' using errcode = 'invalid_parameter_value';
  end if;

  for v_event in select s.value from pg_catalog.jsonb_array_elements(p_statuses) s loop
    i := i + 1;
    if pg_catalog.jsonb_typeof(v_event -> 'id') is distinct from 'string'
       or pg_catalog.char_length(v_event ->> 'id') not between 1 and 200
       or (v_event ->> 'status') is null
       or (v_event ->> 'status') not in ('sent', 'delivered', 'read', 'failed') then
      raise exception 'status event % needs an id (1 to 200 characters) and a status of sent, delivered, read or failed', i
        using errcode = 'invalid_parameter_value';
    end if;
  end loop;

  delete from private.held_status_events h where h.received_at < pg_catalog.now() - interval '2 days';
  -- In wamid order: two deliveries naming the same unknown wamids take their locks alike.
  for v_event in
    select s.value from pg_catalog.jsonb_array_elements(p_statuses) with ordinality s
    order by s.value ->> 'id', s.ordinality
  loop
    if private.apply_status_event(v_channel.id, v_event ->> 'id', v_event ->> 'status', v_event ->> 'error') then
      v_applied := v_applied + 1;
      continue;
    end if;
    -- Not applied: stale, or no message has this wamid yet. Look again under the lock
    -- complete_outbox takes to store it.
    perform private.lock_wamid(v_channel.id, v_event ->> 'id');
    if private.apply_status_event(v_channel.id, v_event ->> 'id', v_event ->> 'status', v_event ->> 'error') then
      v_applied := v_applied + 1;
    elsif exists (
      select 1 from public.messages m
      where m.channel_id = v_channel.id and m.wa_message_id = v_event ->> 'id' and m.direction = 'out'
    ) then
      v_skipped := v_skipped + 1;
    else
      insert into private.held_status_events (channel_id, wa_message_id, status, error)
      values (v_channel.id, v_event ->> 'id', v_event ->> 'status', pg_catalog.left(v_event ->> 'error', 2000))
      on conflict on constraint held_status_events_pkey do nothing;
      v_held := v_held + 1;
    end if;
  end loop;

  i := 0;
  for v_event in select s.value from pg_catalog.jsonb_array_elements(p_messages) s loop
    i := i + 1;
    v_phone := v_event ->> 'from';
    if pg_catalog.jsonb_typeof(v_event -> 'id') is distinct from 'string'
       or pg_catalog.char_length(v_event ->> 'id') not between 1 and 200
       or pg_catalog.jsonb_typeof(v_event -> 'from') is distinct from 'string'
       or v_phone !~ '^\+[1-9][0-9]{6,14}$'
       or pg_catalog.jsonb_typeof(v_event -> 'body') is distinct from 'string'
       or pg_catalog.char_length(v_event ->> 'body') not between 1 and 4096 then
      raise exception 'inbound message % needs an id (1 to 200 characters), from (E.164) and a body of 1 to 4096 characters', i
        using errcode = 'invalid_parameter_value';
    end if;

    select c.id into v_contact_id from public.contacts c
    where c.id = private.contact_id(v_channel.workspace_id, v_phone) and not c._deleted;
    v_chat_id := private.upsert_chat(v_channel, v_phone, v_contact_id, null);

    insert into public.messages (id, workspace_id, channel_id, chat_id, contact_id, direction, phone,
      body, status, wa_message_id, created_at)
    values (pg_catalog.gen_random_uuid(), v_channel.workspace_id, v_channel.id, v_chat_id, v_contact_id,
      'in', v_phone, v_event ->> 'body', 'delivered', v_event ->> 'id', v_at)
    on conflict (channel_id, wa_message_id) do nothing;
    if not found then
      v_duplicate := v_duplicate + 1;
      continue;
    end if;
    v_created := v_created + 1;
    update public.chats ch
    set last_message_at = greatest(ch.last_message_at, v_at)
    where ch.id = v_chat_id;
  end loop;

  return pg_catalog.jsonb_build_object('statuses_applied', v_applied, 'statuses_skipped', v_skipped,
    'statuses_held', v_held, 'messages_created', v_created, 'messages_duplicate', v_duplicate);
end;
$$;
revoke all on function public.record_provider_events(uuid, jsonb, jsonb) from public, anon, authenticated;
grant execute on function public.record_provider_events(uuid, jsonb, jsonb) to service_role;
