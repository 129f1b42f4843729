-- The quota is the server's alone (issue 17 items 1 and 5).
--
-- reserve_quota, commit_quota and release_quota were callable by any member: an agent could
-- release a running campaign's reservation (its messages still went out, `used` unchanged)
-- or reserve the whole month. Only the server's own functions call them now (they run as
-- their owner), service_role for operators; quota_status stays readable by members.
--
-- Plain messages (no campaign) never touched the quota, so anyone could send without limit,
-- 500 commands a call. Every outbound message now counts when the intake accepts it: a
-- campaign's through the reservation its launch (or retry) made, which the intake never
-- exceeds; any other message is counted as used on acceptance, and refused, with the
-- figures, when the month's quota has nothing left.
--
-- quota_status shows a running campaign's sent messages as used as they go out (they were
-- shown reserved until the campaign settled: "0 used, 36 reserved" while messages left,
-- issue 15 item 8). The sum used + reserved + remaining = limit is unchanged.

revoke execute on function public.reserve_quota(uuid, text, integer, integer) from authenticated;
revoke execute on function public.commit_quota(uuid, text, integer) from authenticated;
revoke execute on function public.release_quota(uuid, text) from authenticated;

-- The workspace of a plain (non-campaign) command that the intake may accept: its channel's,
-- when the caller is a member and the message is new. Null when the intake will answer it
-- anyway (malformed, a replay, not the caller's channel): those never count.
create function private.plain_command_workspace(p_cmd jsonb) returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select ch.workspace_id
  from public.channels ch
  where pg_catalog.jsonb_typeof(p_cmd) = 'object' and not p_cmd ? 'campaign_id'
    and private.is_uuid(p_cmd -> 'message_id') and private.is_uuid(p_cmd -> 'channel_id')
    and ch.id = (p_cmd ->> 'channel_id')::uuid and not ch._deleted and public.is_member(ch.workspace_id)
    and not exists (select 1 from public.messages m where m.id = (p_cmd ->> 'message_id')::uuid)
$$;
revoke all on function private.plain_command_workspace(jsonb) from public;

-- Why a plain message cannot be accepted now, or null: the month's quota (locked by the
-- batch, private.lock_batch_quotas) has none left.
create function private.plain_message_quota_refusal(p_workspace_id uuid) returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_figures jsonb := private.quota_figures(p_workspace_id);
begin
  if (v_figures ->> 'remaining')::integer >= 1 then
    return null;
  end if;
  return pg_catalog.format(
    'the monthly quota is used up: %s of %s messages used and %s reserved for campaigns; nothing was sent',
    v_figures ->> 'used', v_figures ->> 'limit', v_figures ->> 'reserved');
end;
$$;
revoke all on function private.plain_message_quota_refusal(uuid) from public;

-- Locks the quota of every workspace the batch's channels belong to, in id order, before
-- any other row: every batch then takes quota, campaign, chat and message rows in that one
-- order, and concurrent batches wait for each other instead of deadlocking.
create function private.lock_batch_quotas(p_commands jsonb) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_workspace uuid;
begin
  for v_workspace in
    select distinct ch.workspace_id
    from pg_catalog.jsonb_array_elements(p_commands) c
    join public.channels ch on private.is_uuid(c.value -> 'channel_id') and ch.id = (c.value ->> 'channel_id')::uuid
    where public.is_member(ch.workspace_id)
    order by ch.workspace_id
  loop
    perform private.lock_quota(v_workspace);
  end loop;
end;
$$;
revoke all on function private.lock_batch_quotas(jsonb) from public;

-- The batch intake (replaces 20261202100500_provider_templates.sql's): quotas locked first,
-- then each command through enqueue_command as before; a plain message counts as used when
-- accepted, or is refused when the quota has nothing left.
create or replace function public.enqueue_messages(p_commands jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cmd record;
  v_results jsonb[] := '{}';
  v_workspace uuid;
  v_refusal text;
  v_result jsonb;
begin
  if auth.uid() is null then
    raise exception 'enqueue_messages needs a signed-in user'
      using errcode = 'insufficient_privilege';
  end if;
  if pg_catalog.jsonb_typeof(p_commands) is distinct from 'array' then
    raise exception 'commands must be a JSON array'
      using errcode = 'invalid_parameter_value';
  end if;
  if pg_catalog.jsonb_array_length(p_commands) not between 1 and 500 then
    raise exception 'a batch holds 1 to 500 commands, got %', pg_catalog.jsonb_array_length(p_commands)
      using errcode = 'invalid_parameter_value';
  end if;
  perform private.lock_batch_quotas(p_commands);
  -- Rows are locked in one global order (campaign, chat, then message), so two batches
  -- touching the same rows or replaying the same ids wait for each other instead of
  -- deadlocking. Within a campaign, the command carrying its draft goes first: it may create
  -- the campaign.
  for v_cmd in
    select c.value, c.ordinality
    from pg_catalog.jsonb_array_elements(p_commands) with ordinality c
    order by c.value ->> 'campaign_id', pg_catalog.jsonb_typeof(c.value) = 'object' and c.value ? 'campaign' desc,
      c.value ->> 'channel_id', c.value ->> 'to', c.value ->> 'message_id', c.ordinality
  loop
    v_workspace := private.plain_command_workspace(v_cmd.value);
    v_refusal := case when v_workspace is null then null else private.plain_message_quota_refusal(v_workspace) end;
    if v_refusal is not null then
      v_result := private.intake_result((v_cmd.value ->> 'message_id')::uuid, 'rejected', v_refusal);
    else
      v_result := private.enqueue_command(v_cmd.value);
      if v_workspace is not null and v_result ->> 'status' = 'queued' then
        update public.quotas q set used = q.used + 1, updated_at = pg_catalog.now()
        where q.workspace_id = v_workspace;
      end if;
    end if;
    v_results[v_cmd.ordinality] := v_result;
  end loop;
  return pg_catalog.jsonb_build_object('results', pg_catalog.to_jsonb(v_results));
end;
$$;

-- Sent messages of the campaigns' active reservations: used already, though their
-- reservation settles only when the campaign ends.
create function private.campaign_sends_in_flight(p_workspace_id uuid) returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.count(*)::integer
  from public.campaigns c
  join public.quota_reservations r
    on r.workspace_id = c.workspace_id and r.key = private.campaign_quota_key(c.id, c.retry_round)
  join public.messages m
    on m.campaign_id = c.id and m.campaign_round = c.retry_round and m.status in ('sent', 'delivered', 'read')
  where c.workspace_id = p_workspace_id and c.completed_at is null
    and r.status = 'reserved' and r.expires_at > pg_catalog.now()
$$;
revoke all on function private.campaign_sends_in_flight(uuid) from public;

create or replace function public.quota_status(p_workspace_id uuid) returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_figures jsonb;
  v_sent integer;
begin
  perform private.assert_quota_access(p_workspace_id);
  v_figures := private.quota_figures(p_workspace_id);
  v_sent := private.campaign_sends_in_flight(p_workspace_id);
  return v_figures || pg_catalog.jsonb_build_object(
    'used', (v_figures ->> 'used')::integer + v_sent,
    'reserved', (v_figures ->> 'reserved')::integer - v_sent);
end;
$$;
