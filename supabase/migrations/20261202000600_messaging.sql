-- Messaging: chats, messages (replicated, read-only for clients) and the server-only outbox
-- that sends each message exactly once, with its intake (DESIGN.md: data rules, the outbox,
-- webhooks).
--
-- Messages are pull-only for clients. An outbound message reaches the server only as a
-- command to /functions/v1/outbox (enqueue_messages below), which writes the message and
-- its outbox row in one transaction. If replication pushed messages as well, the same
-- write would travel two ways, and a message row could exist without its outbox row.

-- ---------------------------------------------------------------------------------------
-- chats: one per WhatsApp chat per channel. id = chatId(channel_id, wa_chat_id), the UUID v5
-- of src/domain/ids.ts, so the intake and webhooks and clients all name a chat alike.
-- ---------------------------------------------------------------------------------------

-- The UUID v5 namespace of chat ids (CHAT_NAMESPACE in src/domain/ids.ts).
create function private.chat_id(p_channel_id uuid, p_wa_chat_id text) returns uuid
language sql
immutable
set search_path = ''
as $$
  select extensions.uuid_generate_v5(
    '597a5c32-6f2e-49b7-82ac-894b612eae9a'::uuid, p_channel_id::text || ':' || p_wa_chat_id
  )
$$;
revoke all on function private.chat_id(uuid, text) from public;

-- The WhatsApp id of a one-to-one chat: the number's digits at s.whatsapp.net.
create function private.wa_chat_id(p_phone text) returns text
language sql
immutable
set search_path = ''
as $$ select pg_catalog.substr(p_phone, 2) || '@s.whatsapp.net' $$;
revoke all on function private.wa_chat_id(text) from public;

create table public.chats (
  -- Derived from its channel and WhatsApp chat id, and every writer upserts on it: the
  -- derivation is the constraint (a second unique key on the pair would make two requests
  -- creating the same chat at once fail on that key instead of updating).
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
  constraint chats_id_derived check (id = private.chat_id(channel_id, wa_chat_id))
);

create index chats_channel_wa_chat_idx on public.chats (channel_id, wa_chat_id);

-- The one-to-one chat with p_phone on the channel, made if new; returns its id. A send
-- (p_last_message_at set) dates the chat; any writer links the chat to its contact when it
-- has none yet. Otherwise the row is left alone (no new version to replicate).
create function private.upsert_chat(
  p_channel public.channels, p_phone text, p_contact_id uuid, p_last_message_at timestamptz
) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_wa_chat_id text := private.wa_chat_id(p_phone);
  v_id uuid := private.chat_id(p_channel.id, v_wa_chat_id);
begin
  insert into public.chats as ch (id, workspace_id, channel_id, wa_chat_id, contact_id, last_message_at)
  values (v_id, p_channel.workspace_id, p_channel.id, v_wa_chat_id, p_contact_id, p_last_message_at)
  on conflict (id) do update
    set last_message_at = coalesce(excluded.last_message_at, ch.last_message_at),
        contact_id = coalesce(ch.contact_id, excluded.contact_id)
    where excluded.last_message_at is not null
       or (ch.contact_id is null and excluded.contact_id is not null);
  return v_id;
end;
$$;
revoke all on function private.upsert_chat(public.channels, text, uuid, timestamptz) from public;

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
  -- The campaign that sent it, and its round: 0 for the launch, n for the n-th retry of
  -- failed recipients (20261202000800_campaign_sending.sql).
  campaign_id uuid references public.campaigns (id) on delete set null,
  campaign_round smallint check (campaign_round between 0 and 100),
  -- Set on a campaign message when its recipient first writes back after it was sent.
  replied_at timestamptz,
  -- When an outbound message left: the first time its status reached sent (or a later tick,
  -- when the provider's reports arrive out of order). A campaign's chart of sends over time
  -- plots it; `_modified` would move each point again at delivered and at read.
  sent_at timestamptz,
  constraint messages_channel_fkey foreign key (channel_id, workspace_id)
    references public.channels (id, workspace_id) on delete cascade,
  -- Webhooks upsert inbound messages and match status events on it.
  constraint messages_channel_wa_message_key unique (channel_id, wa_message_id)
);

create index messages_chat_created_idx on public.messages (chat_id, created_at);
create index messages_campaign_idx on public.messages (campaign_id, campaign_round, status)
  where campaign_id is not null;

-- Delivery status only moves forward (queued < sending < sent < delivered < read); failed
-- is terminal and comes only before delivery. Providers report events out of order, so a
-- late "sent" after "read" must not take the ticks back. Webhooks filter their updates with
-- it (skipping stale events quietly); the trigger below makes it hold for every writer.
create function private.message_status_moves_forward(p_from text, p_to text) returns boolean
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

create function private.guard_message() returns trigger
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

create function private.stamp_message_sent() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.direction = 'out' and new.sent_at is null and new.status in ('sent', 'delivered', 'read') then
    new.sent_at := pg_catalog.now();
  end if;
  return new;
end;
$$;
revoke all on function private.stamp_message_sent() from public;

create trigger guard_message before update on public.messages
  for each row execute function private.guard_message();
create trigger stamp_message_sent before insert or update of status on public.messages
  for each row execute function private.stamp_message_sent();

-- ---------------------------------------------------------------------------------------
-- Privileges and policies of chats and messages: members read those of their workspaces;
-- every write is the server's (enqueue_messages, the processor, webhooks).
-- ---------------------------------------------------------------------------------------

select private.replicate_table('public.chats');
select private.replicate_table('public.messages');
select private.workspace_policies('public.chats', p_writable => false);
select private.workspace_policies('public.messages', p_writable => false);
revoke all on public.chats, public.messages from public, anon, authenticated;
grant select on public.chats, public.messages to authenticated;
grant select, insert, update, delete on public.chats, public.messages to service_role;

-- ---------------------------------------------------------------------------------------
-- outbox_messages: the server's send queue, one row per outbound message. No client role
-- has any privilege; RLS is on with no policy as a second lock.
-- ---------------------------------------------------------------------------------------

create table public.outbox_messages (
  id uuid primary key default gen_random_uuid(),
  message_id uuid not null unique references public.messages (id) on delete cascade,
  workspace_id uuid not null,
  channel_id uuid not null,
  -- paused: held back (its campaign is launching or paused) until whoever paused it resumes it.
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
  -- The message's campaign, for set-wise pause and resume.
  campaign_id uuid,
  constraint outbox_messages_channel_fkey foreign key (channel_id, workspace_id)
    references public.channels (id, workspace_id) on delete cascade
);

-- The processor's claim: due rows in order, per channel.
create index outbox_messages_due_idx on public.outbox_messages (next_attempt_at)
  where status = 'queued';
create index outbox_messages_channel_idx on public.outbox_messages (channel_id, status);
create index outbox_messages_campaign_idx on public.outbox_messages (campaign_id, status)
  where campaign_id is not null;

alter table public.outbox_messages enable row level security;
revoke all on public.outbox_messages from public, anon, authenticated;
grant select, insert, update, delete on public.outbox_messages to service_role;

-- Ends outbox rows as failed, with their messages (a message the provider already
-- delivered keeps its status): p_error is what users see.
create function private.fail_outbox_rows(p_ids uuid[], p_error text) returns void
language sql
set search_path = ''
as $$
  with failed as (
    update public.outbox_messages o
    set status = 'failed', last_error = p_error, updated_at = pg_catalog.now()
    where o.id = any (p_ids)
    returning o.message_id
  )
  update public.messages m
  set status = 'failed', error = p_error
  from failed
  where m.id = failed.message_id and private.message_status_moves_forward(m.status, 'failed')
$$;
revoke all on function private.fail_outbox_rows(uuid[], text) from public;

-- ---------------------------------------------------------------------------------------
-- enqueue_messages: the outbox intake. p_commands is a JSON array (at most 500) of
-- {message_id, channel_id, to, body, contact_id?}. Each command is checked and written on
-- its own (a bad one never stops the others): the message (status queued), its chat and
-- its outbox row, in one transaction with the rest. A message_id already written by a
-- member of the same workspace is a replay: nothing changes and it reports 'duplicate'.
-- Returns {"results": [{message_id, status: queued | duplicate | rejected, error?}]} in
-- command order. Commands with campaign_id go through the campaign intake first
-- (private.enqueue_campaign_message, 20261202000800_campaign_sending.sql).
--
-- SECURITY DEFINER because clients hold no write privilege on these tables; the caller's
-- membership of the channel's workspace (auth.uid()) is checked for every command.
-- ---------------------------------------------------------------------------------------

-- A JSON string holding a uuid.
create function private.is_uuid(p_value jsonb) returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(
    pg_catalog.jsonb_typeof(p_value) = 'string'
      and (p_value #>> '{}') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    false)
$$;
revoke all on function private.is_uuid(jsonb) from public;

-- One command's result: queued, duplicate, or rejected with the error.
create function private.intake_result(p_message_id uuid, p_status text, p_error text default null)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object('message_id', p_message_id, 'status', p_status)
    || case when p_error is null then '{}'::jsonb else pg_catalog.jsonb_build_object('error', p_error) end
$$;
revoke all on function private.intake_result(uuid, text, text) from public;

create function private.enqueue_message(p_cmd jsonb) returns jsonb
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
    if not found then
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

create function public.enqueue_messages(p_commands jsonb) returns jsonb
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
  -- the campaign.
  for v_cmd in
    select c.value, c.ordinality
    from pg_catalog.jsonb_array_elements(p_commands) with ordinality c
    order by c.value ->> 'campaign_id', pg_catalog.jsonb_typeof(c.value) = 'object' and c.value ? 'campaign' desc,
      c.value ->> 'channel_id', c.value ->> 'to', c.value ->> 'message_id', c.ordinality
  loop
    v_results[v_cmd.ordinality] := case
      when pg_catalog.jsonb_typeof(v_cmd.value) = 'object' and v_cmd.value ? 'campaign_id'
        then private.enqueue_campaign_message(v_cmd.value)
      else private.enqueue_message(v_cmd.value)
    end;
  end loop;
  return pg_catalog.jsonb_build_object('results', pg_catalog.to_jsonb(v_results));
end;
$$;
revoke all on function public.enqueue_messages(jsonb) from public, anon;
grant execute on function public.enqueue_messages(jsonb) to authenticated;
