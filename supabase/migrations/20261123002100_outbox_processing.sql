-- The outbox processor's core (DESIGN.md: the outbox): claim due rows, report each send's
-- outcome, pause a throttled channel. The process-outbox function (or pg_cron on hosted
-- Supabase) calls these through service_role; no client role may call them.
--
-- They are SECURITY DEFINER (search_path pinned) rather than invoker functions: they must
-- write outbox_messages, messages and channels past RLS, and a definer function keeps that
-- true whatever grants service_role ends up with on a given Supabase project. The grants
-- below are the only way in.

-- The delay before retry n (n = attempts made so far, from 1): base, 2 base, 4 base, 8 base,
-- then 16 base for every later retry. The base is a parameter so tests can run the schedule
-- in seconds instead of minutes.
create or replace function private.outbox_backoff(p_attempts integer, p_base_seconds integer) returns interval
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
-- claim_outbox: up to p_limit due rows for worker p_worker, oldest first. Due means queued
-- with next_attempt_at and scheduled_at passed on a channel that is not paused, or still
-- 'sending' under a claim older than p_lease_seconds (its worker crashed or hung; the
-- lease must be longer than a send can take, or two workers send the same message).
-- SKIP LOCKED lets concurrent workers each take different rows without waiting.
-- ---------------------------------------------------------------------------------------
create or replace function public.claim_outbox(
  p_worker text,
  p_limit integer default 50,
  p_lease_seconds integer default 120
) returns table (
  outbox_id uuid,
  message_id uuid,
  channel_id uuid,
  workspace_id uuid,
  phone text,
  body text,
  attempts integer
)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
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

  return query
  with due as (
    select o.id
    from public.outbox_messages o
    join public.channels c on c.id = o.channel_id
    where ((o.status = 'queued' and o.next_attempt_at <= pg_catalog.now())
           or (o.status = 'sending'
               and o.claimed_at <= pg_catalog.now() - pg_catalog.make_interval(secs => p_lease_seconds)))
      and (o.scheduled_at is null or o.scheduled_at <= pg_catalog.now())
      and (c.paused_until is null or c.paused_until <= pg_catalog.now())
    order by o.next_attempt_at, o.created_at, o.id
    limit p_limit
    -- Only the outbox rows: locking the channel would serialise every worker on it.
    for update of o skip locked
  ), claimed as (
    update public.outbox_messages o
    set status = 'sending', claimed_by = p_worker, claimed_at = pg_catalog.now(),
        updated_at = pg_catalog.now()
    from due
    where o.id = due.id
    returning o.id, o.message_id, o.channel_id, o.workspace_id, o.attempts, o.next_attempt_at,
      o.created_at
  ), marked as (
    -- A re-claimed row's message is already 'sending'; the rule skips it instead of failing.
    update public.messages m
    set status = 'sending'
    from claimed
    where m.id = claimed.message_id and private.message_status_moves_forward(m.status, 'sending')
    returning m.id
  )
  select claimed.id, claimed.message_id, claimed.channel_id, claimed.workspace_id, m.phone, m.body,
    claimed.attempts
  from claimed
  join public.messages m on m.id = claimed.message_id
  order by claimed.next_attempt_at, claimed.created_at, claimed.id;
end;
$$;
revoke all on function public.claim_outbox(text, integer, integer) from public, anon, authenticated;
grant execute on function public.claim_outbox(text, integer, integer) to service_role;

-- ---------------------------------------------------------------------------------------
-- complete_outbox: the provider accepted the send. Returns true when the row is sent by
-- p_worker (again true on a repeated call: a worker retrying its own report after a lost
-- response must not see an error), false when p_worker does not hold the claim, e.g. its
-- lease expired and another worker took the row over.
-- ---------------------------------------------------------------------------------------
create or replace function public.complete_outbox(p_id uuid, p_worker text, p_wa_message_id text)
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
create or replace function public.pause_channel(p_channel_id uuid, p_until timestamptz, p_reason text)
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
--  - p_retry_after_seconds set (a 429): the channel is paused for that long and the row
--    goes back to the queue without counting an attempt: the message was never tried.
--  - retryable and fewer than 5 attempts: back to the queue after the backoff.
--  - otherwise terminal: the message fails with p_error, which users see.
-- ---------------------------------------------------------------------------------------
create or replace function public.fail_outbox(
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
  v_attempts integer;
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
    perform public.pause_channel(v_row.channel_id,
      pg_catalog.now() + pg_catalog.make_interval(secs => greatest(p_retry_after_seconds, 0)), v_error);
    update public.outbox_messages o
    set status = 'queued', last_error = v_error, claimed_by = null, claimed_at = null,
        next_attempt_at = pg_catalog.now() + pg_catalog.make_interval(secs => greatest(p_retry_after_seconds, 0)),
        updated_at = pg_catalog.now()
    where o.id = p_id;
    return 'queued';
  end if;

  v_attempts := v_row.attempts + 1;
  if coalesce(p_retryable, false) and v_attempts < 5 then
    update public.outbox_messages o
    set status = 'queued', attempts = v_attempts, last_error = v_error, claimed_by = null,
        claimed_at = null,
        next_attempt_at = pg_catalog.now() + private.outbox_backoff(v_attempts, p_backoff_base_seconds),
        updated_at = pg_catalog.now()
    where o.id = p_id;
    return 'queued';
  end if;

  update public.outbox_messages o
  set status = 'failed', attempts = v_attempts, last_error = v_error, updated_at = pg_catalog.now()
  where o.id = p_id;
  update public.messages m
  set status = 'failed', error = v_error
  where m.id = v_row.message_id and private.message_status_moves_forward(m.status, 'failed');
  return 'failed';
end;
$$;
revoke all on function public.fail_outbox(uuid, text, text, boolean, integer, integer)
  from public, anon, authenticated;
grant execute on function public.fail_outbox(uuid, text, text, boolean, integer, integer) to service_role;
