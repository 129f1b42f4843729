-- A launch holds in the worst order (DESIGN.md: the two upward paths race). A campaign
-- launched offline is outbox commands; the contacts it names are RxDB pushes. Replayed on
-- reconnect, a command may reach the intake before the push of its contact, and the intake
-- refused it ("contact … is not a contact of the channel's workspace"), leaving the
-- campaign 'launching' for good with its quota reserved, the refusal visible nowhere.
--
--  1. A command may carry `contact_name`: when its contact_id is the derived id of the
--     channel's workspace and `to` (contactId() of src/domain/ids.ts) and no such contact is
--     on the server yet, the intake writes it first (phone and name, dated at the epoch so
--     the device's own push, which meets it as a conflict, wins every field in the merge).
--  2. A campaign command refused while its campaign is launching is recorded
--     (private.campaign_refusals). Once every recipient is answered (accepted + refused =
--     recipient_count) the campaign starts with what was accepted, and its blocked_reason
--     says how many were refused and why, so the campaign page shows it; the quota of the
--     refused messages is released when the campaign settles. A refused command replayed
--     later (say after the push) and accepted then is no longer a refusal.

create table private.campaign_refusals (
  message_id uuid primary key,
  campaign_id uuid not null references public.campaigns (id) on delete cascade,
  error text not null check (char_length(error) <= 2000),
  created_at timestamptz not null default now()
);
create index campaign_refusals_campaign_idx on private.campaign_refusals (campaign_id, created_at);
alter table private.campaign_refusals enable row level security;
revoke all on private.campaign_refusals from public;

-- The epoch stamp of a contact the intake wrote for a command: older than any edit.
create function private.intake_contact_stamp() returns text
language sql
immutable
set search_path = ''
as $$ select '1970-01-01T00:00:00.000Z' $$;
revoke all on function private.intake_contact_stamp() from public;

-- Rule 1 above. Returns why the command is refused, or null. Only a contact this command
-- could name is written: its id derived from the workspace of a channel the caller is a
-- member of and the command's phone. Anything else is left to the intake's own checks.
create function private.ensure_command_contact(p_cmd jsonb) returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_workspace uuid;
  v_to text := p_cmd ->> 'to';
begin
  if pg_catalog.jsonb_typeof(p_cmd) is distinct from 'object' or not p_cmd ? 'contact_name' then
    return null;
  end if;
  if pg_catalog.jsonb_typeof(p_cmd -> 'contact_name') is distinct from 'string'
     or pg_catalog.char_length(p_cmd ->> 'contact_name') > 200 then
    return 'contact_name must be a text of at most 200 characters';
  end if;
  -- The common case first, one index lookup: the contact is there.
  if not private.is_uuid(p_cmd -> 'contact_id')
     or exists (select 1 from public.contacts c where c.id = (p_cmd ->> 'contact_id')::uuid) then
    return null;
  end if;
  if not private.is_uuid(p_cmd -> 'message_id') or not private.is_uuid(p_cmd -> 'channel_id')
     or v_to !~ '^\+[1-9][0-9]{6,14}$'
     or exists (select 1 from public.messages m where m.id = (p_cmd ->> 'message_id')::uuid) then
    return null;
  end if;
  select ch.workspace_id into v_workspace from public.channels ch
  where ch.id = (p_cmd ->> 'channel_id')::uuid and not ch._deleted;
  if v_workspace is null or not public.is_member(v_workspace)
     or (p_cmd ->> 'contact_id')::uuid <> private.contact_id(v_workspace, v_to) then
    return null;
  end if;
  -- Either key taken (the id, or the phone under another id): the row there stands.
  insert into public.contacts (id, workspace_id, phone, name, updated_at)
  values ((p_cmd ->> 'contact_id')::uuid, v_workspace, v_to, pg_catalog.btrim(p_cmd ->> 'contact_name'),
    private.intake_contact_stamp())
  on conflict do nothing;
  return null;
end;
$$;
revoke all on function private.ensure_command_contact(jsonb) from public;

-- A command's scheduled_at as the campaign intake takes it: absent, null, or an ISO 8601
-- time within a year of now (private.enqueue_campaign_message refuses anything else).
create function private.campaign_time_readable(p_cmd jsonb) returns boolean
language plpgsql
stable
set search_path = ''
as $$
declare
  v_at timestamptz;
begin
  if pg_catalog.jsonb_typeof(p_cmd -> 'scheduled_at') is null or pg_catalog.jsonb_typeof(p_cmd -> 'scheduled_at') = 'null' then
    return true;
  end if;
  if pg_catalog.jsonb_typeof(p_cmd -> 'scheduled_at') <> 'string' then
    return false;
  end if;
  v_at := (p_cmd ->> 'scheduled_at')::timestamptz;
  return v_at between pg_catalog.now() - interval '1 year' and pg_catalog.now() + interval '1 year';
exception when others then
  return false;
end;
$$;
revoke all on function private.campaign_time_readable(jsonb) from public;

-- Rule 2 above: what the intake answered a campaign command, applied to its campaign. A
-- malformed command (wrong id, channel or time) is the sender's mistake, answered as such
-- and not counted as a recipient refused.
create function private.note_campaign_answer(p_cmd jsonb, p_result jsonb) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  c public.campaigns;
  v_id uuid;
  v_refused integer;
  v_first text;
begin
  if not private.is_uuid(p_cmd -> 'campaign_id') or not private.is_uuid(p_cmd -> 'message_id')
     or not private.is_uuid(p_cmd -> 'contact_id') then
    return;
  end if;
  v_id := (p_cmd ->> 'message_id')::uuid;
  -- An accepted command, the common case: work only when the campaign has refusals (this
  -- command's own, replaced now, or others that its acceptance may complete).
  if p_result ->> 'status' = 'queued' then
    delete from private.campaign_refusals r where r.message_id = v_id;
    if not found and not exists (
      select 1 from private.campaign_refusals r where r.campaign_id = (p_cmd ->> 'campaign_id')::uuid
    ) then
      return;
    end if;
  elsif p_result ->> 'status' is distinct from 'rejected' then
    return;
  end if;
  c := private.campaign_for_update((p_cmd ->> 'campaign_id')::uuid);
  if c.id is null or not public.is_member(c.workspace_id) then
    return;
  end if;
  if p_result ->> 'status' = 'rejected' then
    -- Only a recipient of this launch: not a replay meeting a started campaign, not a
    -- command of another channel or with a made-up id.
    if c.status <> 'launching' or v_id <> private.campaign_message_id(c.id, (p_cmd ->> 'contact_id')::uuid)
       or pg_catalog.lower(p_cmd ->> 'channel_id') is distinct from c.channel_id::text
       or not private.campaign_time_readable(p_cmd) then
      return;
    end if;
    insert into private.campaign_refusals (message_id, campaign_id, error)
    values (v_id, c.id, pg_catalog.left(coalesce(p_result ->> 'error', 'refused'), 2000))
    on conflict (message_id) do update set error = excluded.error;
  end if;

  select pg_catalog.count(*)::integer, (pg_catalog.array_agg(r.error order by r.created_at, r.message_id))[1]
  into v_refused, v_first
  from private.campaign_refusals r where r.campaign_id = c.id;
  update public.campaigns cc
  set blocked_reason = case when v_refused = 0 then null else pg_catalog.left(pg_catalog.format(
        '%s of %s messages were refused and will not be sent: %s', v_refused, cc.recipient_count, v_first), 1000) end
  where cc.id = c.id
  returning * into c;
  if c.status = 'launching' and c.accepted_count + v_refused >= c.recipient_count then
    perform private.start_campaign(c.id);
  end if;
end;
$$;
revoke all on function private.note_campaign_answer(jsonb, jsonb) from public;

-- One command of a batch (replaces 20261202100500_provider_templates.sql's): the contact it
-- carries first (rule 1), then a template is checked and rendered, the command written like
-- any other (a campaign's or a plain one), and a campaign's answer applied (rule 2).
create or replace function private.enqueue_command(p_cmd jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_template jsonb;
  v_result jsonb;
  v_reject text;
begin
  v_reject := private.ensure_command_contact(p_cmd);
  if v_reject is not null then
    return pg_catalog.jsonb_build_object('message_id', p_cmd -> 'message_id', 'status', 'rejected', 'error', v_reject);
  end if;
  if pg_catalog.jsonb_typeof(p_cmd) = 'object' then
    p_cmd := p_cmd - 'contact_name';
  end if;
  if pg_catalog.jsonb_typeof(p_cmd) = 'object' and p_cmd ? 'template' then
    if (p_cmd ->> 'message_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
       and not exists (select 1 from public.messages m where m.id = (p_cmd ->> 'message_id')::uuid) then
      v_template := private.template_message(p_cmd);
      if v_template ? 'error' then
        v_result := pg_catalog.jsonb_build_object('message_id', p_cmd -> 'message_id', 'status', 'rejected',
          'error', v_template ->> 'error');
      else
        p_cmd := p_cmd || pg_catalog.jsonb_build_object('body', v_template ->> 'body');
      end if;
    end if;
    p_cmd := p_cmd - 'template';
  end if;
  if v_result is null then
    v_result := case when pg_catalog.jsonb_typeof(p_cmd) = 'object' and p_cmd ? 'campaign_id'
      then private.enqueue_campaign_message(p_cmd)
      else private.enqueue_message(p_cmd)
    end;
  end if;
  if v_template is not null and not v_template ? 'error' and v_result ->> 'status' = 'queued' then
    update public.messages m set template = v_template -> 'template' where m.id = (v_result ->> 'message_id')::uuid;
  end if;
  if pg_catalog.jsonb_typeof(p_cmd) = 'object' and p_cmd ? 'campaign_id' then
    perform private.note_campaign_answer(p_cmd, v_result);
  end if;
  return v_result;
end;
$$;
