-- Campaign sending: quota reserved per campaign, prepared messages accepted in chunks
-- through the outbox intake, pause / resume / cancel / retry, counters kept by triggers,
-- completion settling the quota, and opt-out by a stop keyword reply.
--
-- Launch protocol (the client prepares in its worker: src/domain/campaign-prepare.ts):
--  1. launch_campaign(id, recipient_count): reserves quota under 'campaign:<id>' and moves
--     the draft to 'launching', or to 'blocked' with the reason when the quota is short
--     (nothing is sent). Keyed on the campaign: a double click, a second tab or a replay
--     finds it launched and changes nothing.
--  2. The messages, through POST /functions/v1/outbox (enqueue_messages) in chunks of up to
--     500, each command with campaign_id, scheduled_at and recipient_count
--     (src/domain/campaign-commands.ts). With recipient_count, the first command to reach a
--     draft launches it as step 1 would: a launch made offline is only outbox commands,
--     queued and replayed by the service worker like any other.
--     message_id = campaignMessageId(campaign_id, contact_id), so replays are duplicates.
--     The first command also carries the draft, which the intake creates if it was never
--     pushed (private.create_campaign_draft).
--     They are held ('paused' outbox rows) while the campaign is launching: a launch cut
--     short sends nothing. The intake never takes more messages than were reserved: the
--     campaign starts when the last one arrives and then takes no more.
--  3. The last accepted message starts the campaign by itself; start_campaign(id) starts it
--     with fewer (some commands were rejected, e.g. a contact opted out meanwhile).
--  Sending: 'scheduled' until its first message is claimed, then 'running'. When no message
--  of the campaign is left to send, the quota is settled: what was sent is committed, the
--  rest released, and the campaign is 'completed' (or stays 'cancelled').

-- campaignMessageId() of src/domain/ids.ts: UUID v5 of '<campaign>:<contact>'. A retry's
-- message (round n >= 1) is made on the server from '<campaign>:<contact>:<n>'.
create function private.campaign_message_id(p_campaign_id uuid, p_contact_id uuid, p_round integer default 0)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select extensions.uuid_generate_v5(
    'fd34233e-cf5f-4076-afb6-0f26a0fab9f0'::uuid,
    p_campaign_id::text || ':' || p_contact_id::text || case when p_round > 0 then ':' || p_round::text else '' end
  )
$$;
revoke all on function private.campaign_message_id(uuid, uuid, integer) from public;

-- The error text of a message stopped by cancel_campaign; counted as cancelled, not failed.
create function private.campaign_cancelled_error() returns text
language sql
immutable
set search_path = ''
as $$ select 'campaign cancelled' $$;
revoke all on function private.campaign_cancelled_error() from public;

-- ---------------------------------------------------------------------------------------
-- The campaign a call acts on, and what the campaign RPCs answer
-- ---------------------------------------------------------------------------------------

-- The campaign, locked (all fields null when there is none): concurrent calls and intake
-- batches of one campaign take turns, and each sees what the one before did.
create function private.campaign_for_update(p_campaign_id uuid) returns public.campaigns
language sql
set search_path = ''
as $$
  select * from public.campaigns c where c.id = p_campaign_id for update
$$;
revoke all on function private.campaign_for_update(uuid) from public;

-- The caller's campaign, locked. Unknown and not-a-member read the same, so ids of other
-- workspaces leak nothing.
create function private.lock_campaign(p_campaign_id uuid) returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns;
begin
  if auth.uid() is null then
    raise exception 'campaign actions need a signed-in user' using errcode = 'insufficient_privilege';
  end if;
  if p_campaign_id is null then
    raise exception 'campaign_id is required' using errcode = 'invalid_parameter_value';
  end if;
  c := private.campaign_for_update(p_campaign_id);
  if c.id is null or not public.is_member(c.workspace_id) then
    raise exception 'campaign % is not a campaign of your workspaces', p_campaign_id
      using errcode = 'insufficient_privilege';
  end if;
  if c._deleted then
    raise exception 'campaign % was deleted', p_campaign_id using errcode = 'invalid_parameter_value';
  end if;
  return c;
end;
$$;
revoke all on function private.lock_campaign(uuid) from public;

-- lock_campaign for an action: null when the campaign is already in one of p_done (a repeat,
-- answered with replayed = true), an error with p_refusal when it is in none of p_allowed.
create function private.lock_campaign_for(
  p_campaign_id uuid, p_done text[], p_allowed text[], p_refusal text
) returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns := private.lock_campaign(p_campaign_id);
begin
  if c.status = any (p_done) then
    return null;
  end if;
  if c.status <> all (p_allowed) then
    raise exception 'campaign % is %: %', c.id, c.status, p_refusal using errcode = 'invalid_parameter_value';
  end if;
  return c;
end;
$$;
revoke all on function private.lock_campaign_for(uuid, text[], text[], text) from public;

-- What the campaign RPCs answer: the campaign's figures as they are now, and whether the
-- call was a repeat.
create function private.campaign_reply(p_campaign_id uuid, p_replayed boolean, p_extra jsonb default '{}')
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'campaign_id', c.id, 'status', c.status, 'blocked_reason', c.blocked_reason,
    'recipient_count', c.recipient_count, 'accepted_count', c.accepted_count,
    'retry_round', c.retry_round, 'queued_count', c.queued_count, 'replayed', p_replayed
  ) || p_extra
  from public.campaigns c where c.id = p_campaign_id
$$;
revoke all on function private.campaign_reply(uuid, boolean, jsonb) from public;

-- ---------------------------------------------------------------------------------------
-- Quota: each round (the launch, then each retry) reserves what it may send under its own
-- key, and settles when nothing of it is left to send: the messages that went out are
-- committed and the rest released (reserve_quota / commit_quota / release_quota of
-- 20261202000400_quota.sql).
-- ---------------------------------------------------------------------------------------

-- The quota reservation key of a campaign's round.
create function private.campaign_quota_key(p_campaign_id uuid, p_round integer) returns text
language sql
immutable
set search_path = ''
as $$
  select 'campaign:' || p_campaign_id::text || case when p_round > 0 then ':retry:' || p_round::text else '' end
$$;
revoke all on function private.campaign_quota_key(uuid, integer) from public;

-- Reserves p_amount messages for the campaign's round p_round (or renews its expired
-- reservation): reserve_quota's answer. Seven days, reserve_quota's longest: a campaign that
-- runs longer renews it (private.keep_reservation).
create function private.reserve_campaign_quota(c public.campaigns, p_round integer, p_amount integer)
returns jsonb
language sql
set search_path = ''
as $$
  select public.reserve_quota(c.workspace_id, private.campaign_quota_key(c.id, p_round), p_amount, 604800)
$$;
revoke all on function private.reserve_campaign_quota(public.campaigns, integer, integer) from public;

-- True when the reservation of the campaign's current round is active, renewing it if it
-- expired; false when it expired and the quota no longer covers it (or it was already settled).
create function private.keep_reservation(c public.campaigns) returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.quota_reservations;
begin
  select * into r from public.quota_reservations q
  where q.workspace_id = c.workspace_id and q.key = private.campaign_quota_key(c.id, c.retry_round);
  if r.status = 'reserved' and r.expires_at > pg_catalog.now() then
    return true;
  end if;
  if r.status in ('reserved', 'expired') then
    return coalesce((private.reserve_campaign_quota(c, c.retry_round, r.amount) ->> 'granted')::boolean, false);
  end if;
  return false;
end;
$$;
revoke all on function private.keep_reservation(public.campaigns) from public;

create function private.settle_campaign(p_campaign_id uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns := private.campaign_for_update(p_campaign_id);
  v_key text := private.campaign_quota_key(c.id, c.retry_round);
  v_used integer;
begin
  if c.id is null or c.completed_at is not null or c.queued_count > 0
     or c.status not in ('scheduled', 'running', 'cancelled') then
    return;
  end if;
  select count(*)::integer into v_used from public.messages m
  where m.campaign_id = c.id and m.campaign_round = c.retry_round and m.status in ('sent', 'delivered', 'read');

  if not private.keep_reservation(c) then
    c.blocked_reason := pg_catalog.format(
      'the quota reservation expired and could not be renewed: %s sent messages were not counted', v_used);
  elsif v_used = 0 then
    perform public.release_quota(c.workspace_id, v_key);
  else
    -- Never more than reserved: the intake accepts at most recipient_count messages.
    perform public.commit_quota(c.workspace_id, v_key, v_used);
  end if;

  update public.campaigns cc
  set status = case when cc.status = 'cancelled' then 'cancelled' else 'completed' end,
      completed_at = pg_catalog.now(),
      blocked_reason = c.blocked_reason
  where cc.id = c.id;
end;
$$;
revoke all on function private.settle_campaign(uuid) from public;

-- ---------------------------------------------------------------------------------------
-- Send times planned on the server, at start and for retries: the rules of
-- src/domain/send-plan.ts and send-window.ts. The client's plan (in its worker) orders the
-- messages and serves the preview and estimates; the real times are planned here, from the
-- moment the campaign actually starts.
-- ---------------------------------------------------------------------------------------

-- The first window of the campaign still open at or after p_at, as [w_open, w_close): local
-- hours of the campaign's zone on its weekdays; a window crossing midnight belongs to the
-- day it opens on.
create function private.next_send_window(
  c public.campaigns, p_at timestamptz, out w_open timestamptz, out w_close timestamptz
)
language plpgsql
stable
set search_path = ''
as $$
declare
  -- A day early: yesterday's window may still be open after midnight.
  v_day date := (p_at at time zone c.time_zone)::date - 1;
begin
  for k in 0 .. 15 loop
    if extract(isodow from v_day + k)::smallint = any (c.window_days) then
      w_open := ((v_day + k) + pg_catalog.make_interval(mins => c.window_start_minute)) at time zone c.time_zone;
      w_close := ((v_day + k)
        + case when c.window_end_minute <= c.window_start_minute then interval '1 day' else interval '0' end
        + pg_catalog.make_interval(mins => c.window_end_minute)) at time zone c.time_zone;
      if w_close > w_open and w_close > p_at then
        return;
      end if;
    end if;
  end loop;
  raise exception 'campaign % has no send window opening after %', c.id, p_at
    using errcode = 'invalid_parameter_value';
end;
$$;
revoke all on function private.next_send_window(public.campaigns, timestamptz) from public;

-- p_count send times from p_start: each a random min..max delay after the last, never closer
-- than the campaign's rate allows, moved into the next window when outside one.
create function private.campaign_send_times(c public.campaigns, p_count integer, p_start timestamptz)
returns setof timestamptz
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_spacing interval := pg_catalog.make_interval(secs => pg_catalog.ceil(60000.0 / c.rate_per_minute) / 1000.0);
  v_at timestamptz;
  v_last timestamptz;
  v_open timestamptz;
  v_close timestamptz;
begin
  for i in 1 .. p_count loop
    v_at := case when v_last is null then p_start else v_last + greatest(v_spacing, pg_catalog.make_interval(
      secs => (c.min_delay_ms + pg_catalog.floor(pg_catalog.random() * (c.max_delay_ms - c.min_delay_ms + 1))) / 1000.0))
    end;
    if c.window_start_minute is not null then
      if v_close is null or v_at >= v_close then
        select w.w_open, w.w_close into v_open, v_close from private.next_send_window(c, v_at) w;
      end if;
      v_at := greatest(v_at, v_open);
    end if;
    v_last := v_at;
    return next v_at;
  end loop;
end;
$$;
revoke all on function private.campaign_send_times(public.campaigns, integer, timestamptz) from public;

-- ---------------------------------------------------------------------------------------
-- Launch and start
-- ---------------------------------------------------------------------------------------

-- Releases the held messages of a launching campaign, planned again from the real start
-- (now or start_at, whichever is later) by the campaign's window, days and pacing
-- (private.campaign_send_times): the client's plan dates from the Launch click, which may be
-- hours before the last chunk arrives. The client's order stands. 'running' if the first is
-- due now, 'scheduled' otherwise. A campaign with nothing accepted settles at once.
create function private.start_campaign(p_campaign_id uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns := private.campaign_for_update(p_campaign_id);
  v_start timestamptz;
  v_count integer;
  v_first timestamptz;
begin
  if c.id is null or c.status <> 'launching' then
    return;
  end if;
  v_start := greatest(pg_catalog.now(), coalesce(c.start_at, pg_catalog.now()));
  select pg_catalog.count(*)::integer into v_count
  from public.outbox_messages o where o.campaign_id = c.id and o.status = 'paused';
  select t.at into v_first from private.campaign_send_times(c, 1, v_start) t (at);
  -- The campaign's status first: the hold trigger lets rows of a running campaign queue.
  update public.campaigns cc
  set status = case when v_count > 0 and v_first <= pg_catalog.now() then 'running' else 'scheduled' end
  where cc.id = c.id;
  with held as (
    select o.message_id,
      pg_catalog.row_number() over (order by o.scheduled_at nulls first, o.created_at, o.message_id) as n
    from public.outbox_messages o
    where o.campaign_id = c.id and o.status = 'paused'
  )
  update public.outbox_messages o
  set status = 'queued', scheduled_at = t.at, updated_at = pg_catalog.now()
  from held h
  join private.campaign_send_times(c, v_count, v_start) with ordinality t (at, n) on t.n = h.n
  where o.message_id = h.message_id;
  perform private.settle_campaign(c.id);
end;
$$;
revoke all on function private.start_campaign(uuid) from public;

-- launch_campaign(campaign_id, recipient_count): step 1 of the protocol above (the private
-- one takes the caller's campaign row, locked, as a draft or blocked). Returns
-- {campaign_id, status, replayed, blocked_reason, recipient_count, accepted_count,
-- retry_round, queued_count, quota?}. Not enough quota is an answer, not an error:
-- status 'blocked' with the reason; the user can raise the quota or trim the audience and
-- launch again.
create function private.launch_campaign(c public.campaigns, p_recipient_count integer)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reservation jsonb;
begin
  if p_recipient_count is null or p_recipient_count not between 1 and 1000000 then
    raise exception 'recipient_count must be between 1 and 1000000 (got %)', coalesce(p_recipient_count::text, 'null')
      using errcode = 'invalid_parameter_value',
            hint = 'A campaign with no recipients has nothing to launch.';
  end if;
  if c.channel_id is null then
    raise exception 'campaign % has no channel: choose one before launching', c.id
      using errcode = 'invalid_parameter_value';
  end if;
  if not exists (
    select 1 from public.channels ch
    where ch.id = c.channel_id and ch.workspace_id = c.workspace_id and not ch._deleted
  ) then
    raise exception 'channel % of campaign % is not a channel of its workspace', c.channel_id, c.id
      using errcode = 'invalid_parameter_value';
  end if;
  if pg_catalog.btrim(c.body) = '' then
    raise exception 'campaign % has no message text', c.id using errcode = 'invalid_parameter_value';
  end if;

  v_reservation := private.reserve_campaign_quota(c, 0, p_recipient_count);
  if not (v_reservation ->> 'granted')::boolean then
    update public.campaigns cc
    set status = 'blocked',
        blocked_reason = pg_catalog.format(
          'Not enough quota: this campaign needs %s messages and %s are left this month. Nothing was sent.',
          p_recipient_count, coalesce(v_reservation ->> 'available', v_reservation ->> 'remaining'))
    where cc.id = c.id;
  else
    update public.campaigns cc
    set status = 'launching', blocked_reason = null, recipient_count = p_recipient_count,
        launched_at = pg_catalog.now()
    where cc.id = c.id;
  end if;
  return private.campaign_reply(c.id, false, pg_catalog.jsonb_build_object('quota', v_reservation));
end;
$$;
revoke all on function private.launch_campaign(public.campaigns, integer) from public;

create function public.launch_campaign(p_campaign_id uuid, p_recipient_count integer)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns := private.lock_campaign(p_campaign_id);
begin
  if c.status not in ('draft', 'blocked') then
    return private.campaign_reply(c.id, true);
  end if;
  return private.launch_campaign(c, p_recipient_count);
end;
$$;

-- start_campaign(campaign_id): step 3 when fewer messages than reserved were accepted.
create function public.start_campaign(p_campaign_id uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns := private.lock_campaign(p_campaign_id);
begin
  if c.status in ('draft', 'blocked') then
    raise exception 'campaign % is %: launch it first', c.id, c.status using errcode = 'invalid_parameter_value';
  end if;
  perform private.start_campaign(c.id);
  return private.campaign_reply(c.id, c.status <> 'launching');
end;
$$;

-- ---------------------------------------------------------------------------------------
-- The intake of campaign messages
-- ---------------------------------------------------------------------------------------

-- A launch queued offline may reach the server before its draft was pushed (the tab closed
-- first): the launch's first command then carries the draft (`campaign`: the fields a
-- client drafts, src/domain/campaign-commands.ts), and the intake writes the row as a push
-- would: into a workspace of the caller, draft fields only (status and counters keep their
-- defaults), through the table's checks and triggers. A later push of the same draft meets
-- this row as a conflict and merges (src/domain/merge.ts: a launched campaign is the
-- server's). Returns null, or why the draft is refused.
create function private.create_campaign_draft(p_campaign_id uuid, p_draft jsonb) returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- The fields a client drafts (the table's columns but the id, the server's part and the
  -- row machinery), in the table's order.
  v_columns constant text[] := array['workspace_id', 'name', 'channel_id', 'template_id', 'body', 'group_ids',
    'tags', 'contact_ids', 'start_at', 'time_zone', 'window_start_minute', 'window_end_minute', 'window_days',
    'min_delay_ms', 'max_delay_ms', 'rate_per_minute', 'updated_at'];
  v_odd text;
  r public.campaigns;
begin
  if pg_catalog.jsonb_typeof(p_draft) is distinct from 'object' then
    return 'campaign must be an object of the draft''s fields';
  end if;
  select pg_catalog.string_agg(k, ', ' order by k) into v_odd
  from pg_catalog.jsonb_object_keys(p_draft) k where k <> all (v_columns);
  if v_odd is not null then
    return pg_catalog.format('campaign: %s cannot be set by a client (only the draft''s fields)', v_odd);
  end if;
  select pg_catalog.string_agg(f, ', ' order by o) into v_odd
  from pg_catalog.unnest(v_columns) with ordinality u (f, o) where not p_draft ? f;
  if v_odd is not null then
    return pg_catalog.format('campaign: %s missing', v_odd);
  end if;
  begin
    r := pg_catalog.jsonb_populate_record(null::public.campaigns, p_draft);
  exception when others then
    return pg_catalog.format('campaign: %s', sqlerrm);
  end;
  if r.workspace_id is null or not public.is_member(r.workspace_id) then
    return pg_catalog.format('campaign %s: workspace %s is not one of your workspaces', p_campaign_id,
      coalesce(r.workspace_id::text, 'null'));
  end if;
  if r.channel_id is not null and not exists (
    select 1 from public.channels ch where ch.id = r.channel_id and ch.workspace_id = r.workspace_id
  ) then
    return pg_catalog.format('campaign %s: channel %s is not a channel of its workspace', p_campaign_id, r.channel_id);
  end if;
  -- A template not on the server yet may still be on its way up; one of another workspace never is.
  if exists (
    select 1 from public.templates t where t.id = r.template_id and t.workspace_id <> r.workspace_id
  ) then
    return pg_catalog.format('campaign %s: template %s is not a template of its workspace', p_campaign_id, r.template_id);
  end if;
  begin
    -- A concurrent batch of the same launch wrote it first: theirs stands.
    execute pg_catalog.format(
      'insert into public.campaigns (id, %1$s)
       select $1, %1$s from pg_catalog.jsonb_populate_record(null::public.campaigns, $2)
       on conflict (id) do nothing',
      (select pg_catalog.string_agg(pg_catalog.quote_ident(f), ', ') from pg_catalog.unnest(v_columns) f))
    using p_campaign_id, p_draft;
  exception when others then
    return pg_catalog.format('campaign %s: %s', p_campaign_id, sqlerrm);
  end;
  return null;
end;
$$;
revoke all on function private.create_campaign_draft(uuid, jsonb) from public;

-- A command of enqueue_messages with campaign_id (and optional scheduled_at and
-- recipient_count) is checked against its campaign, then written by private.enqueue_message
-- like any other (20261202000600_messaging.sql) and tagged with its campaign. Returns the
-- same {message_id, status, error?} results.
create function private.enqueue_campaign_message(p_cmd jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_plain jsonb := p_cmd - 'campaign_id' - 'scheduled_at' - 'recipient_count' - 'campaign';
  v_id uuid;
  v_at timestamptz;
  v_result jsonb;
  c public.campaigns;
  v_reject text;
begin
  -- A malformed id: the plain intake rejects it.
  if not private.is_uuid(p_cmd -> 'message_id') then
    return private.enqueue_message(v_plain);
  end if;
  v_id := (p_cmd ->> 'message_id')::uuid;

  if not private.is_uuid(p_cmd -> 'campaign_id') then
    v_reject := 'campaign_id must be a uuid';
  elsif not private.is_uuid(p_cmd -> 'contact_id') then
    v_reject := 'a campaign message needs its contact_id (a uuid)';
  elsif p_cmd ? 'scheduled_at' and pg_catalog.jsonb_typeof(p_cmd -> 'scheduled_at') <> 'null' then
    begin
      if pg_catalog.jsonb_typeof(p_cmd -> 'scheduled_at') <> 'string' then
        raise invalid_datetime_format;
      end if;
      v_at := (p_cmd ->> 'scheduled_at')::timestamptz;
      if v_at not between pg_catalog.now() - interval '1 year' and pg_catalog.now() + interval '1 year' then
        v_reject := pg_catalog.format('scheduled_at must be within a year from now, got %s', p_cmd ->> 'scheduled_at');
      end if;
    exception when others then
      v_reject := pg_catalog.format('scheduled_at must be an ISO 8601 time, got %s', p_cmd -> 'scheduled_at');
    end;
  end if;
  if v_reject is not null then
    return private.intake_result(v_id, 'rejected', v_reject);
  end if;

  c := private.campaign_for_update((p_cmd ->> 'campaign_id')::uuid);
  -- A replay (looked up after the lock, so a batch that just committed it is seen): the plain
  -- intake answers duplicate, even once the campaign has started.
  if exists (select 1 from public.messages m where m.id = v_id) then
    return private.enqueue_message(v_plain);
  end if;
  if c.id is null and p_cmd ? 'campaign' then
    v_reject := private.create_campaign_draft((p_cmd ->> 'campaign_id')::uuid, p_cmd -> 'campaign');
    if v_reject is not null then
      return private.intake_result(v_id, 'rejected', v_reject);
    end if;
    c := private.campaign_for_update((p_cmd ->> 'campaign_id')::uuid);
  end if;
  if c.id is null or not public.is_member(c.workspace_id) or c._deleted then
    return private.intake_result(v_id, 'rejected',
      pg_catalog.format('campaign %s is not a campaign of your workspaces', p_cmd ->> 'campaign_id'));
  end if;
  -- A launch queued offline: commands carry the recipient count, and the first one to reach
  -- a draft launches it (private.launch_campaign, as launch_campaign would).
  if c.status in ('draft', 'blocked') and p_cmd ? 'recipient_count' then
    if pg_catalog.jsonb_typeof(p_cmd -> 'recipient_count') is distinct from 'number'
       or (p_cmd ->> 'recipient_count') !~ '^[0-9]{1,7}$' then
      return private.intake_result(v_id, 'rejected', 'recipient_count must be a whole number');
    end if;
    begin
      perform private.launch_campaign(c, (p_cmd ->> 'recipient_count')::integer);
    exception when invalid_parameter_value then
      return private.intake_result(v_id, 'rejected', sqlerrm);
    end;
    c := private.campaign_for_update(c.id);
  end if;
  v_reject := case
    when c.status = 'blocked'
      then c.blocked_reason
    when c.status <> 'launching'
      then pg_catalog.format('campaign %s is %s: it takes messages only while launching', c.id, c.status)
    when pg_catalog.lower(p_cmd ->> 'channel_id') is distinct from c.channel_id::text
      then pg_catalog.format('channel_id must be the campaign''s channel %s', c.channel_id)
    when v_id <> private.campaign_message_id(c.id, (p_cmd ->> 'contact_id')::uuid)
      then 'message_id must be campaignMessageId(campaign_id, contact_id)'
  end;
  if v_reject is not null then
    return private.intake_result(v_id, 'rejected', v_reject);
  end if;

  v_result := private.enqueue_message(v_plain);
  if v_result ->> 'status' = 'queued' then
    update public.messages m set campaign_id = c.id, campaign_round = c.retry_round where m.id = v_id;
    -- Held until the campaign starts: a launch cut short sends nothing.
    update public.outbox_messages o
    set campaign_id = c.id, scheduled_at = v_at, status = 'paused'
    where o.message_id = v_id;
    update public.campaigns cc set accepted_count = cc.accepted_count + 1 where cc.id = c.id
    returning * into c;
    if c.accepted_count = c.recipient_count then
      perform private.start_campaign(c.id);
    end if;
  end if;
  return v_result;
end;
$$;
revoke all on function private.enqueue_campaign_message(jsonb) from public;

-- ---------------------------------------------------------------------------------------
-- Counters: a trigger on messages keeps the campaign's counters (replicated to clients with
-- the campaign row), moves 'scheduled' to 'running' at the first send, and settles the
-- campaign when nothing is left to send. queued counts queued and sending messages;
-- sent ⊇ delivered ⊇ read; failed and cancelled are the two ways a message ends unsent.
-- ---------------------------------------------------------------------------------------
create function private.count_campaign_message() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cancel text := private.campaign_cancelled_error();
  v_was boolean := tg_op = 'UPDATE' and old.campaign_id is not null;
  dq integer;
  ds integer;
  dd integer;
  dr integer;
  df integer;
  dc integer;
  dre integer;
  c public.campaigns;
begin
  if new.campaign_id is null then
    -- Its campaign row is being deleted with its workspace: nothing left to count.
    return null;
  end if;
  if v_was and new.campaign_id <> old.campaign_id then
    raise exception 'a message cannot move to another campaign' using errcode = 'check_violation';
  end if;
  dq := (new.status in ('queued', 'sending'))::integer
    - (v_was and old.status in ('queued', 'sending'))::integer;
  ds := (new.status in ('sent', 'delivered', 'read'))::integer
    - (v_was and old.status in ('sent', 'delivered', 'read'))::integer;
  dd := (new.status in ('delivered', 'read'))::integer - (v_was and old.status in ('delivered', 'read'))::integer;
  dr := (new.status = 'read')::integer - (v_was and old.status = 'read')::integer;
  df := (new.status = 'failed' and new.error is distinct from v_cancel)::integer
    - (v_was and old.status = 'failed' and old.error is distinct from v_cancel)::integer;
  dc := (new.status = 'failed' and new.error is not distinct from v_cancel)::integer
    - (v_was and old.status = 'failed' and old.error is not distinct from v_cancel)::integer;
  dre := (new.replied_at is not null)::integer - (v_was and old.replied_at is not null)::integer;

  if dq = 0 and ds = 0 and dd = 0 and dr = 0 and df = 0 and dc = 0 and dre = 0 then
    -- A claim (queued -> sending): touch the campaign only for its first send, and never wait
    -- for it: a pause holding the campaign row may be waiting for this claim's outbox rows.
    -- If skipped, the send's outcome (counted below) marks the campaign running.
    if new.status = 'sending' then
      perform 1 from public.campaigns cc
      where cc.id = new.campaign_id and cc.status = 'scheduled'
      for update skip locked;
      if found then
        update public.campaigns cc set status = 'running' where cc.id = new.campaign_id;
      end if;
    end if;
    return null;
  end if;

  update public.campaigns cc
  set queued_count = cc.queued_count + dq,
      sent_count = cc.sent_count + ds,
      delivered_count = cc.delivered_count + dd,
      read_count = cc.read_count + dr,
      failed_count = cc.failed_count + df,
      cancelled_count = cc.cancelled_count + dc,
      replied_count = cc.replied_count + dre,
      status = case when cc.status = 'scheduled' and new.status <> 'queued' then 'running' else cc.status end
  where cc.id = new.campaign_id
  returning * into c;
  if c.queued_count = 0 and c.completed_at is null and c.status in ('scheduled', 'running', 'cancelled') then
    perform private.settle_campaign(c.id);
  end if;
  return null;
end;
$$;
revoke all on function private.count_campaign_message() from public;

create trigger count_campaign_message_insert after insert on public.messages
  for each row when (new.campaign_id is not null)
  execute function private.count_campaign_message();
create trigger count_campaign_message_update after update on public.messages
  for each row when (
    (new.campaign_id is not null or old.campaign_id is not null)
    and (new.status is distinct from old.status or new.campaign_id is distinct from old.campaign_id
         or new.replied_at is distinct from old.replied_at or new.error is distinct from old.error)
  )
  execute function private.count_campaign_message();

-- A row going back to the queue (a retryable failure, or anyone resuming rows) while its
-- campaign is launching or paused stays held; while it is cancelled, it ends cancelled.
create function private.hold_campaign_outbox() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
begin
  select c.status into v_status from public.campaigns c where c.id = new.campaign_id;
  if v_status in ('launching', 'paused') then
    new.status := 'paused';
  elsif v_status = 'cancelled' then
    new.status := 'failed';
    new.last_error := private.campaign_cancelled_error();
    update public.messages m
    set status = 'failed', error = private.campaign_cancelled_error()
    where m.id = new.message_id and private.message_status_moves_forward(m.status, 'failed');
  end if;
  return new;
end;
$$;
revoke all on function private.hold_campaign_outbox() from public;

create trigger hold_campaign_outbox before update on public.outbox_messages
  for each row when (new.campaign_id is not null and new.status = 'queued' and old.status <> 'queued')
  execute function private.hold_campaign_outbox();

-- ---------------------------------------------------------------------------------------
-- Pause, resume, cancel, retry. Each locks the campaign (private.lock_campaign), answers a
-- repeat with replayed = true, and returns the campaign_reply figures.
-- ---------------------------------------------------------------------------------------

-- Holds every queued message of the campaign ('paused' outbox rows are never claimed);
-- messages already being sent finish.
create function public.pause_campaign(p_campaign_id uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns := private.lock_campaign_for(p_campaign_id, '{paused}', '{scheduled,running}',
    'only a scheduled or running campaign can be paused');
begin
  if c.id is not null then
    update public.campaigns cc set status = 'paused' where cc.id = c.id;
    update public.outbox_messages o
    set status = 'paused', updated_at = pg_catalog.now()
    where o.campaign_id = c.id and o.status = 'queued';
  end if;
  return private.campaign_reply(p_campaign_id, c.id is null);
end;
$$;

create function public.resume_campaign(p_campaign_id uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns := private.lock_campaign_for(p_campaign_id, '{scheduled,running}', '{paused}',
    'only a paused campaign can be resumed');
begin
  if c.id is not null then
    if not private.keep_reservation(c) then
      raise exception 'campaign % cannot resume: its quota reservation expired during the pause and the quota no longer covers it', c.id
        using errcode = 'invalid_parameter_value',
              hint = 'Raise the quota, or cancel the campaign.';
    end if;
    update public.campaigns cc
    set status = case when exists (
          select 1 from public.outbox_messages o
          where o.campaign_id = c.id and o.status = 'paused'
            and (o.scheduled_at is null or o.scheduled_at <= pg_catalog.now())
        ) or cc.sent_count > 0 then 'running' else 'scheduled' end
    where cc.id = c.id;
    update public.outbox_messages o
    set status = 'queued', updated_at = pg_catalog.now()
    where o.campaign_id = c.id and o.status = 'paused';
    -- Everything may have finished during the pause.
    perform private.settle_campaign(c.id);
  end if;
  return private.campaign_reply(p_campaign_id, c.id is null);
end;
$$;

-- Stops every message not yet being sent (outbox row and message fail as 'campaign
-- cancelled'); the quota of what was not sent is released when the campaign settles, at
-- once or after the sends in flight end. A draft or blocked campaign simply ends.
create function public.cancel_campaign(p_campaign_id uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns := private.lock_campaign_for(p_campaign_id, '{cancelled}',
    '{draft,blocked,launching,scheduled,running,paused}', 'it has already ended');
begin
  if c.status in ('draft', 'blocked') then
    update public.campaigns cc set status = 'cancelled', completed_at = pg_catalog.now() where cc.id = c.id;
  elsif c.id is not null then
    -- 'launching' too: whatever was accepted is held and is stopped here; the reservation
    -- settles with nothing used.
    update public.campaigns cc set status = 'cancelled' where cc.id = c.id;
    perform private.fail_outbox_rows(array(
      select o.id from public.outbox_messages o
      where o.campaign_id = c.id and o.status in ('queued', 'paused')
      for update
    ), private.campaign_cancelled_error());
    perform private.settle_campaign(c.id);
  end if;
  return private.campaign_reply(p_campaign_id, c.id is null);
end;
$$;

-- retry_campaign(campaign_id, round): sends again to the recipients whose message failed in
-- the latest round (not cancelled ones, not contacts who opted out since), as round `round`
-- = retry_round + 1 with its own reservation. A repeat of the same round is a replay. The
-- new messages are planned from now by the campaign's window, days and pacing
-- (private.campaign_send_times): 'running' if the first is due now, else 'scheduled'. Returns
-- the campaign figures with retried (the number re-sent) and, when the quota is short,
-- granted = false and the reason (nothing changes).
create function public.retry_campaign(p_campaign_id uuid, p_round integer) returns jsonb
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

  -- In the order they were first sent.
  select coalesce(pg_catalog.array_agg(m.id order by m.created_at, m.id), '{}') into v_failed
  from public.messages m join public.contacts ct on ct.id = m.contact_id
  where m.campaign_id = c.id and m.campaign_round = c.retry_round and m.status = 'failed'
    and m.error is distinct from private.campaign_cancelled_error()
    and not ct.opted_out and not ct._deleted;
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

revoke all on function public.launch_campaign(uuid, integer) from public, anon;
revoke all on function public.start_campaign(uuid) from public, anon;
revoke all on function public.pause_campaign(uuid) from public, anon;
revoke all on function public.resume_campaign(uuid) from public, anon;
revoke all on function public.cancel_campaign(uuid) from public, anon;
revoke all on function public.retry_campaign(uuid, integer) from public, anon;
grant execute on function public.launch_campaign(uuid, integer) to authenticated;
grant execute on function public.start_campaign(uuid) to authenticated;
grant execute on function public.pause_campaign(uuid) to authenticated;
grant execute on function public.resume_campaign(uuid) to authenticated;
grant execute on function public.cancel_campaign(uuid) to authenticated;
grant execute on function public.retry_campaign(uuid, integer) to authenticated;

-- ---------------------------------------------------------------------------------------
-- Replies and opt-out. An inbound message marks the recipient's latest sent campaign
-- message replied, and when it is a stop keyword, opts the contact out and stops the
-- campaign messages still queued for it.
--
-- The stop rule is src/domain/stop-keywords.ts: the WHOLE message equals a keyword once
-- both are normalized (NFKD, combining accents U+0300–U+036F removed, lower case, every run
-- of characters that are not letters or digits made one space, trimmed).
-- ---------------------------------------------------------------------------------------
create function private.normalize_stop_text(p_text text) returns text
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.btrim(pg_catalog.regexp_replace(
    pg_catalog.lower(pg_catalog.regexp_replace(pg_catalog.normalize(p_text, 'NFKD'), '[\u0300-\u036f]', '', 'g')),
    '[^[:alnum:]]+', ' ', 'g'))
$$;
revoke all on function private.normalize_stop_text(text) from public;

create function private.is_stop_message(p_text text, p_keywords text[]) returns boolean
language sql
immutable
set search_path = ''
as $$
  select exists (
    select 1 from pg_catalog.unnest(p_keywords) k
    where private.normalize_stop_text(k) <> ''
      and private.normalize_stop_text(k) = private.normalize_stop_text(p_text)
  )
$$;
revoke all on function private.is_stop_message(text, text[]) from public;

create function private.handle_inbound_message() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_keywords text[];
begin
  update public.messages m set replied_at = new.created_at
  where m.id = (
    select o.id from public.messages o
    where o.chat_id = new.chat_id and o.direction = 'out' and o.campaign_id is not null
      and o.status in ('sent', 'delivered', 'read')
    order by o.created_at desc, o.id desc
    limit 1
  ) and m.replied_at is null;

  select w.stop_keywords into v_keywords from public.workspaces w where w.id = new.workspace_id;
  if not private.is_stop_message(new.body, v_keywords) then
    return null;
  end if;
  update public.contacts ct set opted_out = true
  where ct.workspace_id = new.workspace_id and (ct.id = new.contact_id or ct.phone = new.phone)
    and not ct.opted_out;
  -- Found through the contact's chats on the workspace's channels (indexed), not by phone.
  perform private.fail_outbox_rows(array(
    select o.id
    from public.channels chn
    join public.chats ch on ch.channel_id = chn.id and ch.wa_chat_id = private.wa_chat_id(new.phone)
    join public.messages m on m.chat_id = ch.id
    join public.outbox_messages o on o.message_id = m.id
    where chn.workspace_id = new.workspace_id and m.direction = 'out'
      and o.campaign_id is not null and o.status in ('queued', 'paused')
    for update of o
  ), 'the recipient opted out');
  return null;
end;
$$;
revoke all on function private.handle_inbound_message() from public;

create trigger handle_inbound_message after insert on public.messages
  for each row when (new.direction = 'in')
  execute function private.handle_inbound_message();
