-- Campaigns: a replicated table clients draft offline. The server owns a campaign's status
-- and counters; how it is launched and sent is 20261202000800_campaign_sending.sql.

create table public.campaigns (
  -- Made on the client.
  id uuid primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200),
  -- No foreign keys: a draft made offline may name a template pushed after it. Launch checks
  -- the channel; the template is only where the body came from.
  channel_id uuid,
  template_id uuid,
  -- The template's body when drafted: the text every message is rendered from.
  body text not null default '' check (char_length(body) <= 4096),
  -- Audience: contacts in any of the groups, or with any of the tags, or listed.
  group_ids uuid[] not null default '{}' check (cardinality(group_ids) <= 1000),
  tags text[] not null default '{}' check (cardinality(tags) <= 1000),
  contact_ids uuid[] not null default '{}' check (cardinality(contact_ids) <= 20000),
  -- Null: at launch.
  start_at timestamptz,
  -- IANA; validated by trigger against pg_timezone_names.
  time_zone text not null default 'UTC' check (char_length(time_zone) between 1 and 64),
  -- Minutes after local midnight; both null = any time; an end before the start crosses
  -- midnight (the window belongs to the day it opens on). src/domain/send-window.ts.
  window_start_minute smallint check (window_start_minute between 0 and 1439),
  window_end_minute smallint check (window_end_minute between 0 and 1439),
  -- ISO weekdays, 1 = Monday … 7 = Sunday.
  window_days smallint[] not null default '{1,2,3,4,5,6,7}' check (
    cardinality(window_days) between 1 and 7 and window_days <@ '{1,2,3,4,5,6,7}'::smallint[]
  ),
  min_delay_ms integer not null default 0 check (min_delay_ms between 0 and 3600000),
  max_delay_ms integer not null default 0 check (max_delay_ms between 0 and 3600000),
  rate_per_minute integer not null default 20 check (rate_per_minute between 1 and 6000),
  -- Server-owned from here (private.guard_campaign).
  status text not null default 'draft' check (status in (
    'draft', 'launching', 'scheduled', 'running', 'paused', 'completed', 'cancelled', 'blocked'
  )),
  blocked_reason text check (char_length(blocked_reason) <= 1000),
  recipient_count integer not null default 0 check (recipient_count between 0 and 1000000),
  accepted_count integer not null default 0 check (accepted_count between 0 and recipient_count),
  retry_round integer not null default 0 check (retry_round between 0 and 100),
  queued_count integer not null default 0 check (queued_count >= 0),
  sent_count integer not null default 0 check (sent_count >= 0),
  delivered_count integer not null default 0 check (delivered_count >= 0),
  read_count integer not null default 0 check (read_count >= 0),
  failed_count integer not null default 0 check (failed_count >= 0),
  cancelled_count integer not null default 0 check (cancelled_count >= 0),
  replied_count integer not null default 0 check (replied_count >= 0),
  launched_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  -- Client-stamped at every local edit, compared by merges (as on the other editable tables).
  updated_at text not null default to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    check (char_length(updated_at) between 20 and 40),
  _modified timestamptz not null default now(),
  _deleted boolean not null default false,
  constraint campaigns_window_both check ((window_start_minute is null) = (window_end_minute is null)),
  constraint campaigns_window_not_empty check (window_start_minute <> window_end_minute),
  constraint campaigns_delay_order check (min_delay_ms <= max_delay_ms)
);

-- SECURITY DEFINER only to reach private.check_time_zone (client roles have no usage on
-- schema private); it writes nothing.
create function private.prepare_campaign() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.time_zone is distinct from old.time_zone then
    perform private.check_time_zone(new.time_zone);
  end if;
  return new;
end;
$$;
revoke all on function private.prepare_campaign() from public;

-- Clients draft; the server owns status, counters and launch fields. After launch a client
-- may only rename the campaign, and delete it only once it has finished. It runs as the
-- writer (current_user tells clients from the server's RPCs), so it calls nothing in
-- schema private.
create function private.guard_campaign() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  -- The server's part of a campaign: status, counters and launch times.
  v_server constant text[] := array['status', 'blocked_reason', 'recipient_count', 'accepted_count',
    'retry_round', 'queued_count', 'sent_count', 'delivered_count', 'read_count', 'failed_count',
    'cancelled_count', 'replied_count', 'launched_at', 'completed_at'];
  -- What a launch leaves open: the server's part, the name and the row's identity and
  -- machinery (guarded elsewhere). A launch fixes the rest: what is sent to whom, when and
  -- how fast.
  v_open constant text[] := v_server
    || array['id', 'workspace_id', 'name', 'created_at', 'updated_at', '_modified', '_deleted'];
  v_new jsonb := pg_catalog.to_jsonb(new);
  v_old jsonb;
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  if tg_op = 'INSERT' then
    -- A draft: nothing launched, counted or sent yet.
    if new.status <> 'draft' or exists (
      select 1 from pg_catalog.unnest(v_server) k
      where k <> 'status' and v_new -> k not in ('null', '0')
    ) then
      raise exception 'a new campaign is a draft: its status, counters and launch times are set by the server'
        using errcode = 'insufficient_privilege';
    end if;
    return new;
  end if;
  v_old := pg_catalog.to_jsonb(old);
  if exists (select 1 from pg_catalog.unnest(v_server) k where v_new -> k is distinct from v_old -> k) then
    raise exception 'the status, counters and launch times of a campaign are set by the server'
      using errcode = 'insufficient_privilege',
            hint = 'Use launch_campaign, pause_campaign, resume_campaign, cancel_campaign or retry_campaign.';
  end if;
  if old.status not in ('draft', 'blocked') then
    if v_new - v_open is distinct from v_old - v_open then
      raise exception 'campaign % is %: only its name can change after launch', old.id, old.status
        using errcode = 'check_violation';
    end if;
    if new._deleted and not old._deleted and old.status not in ('completed', 'cancelled') then
      raise exception 'campaign % is %: cancel it before deleting it', old.id, old.status
        using errcode = 'check_violation';
    end if;
  end if;
  return new;
end;
$$;
revoke all on function private.guard_campaign() from public;

-- BEFORE triggers fire in name order: guard and prepare run before set_modified.
create trigger guard_campaign before insert or update on public.campaigns
  for each row execute function private.guard_campaign();
create trigger prepare_campaign before insert or update on public.campaigns
  for each row execute function private.prepare_campaign();
select private.replicate_table('public.campaigns');
select private.workspace_policies('public.campaigns', p_writable => true);
