-- Consent-gated sync (issue 16): a workspace may keep its contacts and templates on its
-- members' devices only. While `contacts_local_only` is on:
--  - no client writes a contact or a template to the server: a push (push_changes, whose
--    per-row fallback answers {id, _refused}) or a REST insert/update is refused by
--    private.guard_kept_on_devices, so the server never stores one; the app stops pushing
--    both collections (src/features/workspace/kept-on-devices.ts gates the engine);
--  - campaigns and replies still go out: a command names its recipient by the derived id
--    (contactId() of src/domain/ids.ts, '<workspace>:<E.164 phone>') and carries the phone,
--    the name and the rendered text, and the intake takes it without a contact row (the
--    message and its chat have no contact), creating none. Quota, opt-outs the server
--    knows of (a STOP reply) and workspace membership are enforced as before.
-- Only owners and admins change the setting (set_contacts_local_only, or an owner's update
-- of the row); the row keeps who changed it last and when, and workspace_consent_events
-- every change. Off for every workspace, new ones included.

alter table public.workspaces
  add column contacts_local_only boolean not null default false,
  add column contacts_local_only_by uuid references auth.users (id) on delete set null,
  add column contacts_local_only_at timestamptz;

-- ---------------------------------------------------------------------------------------
-- Who may change it, and the record of who did.
-- ---------------------------------------------------------------------------------------

-- Security invoker, so current_user is the writer: a client needs owner or admin; server
-- functions (set_contacts_local_only checks the role itself) and the service role pass. The
-- stamp is the server's: a client can neither forge it nor change it alone.
create function private.guard_contacts_local_only() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.contacts_local_only is distinct from old.contacts_local_only then
    if current_user in ('anon', 'authenticated') and not public.has_role(old.id, array['owner', 'admin']) then
      raise exception 'only owners and admins of workspace % may choose where its contacts and templates are kept', old.id
        using errcode = 'insufficient_privilege';
    end if;
    new.contacts_local_only_by := auth.uid();
    new.contacts_local_only_at := pg_catalog.now();
  else
    new.contacts_local_only_by := old.contacts_local_only_by;
    new.contacts_local_only_at := old.contacts_local_only_at;
  end if;
  return new;
end;
$$;
revoke all on function private.guard_contacts_local_only() from public;

create trigger guard_contacts_local_only before update on public.workspaces
  for each row execute function private.guard_contacts_local_only();

-- Every change: who, when, on or off. Owners and admins read their workspace's; no client writes.
create table public.workspace_consent_events (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  contacts_local_only boolean not null,
  actor_id uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index workspace_consent_events_workspace on public.workspace_consent_events (workspace_id, created_at);
alter table public.workspace_consent_events enable row level security;
create policy workspace_consent_events_read on public.workspace_consent_events for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids(array['owner', 'admin']))::uuid[]));
revoke all on public.workspace_consent_events from anon, authenticated;
grant select on public.workspace_consent_events to authenticated;
grant all on public.workspace_consent_events to service_role;

create function private.record_consent_event() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.contacts_local_only is distinct from old.contacts_local_only then
    insert into public.workspace_consent_events (workspace_id, contacts_local_only, actor_id, created_at)
    values (new.id, new.contacts_local_only, new.contacts_local_only_by, new.contacts_local_only_at);
  end if;
  return null;
end;
$$;
revoke all on function private.record_consent_event() from public;

create trigger record_consent_event after update of contacts_local_only on public.workspaces
  for each row execute function private.record_consent_event();

-- Turns it on or off as the signed-in owner or admin (the row's update policy lets only
-- owners write it). Answers the workspace's setting and its stamp.
create function public.set_contacts_local_only(p_workspace_id uuid, p_on boolean) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.workspaces;
begin
  if p_on is null then
    raise exception 'p_on must be true or false' using errcode = 'invalid_parameter_value';
  end if;
  if not public.has_role(p_workspace_id, array['owner', 'admin']) then
    raise exception 'only owners and admins of a workspace may choose where its contacts and templates are kept'
      using errcode = 'insufficient_privilege';
  end if;
  update public.workspaces w set contacts_local_only = p_on
  where w.id = p_workspace_id and w.contacts_local_only is distinct from p_on;
  select * into v_row from public.workspaces w where w.id = p_workspace_id;
  return pg_catalog.jsonb_build_object('contacts_local_only', v_row.contacts_local_only,
    'contacts_local_only_by', v_row.contacts_local_only_by, 'contacts_local_only_at', v_row.contacts_local_only_at);
end;
$$;
revoke all on function public.set_contacts_local_only(uuid, boolean) from public, anon;
grant execute on function public.set_contacts_local_only(uuid, boolean) to authenticated;

-- ---------------------------------------------------------------------------------------
-- No client writes a contact or a template while it is on.
-- ---------------------------------------------------------------------------------------

-- Security invoker (current_user is the writer; the workspace row is read under the
-- writer's RLS, which shows a member their workspace). insufficient_privilege: push_rows
-- answers the row {id, _refused} and writes the rest of its batch.
create function private.guard_kept_on_devices() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user in ('anon', 'authenticated')
     and exists (select 1 from public.workspaces w where w.id = new.workspace_id and w.contacts_local_only) then
    raise exception 'workspace % keeps its % on its members'' devices only: the server stores none', new.workspace_id, tg_table_name
      using errcode = 'insufficient_privilege',
            hint = 'An owner or admin turns this off in Settings; the devices then push what they kept.';
  end if;
  return new;
end;
$$;
revoke all on function private.guard_kept_on_devices() from public;

-- Named to run before the tables' other BEFORE triggers (name order): nothing else is done for a refused row.
create trigger a_guard_kept_on_devices before insert or update on public.contacts
  for each row execute function private.guard_kept_on_devices();
create trigger a_guard_kept_on_devices before insert or update on public.templates
  for each row execute function private.guard_kept_on_devices();

-- Whether the workspace keeps its contacts on its members' devices (for the intake).
create function private.kept_on_devices(p_workspace_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((select w.contacts_local_only from public.workspaces w where w.id = p_workspace_id), false)
$$;
revoke all on function private.kept_on_devices(uuid) from public;

-- ---------------------------------------------------------------------------------------
-- The intake: recipients kept on devices.
-- ---------------------------------------------------------------------------------------

-- ensure_command_contact (20261205100200_intake_restores_deleted_contact.sql) writes no
-- contact for a workspace that keeps them on devices; the rest unchanged, restated in full.
create or replace function private.ensure_command_contact(p_cmd jsonb) returns text
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
  -- The common case first, one index lookup: the contact is there (and not deleted).
  if not private.is_uuid(p_cmd -> 'contact_id')
     or exists (select 1 from public.contacts c where c.id = (p_cmd ->> 'contact_id')::uuid and not c._deleted) then
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
     or (p_cmd ->> 'contact_id')::uuid <> private.contact_id(v_workspace, v_to)
     or private.kept_on_devices(v_workspace) then
    return null;
  end if;
  perform private.restore_command_contact((p_cmd ->> 'contact_id')::uuid, v_workspace, v_to,
    pg_catalog.btrim(p_cmd ->> 'contact_name'));
  -- Either key taken (the id, or the phone under another id): the row there stands.
  insert into public.contacts (id, workspace_id, phone, name, updated_at)
  values ((p_cmd ->> 'contact_id')::uuid, v_workspace, v_to, pg_catalog.btrim(p_cmd ->> 'contact_name'),
    private.intake_contact_stamp())
  on conflict do nothing;
  return null;
end;
$$;
revoke all on function private.ensure_command_contact(jsonb) from public;

-- enqueue_message (20261202000600_messaging.sql): in a workspace that keeps contacts on
-- devices it has none of them, so a command naming the derived id of its `to` is taken
-- without one (the message and its chat have no contact); the rest unchanged, restated in full.
create or replace function private.enqueue_message(p_cmd jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_channel public.channels;
  v_to text;
  v_body text;
  v_contact public.contacts;
  v_chat_id uuid;
  v_existing uuid;
  v_reject text;
begin
  if pg_catalog.jsonb_typeof(p_cmd) is distinct from 'object' then
    return pg_catalog.jsonb_build_object('message_id', null, 'status', 'rejected',
      'error', 'each command must be a JSON object');
  end if;
  if not private.is_uuid(p_cmd -> 'message_id') then
    return pg_catalog.jsonb_build_object('message_id', p_cmd -> 'message_id', 'status', 'rejected',
      'error', 'message_id must be a uuid');
  end if;
  v_id := (p_cmd ->> 'message_id')::uuid;

  select m.workspace_id into v_existing from public.messages m where m.id = v_id;
  if found then
    if public.is_member(v_existing) then
      return private.intake_result(v_id, 'duplicate');
    end if;
    return private.intake_result(v_id, 'rejected', 'message_id is already in use; make a new one');
  end if;

  v_to := p_cmd ->> 'to';
  v_body := p_cmd ->> 'body';
  v_reject := case
    when not private.is_uuid(p_cmd -> 'channel_id')
      then 'channel_id must be a uuid'
    when pg_catalog.jsonb_typeof(p_cmd -> 'to') is distinct from 'string' or v_to !~ '^\+[1-9][0-9]{6,14}$'
      then pg_catalog.format('to must be a phone number in E.164 form (+ and 7 to 15 digits), got %s',
        p_cmd -> 'to')
    when pg_catalog.jsonb_typeof(p_cmd -> 'body') is distinct from 'string'
      then 'body must be a string'
    when pg_catalog.char_length(v_body) not between 1 and 4096
      then pg_catalog.format('body must be 1 to 4096 characters, got %s', pg_catalog.char_length(v_body))
    when p_cmd ? 'contact_id' and pg_catalog.jsonb_typeof(p_cmd -> 'contact_id') <> 'null'
         and not private.is_uuid(p_cmd -> 'contact_id')
      then 'contact_id must be a uuid or absent'
  end;
  if v_reject is not null then
    return private.intake_result(v_id, 'rejected', v_reject);
  end if;

  -- Not found and not a member read the same, so ids of other workspaces leak nothing.
  select * into v_channel from public.channels c
  where c.id = (p_cmd ->> 'channel_id')::uuid and not c._deleted;
  if not found or not public.is_member(v_channel.workspace_id) then
    return private.intake_result(v_id, 'rejected',
      pg_catalog.format('channel %s is not a channel of your workspaces', p_cmd ->> 'channel_id'));
  end if;

  if p_cmd ->> 'contact_id' is not null then
    select * into v_contact from public.contacts c
    where c.id = (p_cmd ->> 'contact_id')::uuid and c.workspace_id = v_channel.workspace_id
      and not c._deleted;
    if not found and not (private.kept_on_devices(v_channel.workspace_id)
        and (p_cmd ->> 'contact_id')::uuid = private.contact_id(v_channel.workspace_id, v_to)) then
      return private.intake_result(v_id, 'rejected',
        pg_catalog.format('contact %s is not a contact of the channel''s workspace', p_cmd ->> 'contact_id'));
    end if;
    if v_contact.phone <> v_to then
      return private.intake_result(v_id, 'rejected',
        pg_catalog.format('to %s is not the phone of contact %s (%s)', v_to, v_contact.id, v_contact.phone));
    end if;
  else
    select * into v_contact from public.contacts c
    where c.workspace_id = v_channel.workspace_id and c.phone = v_to and not c._deleted;
  end if;
  if v_contact.opted_out then
    return private.intake_result(v_id, 'rejected',
      pg_catalog.format('%s opted out of messages from this workspace', v_to));
  end if;

  v_chat_id := private.upsert_chat(v_channel, v_to, v_contact.id, pg_catalog.now());
  -- A concurrent request with the same id may have won since the check above.
  insert into public.messages (id, workspace_id, channel_id, chat_id, contact_id, direction, phone, body)
  values (v_id, v_channel.workspace_id, v_channel.id, v_chat_id, v_contact.id, 'out', v_to, v_body)
  on conflict (id) do nothing;
  if not found then
    return private.intake_result(v_id, 'duplicate');
  end if;
  insert into public.outbox_messages (message_id, workspace_id, channel_id)
  values (v_id, v_channel.workspace_id, v_channel.id);
  return private.intake_result(v_id, 'queued');
end;
$$;
revoke all on function private.enqueue_message(jsonb) from public;
