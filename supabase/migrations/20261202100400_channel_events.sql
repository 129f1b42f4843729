-- Webhook events of every kind (issue 13), already checked for signature and read into
-- provider-neutral events by the webhooks function (supabase/functions/_shared/
-- channel-events.ts), applied to one channel in one transaction: delivery statuses (through
-- record_provider_events, 20261123002200_outbox_delivery.sql), messages of every type from
-- the customer or typed on the business's phone, edits, deletions, reactions, chat names and
-- pictures, and the provider's word on the number's connection and quality. What a reader
-- did not route is counted per channel, never refused.

create table private.webhook_ignored_events (
  channel_id uuid not null references public.channels (id) on delete cascade,
  label text not null check (char_length(label) between 1 and 200),
  count bigint not null default 0,
  last_at timestamptz not null default now(),
  primary key (channel_id, label)
);
alter table private.webhook_ignored_events enable row level security;
revoke all on private.webhook_ignored_events from public;

-- The chat of the channel with this customer, created when new, with the name and picture
-- the provider reported (a null keeps what is known).
create or replace function private.upsert_chat(
  p_channel public.channels,
  p_phone text,
  p_name text,
  p_picture_url text
) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_wa_chat_id text := pg_catalog.substr(p_phone, 2) || '@s.whatsapp.net';
  v_chat_id uuid := private.chat_id(p_channel.id, v_wa_chat_id);
  v_contact_id uuid;
begin
  select c.id into v_contact_id from public.contacts c
  where c.id = private.contact_id(p_channel.workspace_id, p_phone) and not c._deleted;
  insert into public.chats as ch (id, workspace_id, channel_id, wa_chat_id, contact_id, name, picture_url)
  values (v_chat_id, p_channel.workspace_id, p_channel.id, v_wa_chat_id, v_contact_id,
    pg_catalog.left(p_name, 200), pg_catalog.left(p_picture_url, 2000))
  on conflict (id) do update
    set contact_id = coalesce(ch.contact_id, excluded.contact_id),
        name = coalesce(excluded.name, ch.name),
        picture_url = coalesce(excluded.picture_url, ch.picture_url)
    -- Only a real change: every update replicates the chat to every member's device.
    where (ch.contact_id is null and excluded.contact_id is not null)
       or (excluded.name is not null and excluded.name is distinct from ch.name)
       or (excluded.picture_url is not null and excluded.picture_url is distinct from ch.picture_url);
  return v_chat_id;
end;
$$;
revoke all on function private.upsert_chat(public.channels, text, text, text) from public;

-- One message event: a customer's message ('in'), or the business's own typed on its phone
-- ('out', from_phone). Inserted once per (channel, wamid); true when it was new.
create or replace function private.record_message_event(p_channel public.channels, p_event jsonb, p_n integer)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_id text := p_event ->> 'id';
  v_phone text := p_event ->> 'phone';
  v_out boolean := (p_event ->> 'direction') = 'out';
  v_media jsonb := p_event -> 'media';
  v_chat_id uuid;
  v_contact_id uuid;
  -- Dated when they arrive: provider timestamps have a one-second grain, so a quick reply
  -- would sort before the message it answers.
  v_at timestamptz := pg_catalog.now();
begin
  if pg_catalog.jsonb_typeof(p_event -> 'id') is distinct from 'string'
     or pg_catalog.char_length(v_id) not between 1 and 200
     or v_phone is null or v_phone !~ '^\+[1-9][0-9]{6,14}$'
     or (p_event ->> 'direction') is null or (p_event ->> 'direction') not in ('in', 'out')
     or pg_catalog.jsonb_typeof(p_event -> 'body') is distinct from 'string'
     or pg_catalog.char_length(p_event ->> 'body') > 4096
     or ((p_event ->> 'type') = 'text' and (p_event ->> 'body') = '')
     or (p_event ->> 'type') is null
     or (p_event ->> 'type') not in ('text', 'image', 'video', 'audio', 'document', 'sticker', 'location',
                                     'contacts', 'interactive', 'button')
     or (v_media is not null and (pg_catalog.jsonb_typeof(v_media -> 'id') is distinct from 'string'
                                  or pg_catalog.char_length(v_media ->> 'id') not between 1 and 500))
     or (p_event -> 'details' is not null and pg_catalog.jsonb_typeof(p_event -> 'details') <> 'object') then
    raise exception 'event % (a message) needs an id (1 to 200 characters), a phone (E.164), a direction (in or out), a known type and a body of at most 4096 characters (not empty for text)', p_n
      using errcode = 'invalid_parameter_value';
  end if;
  if v_out then
    -- A provider may echo Pigeon's own sends as the business's messages: under the wamid's
    -- lock (complete_outbox stores a send's wamid under it), a message already there wins.
    perform private.lock_wamid(p_channel.id, v_id);
    if exists (select 1 from public.messages m where m.channel_id = p_channel.id and m.wa_message_id = v_id) then
      return false;
    end if;
  end if;
  v_chat_id := private.upsert_chat(p_channel, v_phone, case when v_out then null else p_event ->> 'sender_name' end, null);
  select ch.contact_id into v_contact_id from public.chats ch where ch.id = v_chat_id;

  insert into public.messages (id, workspace_id, channel_id, chat_id, contact_id, direction, phone, body, status,
    wa_message_id, created_at, kind, media_id, mime_type, file_name, details, from_phone)
  values (pg_catalog.gen_random_uuid(), p_channel.workspace_id, p_channel.id, v_chat_id, v_contact_id,
    case when v_out then 'out' else 'in' end, v_phone, p_event ->> 'body',
    case when v_out then 'sent' else 'delivered' end, v_id, v_at, p_event ->> 'type', v_media ->> 'id',
    pg_catalog.left(v_media ->> 'mime_type', 200), pg_catalog.left(v_media ->> 'file_name', 500),
    p_event -> 'details', v_out)
  on conflict (channel_id, wa_message_id) do nothing;
  if not found then
    return false;
  end if;
  update public.chats ch
  set last_message_at = greatest(ch.last_message_at, v_at),
      last_inbound_at = case when v_out then ch.last_inbound_at else greatest(ch.last_inbound_at, v_at) end
  where ch.id = v_chat_id;
  return true;
end;
$$;
revoke all on function private.record_message_event(public.channels, jsonb, integer) from public;

-- An edit, deletion or reaction about the message p_wa_message_id of the channel; true when
-- it changed a message (false: no such message here, or nothing to change).
create or replace function private.record_message_change(p_channel_id uuid, p_event jsonb, p_n integer)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_kind text := p_event ->> 'kind';
  v_id text := p_event ->> 'id';
  v_text text := coalesce(p_event ->> 'body', p_event ->> 'emoji');
begin
  if pg_catalog.jsonb_typeof(p_event -> 'id') is distinct from 'string'
     or pg_catalog.char_length(v_id) not between 1 and 200
     or (v_kind = 'edit' and (v_text is null or pg_catalog.char_length(v_text) > 4096))
     or (v_kind = 'reaction' and (v_text is null or pg_catalog.char_length(v_text) > 32)) then
    raise exception 'event % (a %) needs the id of its message (1 to 200 characters)%', p_n, v_kind,
      case v_kind when 'edit' then ' and a body of at most 4096 characters'
                  when 'reaction' then ' and an emoji' else '' end
      using errcode = 'invalid_parameter_value';
  end if;
  if v_kind = 'edit' then
    update public.messages m set body = v_text, edited_at = pg_catalog.now()
    where m.channel_id = p_channel_id and m.wa_message_id = v_id and m.revoked_at is null
      and m.body is distinct from v_text and not (m.kind = 'text' and v_text = '');
  elsif v_kind = 'revoke' then
    update public.messages m
    set revoked_at = pg_catalog.now(), body = '', media_id = null, mime_type = null, file_name = null, details = null
    where m.channel_id = p_channel_id and m.wa_message_id = v_id and m.revoked_at is null;
  else
    update public.messages m set reaction = nullif(v_text, '')
    where m.channel_id = p_channel_id and m.wa_message_id = v_id and m.reaction is distinct from nullif(v_text, '');
  end if;
  return found;
end;
$$;
revoke all on function private.record_message_change(uuid, jsonb, integer) from public;

-- The provider's word on the number: disconnected (with why), connected again, or a quality
-- rating. A connected report does not lift a pause or a degradation Pigeon decided on.
create or replace function private.record_channel_report(p_channel_id uuid, p_event jsonb) returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_status text := p_event ->> 'status';
begin
  if v_status is not null and v_status not in ('connected', 'disconnected') then
    raise exception 'a channel event''s status must be connected or disconnected' using errcode = 'invalid_parameter_value';
  end if;
  update public.channels c
  set status = case
        when v_status = 'disconnected' then 'disconnected'
        when v_status = 'connected' and c.status in ('pending', 'disconnected') then 'connected'
        else c.status end,
      quality_rating = coalesce(pg_catalog.left(p_event ->> 'quality_rating', 40), c.quality_rating),
      last_error = case when v_status = 'disconnected'
        then pg_catalog.left(coalesce(p_event ->> 'reason', 'the provider reported the number disconnected'), 1000)
        else c.last_error end,
      last_error_at = case when v_status = 'disconnected' then pg_catalog.now() else c.last_error_at end
  where c.id = p_channel_id;
  return found;
end;
$$;
revoke all on function private.record_channel_report(uuid, jsonb) from public;

-- Adds a delivery's unrouted counts ({label: n}) to the channel's tally.
create or replace function private.count_ignored_events(p_channel_id uuid, p_ignored jsonb) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_total bigint := 0;
  v_label record;
begin
  for v_label in
    select pg_catalog.left(i.key, 200) as label, (i.value)::text::bigint as n
    from pg_catalog.jsonb_each(coalesce(p_ignored, '{}')) i
    where pg_catalog.jsonb_typeof(i.value) = 'number' and i.key <> ''
    limit 100
  loop
    continue when v_label.n <= 0;
    insert into private.webhook_ignored_events as w (channel_id, label, count)
    values (p_channel_id, v_label.label, v_label.n)
    on conflict (channel_id, label) do update set count = w.count + excluded.count, last_at = pg_catalog.now();
    v_total := v_total + v_label.n;
  end loop;
  return v_total;
end;
$$;
revoke all on function private.count_ignored_events(uuid, jsonb) from public;

-- ---------------------------------------------------------------------------------------
-- The business's own message recorded from a webhook before its send stored the wamid: the
-- send's row keeps the wamid and the echo retires (a soft delete clients pull), so the
-- message shows once and complete_outbox never meets a duplicate key.
-- ---------------------------------------------------------------------------------------
create or replace function private.absorb_phone_echo() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.lock_wamid(new.channel_id, new.wa_message_id);
  update public.messages m set wa_message_id = null, _deleted = true
  where m.channel_id = new.channel_id and m.wa_message_id = new.wa_message_id and m.id <> new.id and m.from_phone;
  return new;
end;
$$;
revoke all on function private.absorb_phone_echo() from public;

-- Named to fire before apply_held_status_events and guard_message.
create trigger absorb_phone_echo before update of wa_message_id on public.messages
  for each row when (new.wa_message_id is not null and new.wa_message_id is distinct from old.wa_message_id
                     and new.direction = 'out' and not new.from_phone)
  execute function private.absorb_phone_echo();

-- ---------------------------------------------------------------------------------------
-- record_channel_events(channel, events, ignored): applies the events (supabase/functions/
-- _shared/channel-events.ts) in order, statuses last (a status may be about a message the
-- same delivery records). A malformed event raises (invalid_parameter_value) and nothing of
-- the call is written. Returns what it did, by kind, with `unmatched` for changes about
-- messages Pigeon does not have and `ignored` for the delivery's unrouted events.
-- ---------------------------------------------------------------------------------------
create function public.record_channel_events(p_channel_id uuid, p_events jsonb, p_ignored jsonb default '{}')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_channel public.channels;
  v_event jsonb;
  v_kind text;
  v_statuses jsonb := '[]';
  v_result jsonb := '{"statuses_applied": 0, "statuses_skipped": 0, "statuses_held": 0}';
  v_counts jsonb := pg_catalog.jsonb_build_object('messages_created', 0, 'messages_duplicate', 0, 'edits', 0,
    'revokes', 0, 'reactions', 0, 'chats', 0, 'channel_reports', 0, 'unmatched', 0);
  v_bump text;
  v_unmatched jsonb := '{}';
  i integer := 0;
begin
  select * into v_channel from public.channels c where c.id = p_channel_id and not c._deleted;
  if not found then
    raise exception 'channel % does not exist', p_channel_id using errcode = 'invalid_parameter_value';
  end if;
  if pg_catalog.jsonb_typeof(p_events) is distinct from 'array' then
    raise exception 'events must be a JSON array' using errcode = 'invalid_parameter_value';
  end if;
  if pg_catalog.jsonb_array_length(p_events) > 1000 then
    raise exception 'at most 1000 events per call' using errcode = 'invalid_parameter_value';
  end if;

  for v_event in select e.value from pg_catalog.jsonb_array_elements(p_events) e loop
    i := i + 1;
    v_kind := case when pg_catalog.jsonb_typeof(v_event) = 'object' then v_event ->> 'kind' end;
    v_bump := null;
    if v_kind = 'status' then
      v_statuses := v_statuses || pg_catalog.jsonb_build_array(v_event - 'kind');
    elsif v_kind = 'message' then
      v_bump := case when private.record_message_event(v_channel, v_event, i)
                     then 'messages_created' else 'messages_duplicate' end;
    elsif v_kind in ('edit', 'revoke', 'reaction') then
      if private.record_message_change(v_channel.id, v_event, i) then
        v_bump := v_kind || 's';
      else
        v_bump := 'unmatched';
        v_unmatched := v_unmatched || pg_catalog.jsonb_build_object(v_kind || ':no-such-message',
          coalesce((v_unmatched ->> (v_kind || ':no-such-message'))::integer, 0) + 1);
      end if;
    elsif v_kind = 'chat' then
      if (v_event ->> 'phone') is null or (v_event ->> 'phone') !~ '^\+[1-9][0-9]{6,14}$' then
        raise exception 'event % (a chat) needs a phone (E.164)', i using errcode = 'invalid_parameter_value';
      end if;
      perform private.upsert_chat(v_channel, v_event ->> 'phone', v_event ->> 'name', v_event ->> 'picture_url');
      v_bump := 'chats';
    elsif v_kind = 'channel' then
      perform private.record_channel_report(v_channel.id, v_event);
      v_bump := 'channel_reports';
    else
      raise exception 'event % has no known kind', i using errcode = 'invalid_parameter_value';
    end if;
    if v_bump is not null then
      v_counts := pg_catalog.jsonb_set(v_counts, array[v_bump], pg_catalog.to_jsonb((v_counts ->> v_bump)::integer + 1));
    end if;
  end loop;

  if pg_catalog.jsonb_array_length(v_statuses) > 0 then
    v_result := public.record_provider_events(v_channel.id, v_statuses, '[]');
    v_result := v_result - 'messages_created' - 'messages_duplicate';
  end if;
  perform private.count_ignored_events(v_channel.id, v_unmatched);
  return v_counts || v_result
    || pg_catalog.jsonb_build_object('ignored', private.count_ignored_events(v_channel.id, p_ignored));
end;
$$;
revoke all on function public.record_channel_events(uuid, jsonb, jsonb) from public, anon, authenticated;
grant execute on function public.record_channel_events(uuid, jsonb, jsonb) to service_role;
