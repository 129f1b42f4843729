-- The shared inbox (issue 14): chats become team work (status, assignee), carry what the
-- list shows (last activity, preview, how many customer messages arrived), members keep
-- their own read markers, the team writes internal notes, and a stranger's message makes
-- its contact. Chats, notes and read markers replicate both ways (sync RPCs below); a client
-- changes only a chat's status and assignment, never what the server records.

-- ---------------------------------------------------------------------------------------
-- chats: status, assignment and the list's summary
-- ---------------------------------------------------------------------------------------

alter table public.chats
  -- pending: waiting on the customer; closed: done. A customer's message opens it again.
  add column status text not null default 'open' check (status in ('open', 'pending', 'closed')),
  -- A member of the workspace (checked by guard_chat), or nobody.
  add column assignee_id uuid references auth.users (id) on delete set null,
  -- When the assignment and the status last changed, as the member's device said (the
  -- clients' conflict handler lets the later assignment win, src/domain/inbox-merge.ts).
  add column assigned_at timestamptz,
  add column status_at timestamptz,
  -- The newest message: its id, direction and first characters (the list's preview).
  add column last_message_id uuid,
  add column last_message_direction text check (last_message_direction in ('in', 'out')),
  add column last_message_preview text check (char_length(last_message_preview) <= 200),
  -- Customer messages ever received: a member's unread count is this minus their read
  -- marker's read_count (chat_reads), so no per-member counter is written per message.
  add column inbound_count integer not null default 0 check (inbound_count >= 0),
  -- The client's edit stamp, as on every table clients edit (src/domain/edit-stamp.ts).
  add column updated_at text not null default to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    check (char_length(updated_at) between 20 and 40);

-- The derivation was a check constraint calling private.chat_id, which a member's update
-- (re-checking every constraint) may not execute: a trigger checks it instead, as its owner.
-- The id never changes (guard_row_identity), so inserts and moves of the key are checked.
alter table public.chats drop constraint chats_id_derived;

create function private.check_chat_id() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.id is distinct from private.chat_id(new.channel_id, new.wa_chat_id) then
    raise exception 'a chat''s id is derived from its channel and WhatsApp chat id'
      using errcode = 'check_violation';
  end if;
  return new;
end;
$$;
revoke all on function private.check_chat_id() from public;

create trigger check_chat_id before insert or update of id, channel_id, wa_chat_id on public.chats
  for each row execute function private.check_chat_id();

create index chats_contact_idx on public.chats (contact_id) where contact_id is not null;

-- A contact a stranger's message made (its name is the provider's profile name).
alter table public.contacts add column created_from_inbound boolean not null default false;

-- What a client may change of a chat: its status and assignment (and their stamps). The
-- rest is the server's record of the conversation; a client never creates or deletes a chat.
create function private.guard_chat_edit() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_open constant text[] := array['status', 'assignee_id', 'assigned_at', 'status_at', 'updated_at', '_modified'];
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  if (pg_catalog.to_jsonb(new) - v_open) is distinct from (pg_catalog.to_jsonb(old) - v_open) then
    raise exception 'a member changes only the status and assignee of a chat'
      using errcode = 'insufficient_privilege';
  end if;
  if new.assigned_at > pg_catalog.now() + interval '5 minutes'
     or new.status_at > pg_catalog.now() + interval '5 minutes' then
    raise exception 'assigned_at and status_at cannot be in the future'
      using errcode = 'check_violation';
  end if;
  return new;
end;
$$;
revoke all on function private.guard_chat_edit() from public;

-- The assignee is an active member of the chat's workspace, whoever writes it.
create function private.check_chat_assignee() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.assignee_id is not null and new.assignee_id is distinct from old.assignee_id and not exists (
    select 1 from public.workspace_members m
    where m.workspace_id = new.workspace_id and m.user_id = new.assignee_id and not m._deleted
  ) then
    raise exception 'assignee % is not a member of the chat''s workspace', new.assignee_id
      using errcode = 'check_violation';
  end if;
  return new;
end;
$$;
revoke all on function private.check_chat_assignee() from public;

create trigger guard_chat_edit before update on public.chats
  for each row execute function private.guard_chat_edit();
create trigger check_chat_assignee before update of assignee_id on public.chats
  for each row execute function private.check_chat_assignee();

create policy chats_update on public.chats for update to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]))
  with check (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
grant update on public.chats to authenticated;

-- ---------------------------------------------------------------------------------------
-- A message arrives: strangers get a contact, the chat its summary
-- ---------------------------------------------------------------------------------------

-- The live contact of a customer who wrote, made when there is none (a stranger, or a
-- contact deleted since): named after their WhatsApp profile, marked as made by an inbound
-- message. A deleted contact comes back blank: its old fields stay deleted.
create function private.contact_for_inbound(p_workspace_id uuid, p_phone text, p_name text) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  select c.id into v_id from public.contacts c
  where c.workspace_id = p_workspace_id and c.phone = p_phone and not c._deleted;
  if found then
    return v_id;
  end if;
  insert into public.contacts as c (id, workspace_id, phone, name, created_from_inbound)
  values (private.contact_id(p_workspace_id, p_phone), p_workspace_id, p_phone,
    coalesce(pg_catalog.left(pg_catalog.btrim(p_name), 200), ''), true)
  on conflict (workspace_id, phone) do update
    set _deleted = false, name = excluded.name, email = '', tags = '{}', group_ids = '{}',
        custom_fields = '{}', notes = '', created_from_inbound = true,
        updated_at = pg_catalog.to_char(pg_catalog.now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    where c._deleted
  returning c.id into v_id;
  if v_id is null then
    -- A concurrent message made it first.
    select c.id into v_id from public.contacts c where c.workspace_id = p_workspace_id and c.phone = p_phone;
  end if;
  return v_id;
end;
$$;
revoke all on function private.contact_for_inbound(uuid, text, text) from public;

create function private.link_inbound_contact() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name text;
begin
  select ch.name into v_name from public.chats ch where ch.id = new.chat_id;
  new.contact_id := private.contact_for_inbound(new.workspace_id, new.phone, v_name);
  return new;
end;
$$;
revoke all on function private.link_inbound_contact() from public;

-- What the list shows of a message: its text, or what kind of message it was.
create function private.message_preview(p_message public.messages) returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when p_message.revoked_at is not null then 'This message was deleted'
    when pg_catalog.btrim(p_message.body) <> '' then pg_catalog.left(pg_catalog.btrim(p_message.body), 200)
    else pg_catalog.initcap(p_message.kind)
  end
$$;
revoke all on function private.message_preview(public.messages) from public;

-- The chat's summary follows its newest message; a customer's message opens a closed or
-- pending chat, and a chat hidden with its deleted contact starts afresh (status open,
-- nobody assigned; the old history stays deleted).
create function private.summarise_chat() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_in boolean := new.direction = 'in';
begin
  update public.chats ch
  set last_message_at = greatest(ch.last_message_at, new.created_at),
      last_message_id = new.id,
      last_message_direction = new.direction,
      last_message_preview = private.message_preview(new),
      inbound_count = ch.inbound_count + case when v_in then 1 else 0 end,
      last_inbound_at = case when v_in then greatest(ch.last_inbound_at, new.created_at) else ch.last_inbound_at end,
      contact_id = coalesce(new.contact_id, ch.contact_id),
      status = case when ch._deleted or (v_in and ch.status <> 'open') then 'open' else ch.status end,
      status_at = case when ch._deleted or (v_in and ch.status <> 'open') then pg_catalog.now() else ch.status_at end,
      assignee_id = case when ch._deleted then null else ch.assignee_id end,
      assigned_at = case when ch._deleted then null else ch.assigned_at end,
      _deleted = false
  where ch.id = new.chat_id;
  return null;
end;
$$;
revoke all on function private.summarise_chat() from public;

-- Edits and deletions change the preview when they are about the newest message.
create function private.resummarise_chat() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.chats ch set last_message_preview = private.message_preview(new)
  where ch.id = new.chat_id and ch.last_message_id = new.id
    and ch.last_message_preview is distinct from private.message_preview(new);
  return null;
end;
$$;
revoke all on function private.resummarise_chat() from public;

-- Named to run before handle_inbound_message's opt-out (it finds the contact by id too).
create trigger a_link_inbound_contact before insert on public.messages
  for each row when (new.direction = 'in' and not new._deleted)
  execute function private.link_inbound_contact();
create trigger summarise_chat after insert on public.messages
  for each row when (not new._deleted)
  execute function private.summarise_chat();
create trigger resummarise_chat after update of body, revoked_at on public.messages
  for each row execute function private.resummarise_chat();

-- ---------------------------------------------------------------------------------------
-- Deleting a contact hides its chats, their history and notes (soft deletes every device
-- pulls). A later message from the number opens the same chat afresh (summarise_chat).
-- ---------------------------------------------------------------------------------------

create function private.hide_contact_chats() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_chats uuid[];
begin
  with hidden as (
    update public.chats ch set _deleted = true
    where ch.contact_id = new.id and ch.workspace_id = new.workspace_id and not ch._deleted
    returning ch.id
  )
  select pg_catalog.array_agg(h.id) into v_chats from hidden h;
  if v_chats is null then
    return null;
  end if;
  update public.messages m set _deleted = true where m.chat_id = any (v_chats) and not m._deleted;
  update public.chat_notes n set _deleted = true where n.chat_id = any (v_chats) and not n._deleted;
  return null;
end;
$$;
revoke all on function private.hide_contact_chats() from public;

-- ---------------------------------------------------------------------------------------
-- chat_notes: the team's notes on a chat. Never sent: no provider path reads this table.
-- ---------------------------------------------------------------------------------------

create table public.chat_notes (
  id uuid primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  -- No composite key with the workspace (a second unique key on chats deadlocked concurrent
  -- intakes): check_chat_workspace pins the note to its chat's workspace.
  chat_id uuid not null references public.chats (id) on delete cascade,
  -- Who wrote it: the signed-in member (guard_chat_note).
  author_id uuid not null references auth.users (id) on delete cascade,
  body text not null check (char_length(btrim(body)) between 1 and 4096),
  created_at timestamptz not null default now(),
  _modified timestamptz not null default now(),
  _deleted boolean not null default false,
  updated_at text not null default to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    check (char_length(updated_at) between 20 and 40)
);

create index chat_notes_chat_idx on public.chat_notes (chat_id);

-- A row that names a chat belongs to the chat's workspace.
create function private.check_chat_workspace() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.chat_id is distinct from old.chat_id then
    raise exception 'a % row keeps its chat', tg_table_name using errcode = 'check_violation';
  end if;
  if not exists (select 1 from public.chats ch where ch.id = new.chat_id and ch.workspace_id = new.workspace_id) then
    raise exception 'chat % is not a chat of workspace %', new.chat_id, new.workspace_id
      using errcode = 'check_violation';
  end if;
  return new;
end;
$$;
revoke all on function private.check_chat_workspace() from public;

-- A member writes notes as themself and edits or deletes only their own.
create function private.guard_chat_note() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  if new.author_id is distinct from auth.uid() or (tg_op = 'UPDATE' and old.author_id is distinct from auth.uid()) then
    raise exception 'a member writes and edits only their own notes'
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end;
$$;
revoke all on function private.guard_chat_note() from public;

create trigger check_chat_workspace before insert or update on public.chat_notes
  for each row execute function private.check_chat_workspace();
create trigger guard_chat_note before insert or update on public.chat_notes
  for each row execute function private.guard_chat_note();
select private.replicate_table('public.chat_notes');
select private.workspace_policies('public.chat_notes', p_writable => true);

-- After chat_notes exists: hide_contact_chats soft-deletes notes too.
create trigger hide_contact_chats after update of _deleted on public.contacts
  for each row when (new._deleted and not old._deleted)
  execute function private.hide_contact_chats();

-- ---------------------------------------------------------------------------------------
-- chat_reads: one member's read marker on one chat. Only that member reads or writes it;
-- their devices share it. id = chatReadId(chat_id, user_id) (src/domain/ids.ts), so two
-- devices marking the same chat read write the same row.
-- ---------------------------------------------------------------------------------------

create function private.chat_read_id(p_chat_id uuid, p_user_id uuid) returns uuid
language sql
immutable
set search_path = ''
as $$
  select extensions.uuid_generate_v5(
    '0d6f3c55-3f0e-4a1c-9d57-6b8e2a41c7f3'::uuid, p_chat_id::text || ':' || p_user_id::text
  )
$$;
revoke all on function private.chat_read_id(uuid, uuid) from public;

create table public.chat_reads (
  id uuid primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  chat_id uuid not null references public.chats (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  -- The chat's inbound_count when the member last read it.
  read_count integer not null default 0 check (read_count >= 0),
  read_at timestamptz,
  _modified timestamptz not null default now(),
  _deleted boolean not null default false,
  updated_at text not null default to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    check (char_length(updated_at) between 20 and 40)
);

-- Its id is derived from chat and member (a trigger, not a check constraint: members may not
-- execute private functions), and a read marker never goes back: a device that read less
-- pushes late and loses.
create function private.keep_read_forward() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.id is distinct from private.chat_read_id(new.chat_id, new.user_id) then
    raise exception 'a read marker''s id is derived from its chat and member'
      using errcode = 'check_violation';
  end if;
  if tg_op = 'INSERT' then
    return new;
  end if;
  new.read_count := greatest(new.read_count, old.read_count);
  new.read_at := greatest(new.read_at, old.read_at);
  return new;
end;
$$;
revoke all on function private.keep_read_forward() from public;

create trigger check_chat_workspace before insert or update on public.chat_reads
  for each row execute function private.check_chat_workspace();
create trigger keep_read_forward before insert or update on public.chat_reads
  for each row execute function private.keep_read_forward();
select private.replicate_table('public.chat_reads');

create policy chat_reads_select on public.chat_reads for select to authenticated
  using (user_id = (select auth.uid()) and workspace_id = any ((select public.my_workspace_ids())::uuid[]));
create policy chat_reads_insert on public.chat_reads for insert to authenticated
  with check (user_id = (select auth.uid()) and workspace_id = any ((select public.my_workspace_ids())::uuid[]));
create policy chat_reads_update on public.chat_reads for update to authenticated
  using (user_id = (select auth.uid()) and workspace_id = any ((select public.my_workspace_ids())::uuid[]))
  with check (user_id = (select auth.uid()) and workspace_id = any ((select public.my_workspace_ids())::uuid[]));

grant select, insert, update, delete on public.chat_notes, public.chat_reads to service_role;

-- ---------------------------------------------------------------------------------------
-- Replication: chats become writable (guarded above); notes and read markers replicate.
-- ---------------------------------------------------------------------------------------

create or replace function sync.replicated_table(p_table text, p_writable boolean) returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_table = any (array['contacts', 'contact_groups', 'templates', 'campaigns', 'chats', 'chat_notes', 'chat_reads'])
     or (not p_writable and p_table = any (
       array['workspaces', 'workspace_members', 'channels', 'messages'])) then
    return p_table;
  end if;
  raise exception 'table "%" is not %', p_table,
    case when p_writable then 'writable by replication' else 'replicated' end
    using errcode = 'invalid_parameter_value';
end;
$$;

-- Chats that existed before: their summary from their messages (every customer message
-- counts as read by nobody, as it was shown nowhere).
update public.chats ch
set last_message_id = m.id, last_message_direction = m.direction, last_message_preview = private.message_preview(m),
    inbound_count = (select count(*) from public.messages i where i.chat_id = ch.id and i.direction = 'in' and not i._deleted)
from (
  select distinct on (x.chat_id) x.* from public.messages x where not x._deleted
  order by x.chat_id, x.created_at desc, x.id desc
) m
where m.chat_id = ch.id;
