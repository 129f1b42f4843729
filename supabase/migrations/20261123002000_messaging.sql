-- Messaging: channel pacing and delivery state, chats, messages (replicated, read-only for
-- clients) and the server-only outbox that sends each message exactly once
-- (DESIGN.md: data rules, the outbox, webhooks).
--
-- Messages are pull-only for clients. An outbound message reaches the server only as a
-- command to /functions/v1/outbox (enqueue_messages below), which writes the message and
-- its outbox row in one transaction. If replication pushed messages as well, the same
-- write would travel two ways, and a message row could exist without its outbox row.

-- ---------------------------------------------------------------------------------------
-- channels: pacing (set by owners and admins) and delivery state (set by the server)
-- ---------------------------------------------------------------------------------------

alter table public.channels
  -- A random pause between two sends of the channel, in milliseconds: bursts of identical
  -- timing are what gets a WhatsApp number flagged.
  add column min_delay_ms integer not null default 0 check (min_delay_ms between 0 and 3600000),
  add column max_delay_ms integer not null default 0 check (max_delay_ms between 0 and 3600000),
  add column rate_per_minute integer not null default 60 check (rate_per_minute between 1 and 6000),
  -- Set by the processor on a provider 429 (until its Retry-After); nothing is sent before.
  add column paused_until timestamptz,
  -- Why the processor marked the channel degraded; null while it is healthy.
  add column degraded_reason text check (char_length(degraded_reason) <= 1000),
  add constraint channels_delay_order check (min_delay_ms <= max_delay_ms);

-- Clients configure pacing but never write delivery state: a member unpausing a channel the
-- provider throttled would get the number blocked.
create or replace function private.guard_channel_delivery_state() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user in ('anon', 'authenticated')
     and (new.paused_until is distinct from old.paused_until
          or new.degraded_reason is distinct from old.degraded_reason) then
    raise exception 'paused_until and degraded_reason of a channel are set by the server'
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end;
$$;
revoke all on function private.guard_channel_delivery_state() from public;

create trigger guard_channel_delivery_state before update on public.channels
  for each row execute function private.guard_channel_delivery_state();

-- ---------------------------------------------------------------------------------------
-- chats: one per WhatsApp chat per channel. id = chatId(channel_id, wa_chat_id), the UUID v5
-- of src/domain/ids.ts, so the intake and webhooks and clients all name a chat alike.
-- ---------------------------------------------------------------------------------------

create table public.chats (
  id uuid primary key,
  workspace_id uuid not null,
  channel_id uuid not null,
  -- As the provider writes it, e.g. 491711234567@s.whatsapp.net.
  wa_chat_id text not null check (char_length(wa_chat_id) between 1 and 200 and wa_chat_id !~ '\s'),
  contact_id uuid references public.contacts (id) on delete set null,
  last_message_at timestamptz,
  created_at timestamptz not null default now(),
  _modified timestamptz not null default now(),
  _deleted boolean not null default false,
  constraint chats_channel_fkey foreign key (channel_id, workspace_id)
    references public.channels (id, workspace_id) on delete cascade,
  constraint chats_channel_wa_chat_key unique (channel_id, wa_chat_id)
);

create trigger guard_row_identity before update on public.chats
  for each row execute function private.guard_row_identity();
create trigger set_modified before insert or update on public.chats
  for each row execute function private.set_modified();

create index chats_workspace_modified_idx on public.chats (workspace_id, _modified, id);
create index chats_modified_idx on public.chats (_modified, id);

-- The UUID v5 namespace of chat ids (CHAT_NAMESPACE in src/domain/ids.ts).
create or replace function private.chat_id(p_channel_id uuid, p_wa_chat_id text) returns uuid
language sql
immutable
set search_path = ''
as $$
  select extensions.uuid_generate_v5(
    '597a5c32-6f2e-49b7-82ac-894b612eae9a'::uuid, p_channel_id::text || ':' || p_wa_chat_id
  )
$$;
revoke all on function private.chat_id(uuid, text) from public;

-- ---------------------------------------------------------------------------------------
-- messages
-- ---------------------------------------------------------------------------------------

create table public.messages (
  -- Made on the client for outbound messages: the idempotency key of the send command.
  id uuid primary key,
  workspace_id uuid not null,
  channel_id uuid not null,
  chat_id uuid not null references public.chats (id) on delete cascade,
  contact_id uuid references public.contacts (id) on delete set null,
  direction text not null check (direction in ('in', 'out')),
  -- The other party, E.164: the recipient of an outbound message, the sender of an inbound one.
  phone text not null check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  -- 4096 characters: WhatsApp's limit for a text message body.
  body text not null check (char_length(body) between 1 and 4096),
  status text not null default 'queued'
    check (status in ('queued', 'sending', 'sent', 'delivered', 'read', 'failed')),
  -- Why the message failed, for people; null unless status = 'failed'.
  error text check (char_length(error) <= 2000),
  wa_message_id text check (char_length(wa_message_id) between 1 and 200),
  created_at timestamptz not null default now(),
  _modified timestamptz not null default now(),
  _deleted boolean not null default false,
  constraint messages_channel_fkey foreign key (channel_id, workspace_id)
    references public.channels (id, workspace_id) on delete cascade,
  -- Webhooks upsert inbound messages and match status events on it.
  constraint messages_channel_wa_message_key unique (channel_id, wa_message_id)
);

create index messages_workspace_modified_idx on public.messages (workspace_id, _modified, id);
create index messages_modified_idx on public.messages (_modified, id);
create index messages_chat_created_idx on public.messages (chat_id, created_at);

-- Delivery status only moves forward (queued < sending < sent < delivered < read); failed
-- is terminal and comes only before delivery. Providers report events out of order, so a
-- late "sent" after "read" must not take the ticks back. Webhooks filter their updates with
-- it (skipping stale events quietly); the trigger below makes it hold for every writer.
create or replace function private.message_status_moves_forward(p_from text, p_to text) returns boolean
language sql
immutable
set search_path = ''
as $$
  select case
    when p_from = p_to then false
    when p_from = 'failed' then false
    when p_to = 'failed' then p_from in ('queued', 'sending', 'sent')
    else pg_catalog.array_position(array['queued', 'sending', 'sent', 'delivered', 'read'], p_to)
       > pg_catalog.array_position(array['queued', 'sending', 'sent', 'delivered', 'read'], p_from)
  end
$$;
revoke all on function private.message_status_moves_forward(text, text) from public;

create or replace function private.guard_message() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status is distinct from old.status
     and not private.message_status_moves_forward(old.status, new.status) then
    raise exception 'message status cannot move from % to %', old.status, new.status
      using errcode = 'check_violation';
  end if;
  if new.direction is distinct from old.direction or new.channel_id is distinct from old.channel_id
     or new.chat_id is distinct from old.chat_id then
    raise exception 'a message keeps its direction, channel and chat'
      using errcode = 'check_violation';
  end if;
  return new;
end;
$$;
revoke all on function private.guard_message() from public;

create trigger guard_message before update on public.messages
  for each row execute function private.guard_message();
create trigger guard_row_identity before update on public.messages
  for each row execute function private.guard_row_identity();
create trigger set_modified before insert or update on public.messages
  for each row execute function private.set_modified();

-- ---------------------------------------------------------------------------------------
-- outbox_messages: the server's send queue, one row per outbound message. No client role
-- has any privilege; RLS is on with no policy as a second lock.
-- ---------------------------------------------------------------------------------------

create table public.outbox_messages (
  id uuid primary key default gen_random_uuid(),
  message_id uuid not null unique references public.messages (id) on delete cascade,
  workspace_id uuid not null,
  channel_id uuid not null,
  -- paused: held back (the channel is paused or disconnected) until the processor resumes it.
  status text not null default 'queued'
    check (status in ('queued', 'sending', 'sent', 'failed', 'paused')),
  attempts integer not null default 0 check (attempts between 0 and 100),
  -- When the processor may next claim the row (now at intake, later after a backoff).
  next_attempt_at timestamptz not null default now(),
  last_error text check (char_length(last_error) <= 2000),
  -- The processor instance holding the row while status = 'sending', and since when: a claim
  -- older than the processor's timeout was abandoned by a crash and may be taken over.
  claimed_by text check (char_length(claimed_by) <= 200),
  claimed_at timestamptz,
  -- The earliest time the sender wants it sent (campaign scheduling); null = at once.
  scheduled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint outbox_messages_channel_fkey foreign key (channel_id, workspace_id)
    references public.channels (id, workspace_id) on delete cascade
);

-- The processor's claim: due rows in order, per channel.
create index outbox_messages_due_idx on public.outbox_messages (next_attempt_at)
  where status = 'queued';
create index outbox_messages_channel_idx on public.outbox_messages (channel_id, status);

alter table public.outbox_messages enable row level security;
revoke all on public.outbox_messages from public, anon, authenticated;
grant select, insert, update, delete on public.outbox_messages to service_role;

-- ---------------------------------------------------------------------------------------
-- Privileges and policies: members read chats and messages of their workspaces; every
-- write is the server's (enqueue_messages, the processor, webhooks).
-- ---------------------------------------------------------------------------------------

alter table public.chats enable row level security;
alter table public.messages enable row level security;

revoke all on public.chats, public.messages from public, anon, authenticated;
grant select on public.chats, public.messages to authenticated;
grant select, insert, update, delete on public.chats, public.messages to service_role;

create policy chats_select on public.chats
  for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
create policy messages_select on public.messages
  for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));

alter publication supabase_realtime add table public.chats, public.messages;

-- Replication: chats and messages are pulled, never pushed.
create or replace function sync.replicated_table(p_table text, p_writable boolean) returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_table = any (array['contacts', 'contact_groups', 'templates'])
     or (not p_writable and p_table = any (
       array['workspaces', 'workspace_members', 'channels', 'chats', 'messages'])) then
    return p_table;
  end if;
  raise exception 'table "%" is not %', p_table,
    case when p_writable then 'writable by replication' else 'replicated' end
    using errcode = 'invalid_parameter_value';
end;
$$;

-- ---------------------------------------------------------------------------------------
-- enqueue_messages: the outbox intake. p_commands is a JSON array (at most 500) of
-- {message_id, channel_id, to, body, contact_id?}. Each command is checked and written on
-- its own (a bad one never stops the others): the message (status queued), its chat and
-- its outbox row, in one transaction with the rest. A message_id already written by a
-- member of the same workspace is a replay: nothing changes and it reports 'duplicate'.
-- Returns {"results": [{message_id, status: queued | duplicate | rejected, error?}]} in
-- command order.
--
-- SECURITY DEFINER because clients hold no write privilege on these tables; the caller's
-- membership of the channel's workspace (auth.uid()) is checked for every command.
-- ---------------------------------------------------------------------------------------
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
  v_wa_chat_id text;
  v_chat_id uuid;
  v_existing uuid;
  v_reject text;
begin
  if pg_catalog.jsonb_typeof(p_cmd) is distinct from 'object' then
    return pg_catalog.jsonb_build_object('message_id', null, 'status', 'rejected',
      'error', 'each command must be a JSON object');
  end if;
  if pg_catalog.jsonb_typeof(p_cmd -> 'message_id') is distinct from 'string'
     or (p_cmd ->> 'message_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return pg_catalog.jsonb_build_object('message_id', p_cmd -> 'message_id', 'status', 'rejected',
      'error', 'message_id must be a uuid');
  end if;
  v_id := (p_cmd ->> 'message_id')::uuid;

  select m.workspace_id into v_existing from public.messages m where m.id = v_id;
  if found then
    if public.is_member(v_existing) then
      return pg_catalog.jsonb_build_object('message_id', v_id, 'status', 'duplicate');
    end if;
    return pg_catalog.jsonb_build_object('message_id', v_id, 'status', 'rejected',
      'error', 'message_id is already in use; make a new one');
  end if;

  v_to := p_cmd ->> 'to';
  v_body := p_cmd ->> 'body';
  v_reject := case
    when pg_catalog.jsonb_typeof(p_cmd -> 'channel_id') is distinct from 'string'
         or (p_cmd ->> 'channel_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      then 'channel_id must be a uuid'
    when pg_catalog.jsonb_typeof(p_cmd -> 'to') is distinct from 'string' or v_to !~ '^\+[1-9][0-9]{6,14}$'
      then pg_catalog.format('to must be a phone number in E.164 form (+ and 7 to 15 digits), got %s',
        p_cmd -> 'to')
    when pg_catalog.jsonb_typeof(p_cmd -> 'body') is distinct from 'string'
      then 'body must be a string'
    when pg_catalog.char_length(v_body) not between 1 and 4096
      then pg_catalog.format('body must be 1 to 4096 characters, got %s', pg_catalog.char_length(v_body))
    when p_cmd ? 'contact_id' and pg_catalog.jsonb_typeof(p_cmd -> 'contact_id') <> 'null'
         and (pg_catalog.jsonb_typeof(p_cmd -> 'contact_id') <> 'string'
              or (p_cmd ->> 'contact_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
      then 'contact_id must be a uuid or absent'
  end;
  if v_reject is not null then
    return pg_catalog.jsonb_build_object('message_id', v_id, 'status', 'rejected', 'error', v_reject);
  end if;

  -- Not found and not a member read the same, so ids of other workspaces leak nothing.
  select * into v_channel from public.channels c
  where c.id = (p_cmd ->> 'channel_id')::uuid and not c._deleted;
  if not found or not public.is_member(v_channel.workspace_id) then
    return pg_catalog.jsonb_build_object('message_id', v_id, 'status', 'rejected',
      'error', pg_catalog.format('channel %s is not a channel of your workspaces', p_cmd ->> 'channel_id'));
  end if;

  if p_cmd ->> 'contact_id' is not null then
    select * into v_contact from public.contacts c
    where c.id = (p_cmd ->> 'contact_id')::uuid and c.workspace_id = v_channel.workspace_id
      and not c._deleted;
    if not found then
      return pg_catalog.jsonb_build_object('message_id', v_id, 'status', 'rejected',
        'error', pg_catalog.format('contact %s is not a contact of the channel''s workspace',
          p_cmd ->> 'contact_id'));
    end if;
    if v_contact.phone <> v_to then
      return pg_catalog.jsonb_build_object('message_id', v_id, 'status', 'rejected',
        'error', pg_catalog.format('to %s is not the phone of contact %s (%s)', v_to, v_contact.id,
          v_contact.phone));
    end if;
  else
    select * into v_contact from public.contacts c
    where c.workspace_id = v_channel.workspace_id and c.phone = v_to and not c._deleted;
  end if;
  if v_contact.opted_out then
    return pg_catalog.jsonb_build_object('message_id', v_id, 'status', 'rejected',
      'error', pg_catalog.format('%s opted out of messages from this workspace', v_to));
  end if;

  -- The WhatsApp id of a one-to-one chat: the number's digits at s.whatsapp.net.
  v_wa_chat_id := pg_catalog.substr(v_to, 2) || '@s.whatsapp.net';
  v_chat_id := private.chat_id(v_channel.id, v_wa_chat_id);
  insert into public.chats as ch (id, workspace_id, channel_id, wa_chat_id, contact_id, last_message_at)
  values (v_chat_id, v_channel.workspace_id, v_channel.id, v_wa_chat_id, v_contact.id, pg_catalog.now())
  on conflict (id) do update
    set last_message_at = excluded.last_message_at,
        contact_id = coalesce(ch.contact_id, excluded.contact_id);

  -- A concurrent request with the same id may have won since the check above.
  insert into public.messages (id, workspace_id, channel_id, chat_id, contact_id, direction, phone, body)
  values (v_id, v_channel.workspace_id, v_channel.id, v_chat_id, v_contact.id, 'out', v_to, v_body)
  on conflict (id) do nothing;
  if not found then
    return pg_catalog.jsonb_build_object('message_id', v_id, 'status', 'duplicate');
  end if;
  insert into public.outbox_messages (message_id, workspace_id, channel_id)
  values (v_id, v_channel.workspace_id, v_channel.id);
  return pg_catalog.jsonb_build_object('message_id', v_id, 'status', 'queued');
end;
$$;
revoke all on function private.enqueue_message(jsonb) from public;

-- One command of a batch. 20261123003000_campaigns.sql routes campaign commands here.
create or replace function private.enqueue_command(p_cmd jsonb) returns jsonb
language sql
security definer
set search_path = ''
as $$ select private.enqueue_message(p_cmd) $$;
revoke all on function private.enqueue_command(jsonb) from public;

create or replace function public.enqueue_messages(p_commands jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cmd record;
  v_results jsonb[] := '{}';
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
  -- Rows are locked in one global order (campaign, chat, then message), so two batches
  -- touching the same rows or replaying the same ids wait for each other instead of
  -- deadlocking. Within a campaign, the command carrying its draft goes first: it may create
  -- the campaign (20261123003000_campaigns.sql).
  for v_cmd in
    select c.value, c.ordinality
    from pg_catalog.jsonb_array_elements(p_commands) with ordinality c
    order by c.value ->> 'campaign_id', pg_catalog.jsonb_typeof(c.value) = 'object' and c.value ? 'campaign' desc,
      c.value ->> 'channel_id', c.value ->> 'to', c.value ->> 'message_id', c.ordinality
  loop
    v_results[v_cmd.ordinality] := private.enqueue_command(v_cmd.value);
  end loop;
  return pg_catalog.jsonb_build_object('results', pg_catalog.to_jsonb(v_results));
end;
$$;
revoke all on function public.enqueue_messages(jsonb) from public, anon;
grant execute on function public.enqueue_messages(jsonb) to authenticated;
