-- Batched failure and hold reports (issue 13's throughput), the counterparts of
-- complete_outbox_sends (20261205150000_outbox_batch_complete.sql). fail_outbox and
-- hold_outbox take one row a call: a throttled or disconnected channel gives back every
-- claim it holds, one request and six database round trips each. fail_outbox_sends and
-- hold_outbox_sends take a group of rows in one call with the single functions' rules per
-- row: only the worker holding the claim changes a row (another worker's row, or a row
-- already reported, answers null and is not touched, so a repeated report never counts an
-- attempt twice); a malformed report is refused whole, naming the entry, and changes
-- nothing. service_role only.

-- A processor's name, as every outbox report takes it: 1 to 200 characters.
create function private.check_outbox_worker(p_worker text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_worker is null or pg_catalog.char_length(p_worker) not between 1 and 200 then
    raise exception 'worker must be 1 to 200 characters' using errcode = 'invalid_parameter_value';
  end if;
end;
$$;
revoke all on function private.check_outbox_worker(text) from public, anon, authenticated;

-- The entries of a report, checked for what every report shares: a JSON array of 1 to 1000
-- objects, each with an "id" (a uuid) and an "error" (a non-empty string), naming each
-- outbox row once. p_what names the array in errors. Raises naming what is wrong.
create function private.outbox_report_entries(p_entries jsonb, p_what text)
returns table (n integer, outbox_id uuid, error text, entry jsonb)
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_count integer;
  v_bad integer;
begin
  if p_entries is null or pg_catalog.jsonb_typeof(p_entries) <> 'array' then
    raise exception '% must be a JSON array of objects with an id and an error', p_what
      using errcode = 'invalid_parameter_value';
  end if;
  v_count := pg_catalog.jsonb_array_length(p_entries);
  if v_count not between 1 and 1000 then
    raise exception '% must hold 1 to 1000 entries, got %', p_what, v_count using errcode = 'invalid_parameter_value';
  end if;
  select min(e.n) into v_bad
  from pg_catalog.jsonb_array_elements(p_entries) with ordinality e (v, n)
  where pg_catalog.jsonb_typeof(e.v) <> 'object'
    or pg_catalog.jsonb_typeof(e.v -> 'id') is distinct from 'string'
    or (e.v ->> 'id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    or pg_catalog.jsonb_typeof(e.v -> 'error') is distinct from 'string'
    or (e.v ->> 'error') = '';
  if v_bad is not null then
    raise exception '%[%] must have "id": a uuid and "error": a non-empty string', p_what, v_bad - 1
      using errcode = 'invalid_parameter_value';
  end if;
  if (select pg_catalog.count(distinct e.v ->> 'id') from pg_catalog.jsonb_array_elements(p_entries) e (v)) <> v_count then
    raise exception '% must name each outbox row once', p_what using errcode = 'invalid_parameter_value';
  end if;
  -- Errors are kept to 2000 characters, as fail_outbox and hold_outbox keep them.
  return query
  select e.n::integer, (e.v ->> 'id')::uuid, pg_catalog.left(e.v ->> 'error', 2000), e.v
  from pg_catalog.jsonb_array_elements(p_entries) with ordinality e (v, n);
end;
$$;
revoke all on function private.outbox_report_entries(jsonb, text) from public, anon, authenticated;

-- Whether an entry's optional field is absent, null, or a whole number of seconds from 0 to
-- a day (the longest Retry-After the adapters pass on).
create function private.optional_seconds(p_entry jsonb, p_field text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select case pg_catalog.jsonb_typeof(p_entry -> p_field)
    when 'number' then (p_entry ->> p_field) ~ '^[0-9]+$' and (p_entry ->> p_field)::numeric <= 86400
    else p_entry -> p_field is null or pg_catalog.jsonb_typeof(p_entry -> p_field) = 'null'
  end
$$;
revoke all on function private.optional_seconds(jsonb, text) from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------
-- fail_outbox_sends: these sends did not go through. p_failures: [{"id", "error",
-- "retryable": boolean, "retry_after_seconds"?: 0 to 86400 or null}]. Per row, fail_outbox's
-- rules: retry_after_seconds set (a 429) pauses the channel that long (the longest of the
-- report's waits per channel) and requeues the row with its attempt refunded; retryable with
-- fewer than 5 attempts made requeues it after the backoff; otherwise the message fails with
-- its error. Returns, per id given, 'queued', 'failed', or null when p_worker does not hold
-- the claim.
-- ---------------------------------------------------------------------------------------
create function public.fail_outbox_sends(p_worker text, p_failures jsonb, p_backoff_base_seconds integer default 60)
returns table (outbox_id uuid, status text)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_bad integer;
  v_outcomes jsonb;
  v_group record;
begin
  perform private.check_outbox_worker(p_worker);
  if p_backoff_base_seconds is null or p_backoff_base_seconds < 0 then
    raise exception 'backoff base must be 0 or more seconds, got %', p_backoff_base_seconds
      using errcode = 'invalid_parameter_value';
  end if;
  select min(e.n) into v_bad
  from private.outbox_report_entries(p_failures, 'failures') e
  where pg_catalog.jsonb_typeof(e.entry -> 'retryable') is distinct from 'boolean'
    or not private.optional_seconds(e.entry, 'retry_after_seconds');
  if v_bad is not null then
    raise exception 'failures[%] must have "retryable": true or false and "retry_after_seconds": absent, null or 0 to 86400', v_bad - 1
      using errcode = 'invalid_parameter_value';
  end if;

  -- The worker's claims among them, locked in id order (two reports never deadlock), each
  -- with what becomes of it: a wait before its next attempt, or none (it fails).
  select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
      'id', l.id, 'channel_id', l.channel_id, 'error', l.error,
      'throttled', l.retry_after is not null,
      'wait', case
        when l.retry_after is not null then l.retry_after::numeric
        when l.retryable and l.attempts < 5
          then extract(epoch from private.outbox_backoff(l.attempts, p_backoff_base_seconds))
      end) order by l.id)
  into v_outcomes
  from (
    select o.id, o.channel_id, o.attempts, f.error, (f.entry ->> 'retryable')::boolean as retryable,
      (f.entry ->> 'retry_after_seconds')::integer as retry_after
    from private.outbox_report_entries(p_failures, 'failures') f
    join public.outbox_messages o on o.id = f.outbox_id
    where o.claimed_by = p_worker and o.status = 'sending'
    order by o.id
    for update of o
  ) l;

  -- A 429 pauses its channel, for the longest wait the report names for it.
  for v_group in
    select distinct on (r.channel_id) r.channel_id, r.wait, r.error
    from pg_catalog.jsonb_to_recordset(coalesce(v_outcomes, '[]')) r (channel_id uuid, wait numeric, error text, throttled boolean)
    where r.throttled
    order by r.channel_id, r.wait desc
  loop
    perform public.pause_channel(v_group.channel_id,
      pg_catalog.now() + pg_catalog.make_interval(secs => v_group.wait), v_group.error);
  end loop;

  update public.outbox_messages o
  set status = 'queued', last_error = r.error, claimed_by = null, claimed_at = null,
      attempts = case when r.throttled then greatest(o.attempts - 1, 0) else o.attempts end,
      next_attempt_at = pg_catalog.now() + pg_catalog.make_interval(secs => r.wait), updated_at = pg_catalog.now()
  from pg_catalog.jsonb_to_recordset(coalesce(v_outcomes, '[]')) r (id uuid, wait numeric, error text, throttled boolean)
  where o.id = r.id and r.wait is not null;

  -- The rest fail, with their messages (one call per distinct error).
  for v_group in
    select r.error, pg_catalog.array_agg(r.id order by r.id) as ids
    from pg_catalog.jsonb_to_recordset(coalesce(v_outcomes, '[]')) r (id uuid, wait numeric, error text)
    where r.wait is null
    group by r.error
  loop
    perform private.fail_outbox_rows(v_group.ids, v_group.error);
  end loop;

  return query
  select f.outbox_id, case when r.id is null then null when r.wait is null then 'failed' else 'queued' end
  from private.outbox_report_entries(p_failures, 'failures') f
  left join pg_catalog.jsonb_to_recordset(coalesce(v_outcomes, '[]')) r (id uuid, wait numeric) on r.id = f.outbox_id
  order by f.n;
end;
$$;
revoke all on function public.fail_outbox_sends(text, jsonb, integer) from public, anon, authenticated;
grant execute on function public.fail_outbox_sends(text, jsonb, integer) to service_role;

-- ---------------------------------------------------------------------------------------
-- hold_outbox_sends: these sends did not happen for a reason that is not the message's.
-- p_holds: [{"id", "error", "delay_seconds"?: 0 to 86400 or null (0)}]. Per row,
-- hold_outbox's rules: back to the queue after its delay with its attempt given back.
-- Returns, per id given, the row's new status ('queued', or what a campaign's hold made of
-- it), or null when p_worker does not hold the claim.
-- ---------------------------------------------------------------------------------------
create function public.hold_outbox_sends(p_worker text, p_holds jsonb)
returns table (outbox_id uuid, status text)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_bad integer;
  v_held jsonb;
begin
  perform private.check_outbox_worker(p_worker);
  select min(e.n) into v_bad
  from private.outbox_report_entries(p_holds, 'holds') e
  where not private.optional_seconds(e.entry, 'delay_seconds');
  if v_bad is not null then
    raise exception 'holds[%] must have "delay_seconds": absent, null or 0 to 86400', v_bad - 1
      using errcode = 'invalid_parameter_value';
  end if;

  with mine as (
    -- The worker's claims among them, locked in id order (two reports never deadlock).
    select o.id, h.error, coalesce((h.entry ->> 'delay_seconds')::integer, 0) as delay
    from private.outbox_report_entries(p_holds, 'holds') h
    join public.outbox_messages o on o.id = h.outbox_id
    where o.claimed_by = p_worker and o.status = 'sending'
    order by o.id
    for update of o
  ), held as (
    update public.outbox_messages o
    set status = 'queued', attempts = greatest(o.attempts - 1, 0), last_error = mine.error,
        claimed_by = null, claimed_at = null,
        next_attempt_at = pg_catalog.now() + pg_catalog.make_interval(secs => mine.delay),
        updated_at = pg_catalog.now()
    from mine
    where o.id = mine.id
    returning o.id, o.status
  )
  select pg_catalog.jsonb_object_agg(held.id, held.status) into v_held from held;

  return query
  select h.outbox_id, v_held ->> h.outbox_id::text
  from private.outbox_report_entries(p_holds, 'holds') h
  order by h.n;
end;
$$;
revoke all on function public.hold_outbox_sends(text, jsonb) from public, anon, authenticated;
grant execute on function public.hold_outbox_sends(text, jsonb) to service_role;
