-- What the processor does with each provider outcome beyond retry and fail
-- (supabase/functions/_shared/provider.ts: SendFailure): hold a message back without
-- spending an attempt, disconnect a channel whose credentials stopped working (its queue is
-- held until a reconnect), degrade and pause a restricted one; and the claim that also hands
-- out each message's template. service_role only, like the rest of the processor's functions
-- (20261123002100_outbox_processing.sql).

-- claim_outbox (20261123002200_outbox_delivery.sql) with each message's template.
create function public.claim_outbox_sends(
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
  attempts integer,
  send_delay_ms integer,
  template jsonb
)
language sql
volatile
security definer
set search_path = ''
as $$
  select c.outbox_id, c.message_id, c.channel_id, c.workspace_id, c.provider, c.phone, c.body, c.attempts,
    c.send_delay_ms, m.template
  from public.claim_outbox(p_worker, p_limit, p_lease_seconds, p_horizon_seconds) with ordinality c
  join public.messages m on m.id = c.message_id
  order by c.ordinality
$$;
revoke all on function public.claim_outbox_sends(text, integer, integer, integer) from public, anon, authenticated;
grant execute on function public.claim_outbox_sends(text, integer, integer, integer) to service_role;

-- ---------------------------------------------------------------------------------------
-- hold_outbox: the send did not happen for a reason that is not the message's (the channel
-- was disconnected or paused meanwhile, or the provider asks to wait for this recipient):
-- back to the queue after p_delay_seconds with its attempt given back. Returns 'queued' (or
-- what a campaign's hold made of it), null when p_worker does not hold the claim.
-- ---------------------------------------------------------------------------------------
create function public.hold_outbox(p_id uuid, p_worker text, p_error text, p_delay_seconds integer default 0)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.outbox_messages;
begin
  select * into v_row from public.outbox_messages o where o.id = p_id for update;
  if not found or v_row.status <> 'sending' or v_row.claimed_by is distinct from p_worker then
    return null;
  end if;
  update public.outbox_messages o
  set status = 'queued', attempts = greatest(o.attempts - 1, 0),
      last_error = pg_catalog.left(coalesce(p_error, 'held back'), 2000), claimed_by = null, claimed_at = null,
      next_attempt_at = pg_catalog.now() + pg_catalog.make_interval(secs => greatest(coalesce(p_delay_seconds, 0), 0)),
      updated_at = pg_catalog.now()
  where o.id = p_id
  returning * into v_row;
  return v_row.status;
end;
$$;
revoke all on function public.hold_outbox(uuid, text, text, integer) from public, anon, authenticated;
grant execute on function public.hold_outbox(uuid, text, text, integer) to service_role;

-- ---------------------------------------------------------------------------------------
-- report_channel_problem: a send showed the channel itself cannot go on.
--  'disconnected': the credentials stopped working. Nothing of the channel is claimed
--    (claim_outbox skips disconnected channels) until a reconnect makes it connected.
--  'degraded': the number is restricted; the channel pauses for p_pause_seconds.
-- Either way owners see why in last_error.
-- ---------------------------------------------------------------------------------------
create function public.report_channel_problem(
  p_channel_id uuid,
  p_problem text,
  p_reason text,
  p_pause_seconds integer default null
) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reason text := pg_catalog.left(coalesce(p_reason, 'the provider refused the channel'), 1000);
begin
  if p_problem = 'disconnected' then
    update public.channels c set status = 'disconnected'
    where c.id = p_channel_id and c.status <> 'disconnected';
  elsif p_problem = 'degraded' then
    perform public.pause_channel(p_channel_id,
      pg_catalog.now() + pg_catalog.make_interval(secs => greatest(coalesce(p_pause_seconds, 0), 0)), v_reason);
  else
    raise exception 'problem must be disconnected or degraded, got %', p_problem
      using errcode = 'invalid_parameter_value';
  end if;
  update public.channels c set last_error = v_reason, last_error_at = pg_catalog.now()
  where c.id = p_channel_id;
end;
$$;
revoke all on function public.report_channel_problem(uuid, text, text, integer) from public, anon, authenticated;
grant execute on function public.report_channel_problem(uuid, text, text, integer) to service_role;
