-- Batched send reports (issue 13's throughput). complete_outbox (20261202000700_outbox.sql)
-- records one accepted send per call: through PostgREST that is a request and six database
-- round trips per message, which made the database, not the pacing, the processor's limit.
-- complete_outbox_sends records every send a processor saw accepted since its last report
-- in one call, with complete_outbox's rules per row: only the worker holding the claim may
-- record it; a row already sent by that worker counts as recorded (a retried report after a
-- lost answer); a row taken over by another worker is not touched. Exactly-once stays the
-- lease's: a processor that stops between a send and its report loses the claim, and the row
-- is claimed again only after the lease (at most 5 claims). service_role only.

-- The sends of one report, checked: a JSON array of 1 to 1000 {"id": uuid, "wa_message_id":
-- text} with distinct ids. Raises naming what is wrong.
create function private.outbox_sends_of(p_sends jsonb)
returns table (outbox_id uuid, wa_message_id text)
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_count integer;
  v_bad integer;
begin
  if p_sends is null or pg_catalog.jsonb_typeof(p_sends) <> 'array' then
    raise exception 'sends must be a JSON array of {id, wa_message_id}' using errcode = 'invalid_parameter_value';
  end if;
  v_count := pg_catalog.jsonb_array_length(p_sends);
  if v_count not between 1 and 1000 then
    raise exception 'sends must hold 1 to 1000 entries, got %', v_count using errcode = 'invalid_parameter_value';
  end if;
  select min(e.n) into v_bad
  from pg_catalog.jsonb_array_elements(p_sends) with ordinality e (v, n)
  where pg_catalog.jsonb_typeof(e.v) <> 'object'
    or pg_catalog.jsonb_typeof(e.v -> 'id') is distinct from 'string'
    or (e.v ->> 'id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    or pg_catalog.jsonb_typeof(e.v -> 'wa_message_id') is distinct from 'string'
    or pg_catalog.char_length(e.v ->> 'wa_message_id') not between 1 and 200;
  if v_bad is not null then
    raise exception 'sends[%] must be {"id": a uuid, "wa_message_id": 1 to 200 characters}', v_bad - 1
      using errcode = 'invalid_parameter_value';
  end if;
  if (select pg_catalog.count(distinct e.v ->> 'id') from pg_catalog.jsonb_array_elements(p_sends) e (v)) <> v_count then
    raise exception 'sends must name each outbox row once' using errcode = 'invalid_parameter_value';
  end if;
  return query
  select (e.v ->> 'id')::uuid, e.v ->> 'wa_message_id' from pg_catalog.jsonb_array_elements(p_sends) e (v);
end;
$$;
revoke all on function private.outbox_sends_of(jsonb) from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------
-- complete_outbox_sends: the provider accepted these sends. Returns, per id given, whether
-- it is now recorded as sent by p_worker (complete_outbox's true/false).
-- ---------------------------------------------------------------------------------------
create function public.complete_outbox_sends(p_worker text, p_sends jsonb)
returns table (outbox_id uuid, recorded boolean)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_ids uuid[];
  v_messages uuid[];
  v_channels uuid[];
  v_wamids text[];
  v_was text[];
begin
  if p_worker is null or pg_catalog.char_length(p_worker) not between 1 and 200 then
    raise exception 'worker must be 1 to 200 characters' using errcode = 'invalid_parameter_value';
  end if;

  -- The worker's claims among them, locked in id order (two reports never deadlock).
  select pg_catalog.array_agg(l.id order by l.id), pg_catalog.array_agg(l.message_id order by l.id),
    pg_catalog.array_agg(l.channel_id order by l.id), pg_catalog.array_agg(l.wa_message_id order by l.id),
    pg_catalog.array_agg(l.status order by l.id)
  into v_ids, v_messages, v_channels, v_wamids, v_was
  from (
    select o.id, o.message_id, o.channel_id, s.wa_message_id, o.status
    from private.outbox_sends_of(p_sends) s
    join public.outbox_messages o on o.id = s.outbox_id
    where o.claimed_by = p_worker
    order by o.id
    for update of o
  ) l;

  -- Statement by statement, like complete_outbox: the rows' triggers see each step done.
  update public.outbox_messages o
  set status = 'sent', last_error = null, updated_at = pg_catalog.now()
  from unnest(v_ids, v_was) r (id, was)
  where o.id = r.id and r.was = 'sending';
  -- The id is recorded even if a webhook already moved the status on, so later status
  -- events can find the message.
  update public.messages m
  set wa_message_id = r.wa_message_id,
      status = case when private.message_status_moves_forward(m.status, 'sent') then 'sent' else m.status end
  from unnest(v_messages, v_wamids, v_was) r (message_id, wa_message_id, was)
  where m.id = r.message_id and r.was = 'sending';
  -- A send going through after the pause is the sign the channel recovered.
  update public.channels c
  set status = 'connected', degraded_reason = null, paused_until = null
  where c.id in (select r.channel_id from unnest(v_channels, v_was) r (channel_id, was) where r.was = 'sending')
    and c.status = 'degraded'
    and (c.paused_until is null or c.paused_until <= pg_catalog.now());

  return query
  select s.outbox_id, coalesce(r.was in ('sending', 'sent'), false)
  from private.outbox_sends_of(p_sends) s
  left join unnest(v_ids, v_was) r (id, was) on r.id = s.outbox_id;
end;
$$;
revoke all on function public.complete_outbox_sends(text, jsonb) from public, anon, authenticated;
grant execute on function public.complete_outbox_sends(text, jsonb) to service_role;
