-- Connecting real numbers (issue 13): what the server learns about a channel from its
-- provider, the rule that only the server connects one, and the service_role functions the
-- channels function (supabase/functions/channels) writes through.

alter table public.channels
  -- From the provider's own records (test connection): Meta's verified business name and
  -- quality rating (GREEN, YELLOW, RED, UNKNOWN), Whapi's profile name.
  add column verified_name text check (char_length(verified_name) <= 200),
  add column quality_rating text check (char_length(quality_rating) <= 40),
  -- The last problem owners must know of (a refused token, a restriction), and when.
  add column last_error text check (char_length(last_error) <= 1000),
  add column last_error_at timestamptz,
  -- The last test connection that succeeded.
  add column checked_at timestamptz,
  -- The last template sync from Meta.
  add column templates_synced_at timestamptz;

-- Owners and admins rename a channel, pace it, disconnect or delete it. Connecting, the
-- provider's settings and what the provider reports are the server's: a member marking a
-- Meta channel connected would release a queue no credential can send. Simulator channels
-- (development) need no credentials and stay the members' to connect.
create or replace function private.guard_channel_connection() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  if tg_op = 'INSERT' then
    -- Other values are left to the provider column's check, which names them.
    if new.provider in ('meta', 'whapi') then
      raise exception 'a % channel is connected through the channels function', new.provider
        using errcode = 'insufficient_privilege',
              hint = 'POST /functions/v1/channels/connect with its credentials.';
    end if;
    return new;
  end if;
  if new.provider is distinct from old.provider or new.settings is distinct from old.settings
     or new.verified_name is distinct from old.verified_name
     or new.quality_rating is distinct from old.quality_rating
     or new.last_error is distinct from old.last_error or new.last_error_at is distinct from old.last_error_at
     or new.checked_at is distinct from old.checked_at
     or new.templates_synced_at is distinct from old.templates_synced_at then
    raise exception 'the provider, settings and reported state of a channel are set by the server'
      using errcode = 'insufficient_privilege';
  end if;
  if new.status is distinct from old.status and new.status <> 'disconnected' and new.provider in ('meta', 'whapi') then
    raise exception 'a % channel is connected again through the channels function (reconnect)', new.provider
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end;
$$;
revoke all on function private.guard_channel_connection() from public;

create trigger guard_channel_connection before insert or update on public.channels
  for each row execute function private.guard_channel_connection();

-- ---------------------------------------------------------------------------------------
-- create_provider_channel: a new Meta or Whapi channel, pending until its connection is
-- tested. p_id is the caller's (a retried connect finds its channel instead of a second one).
-- ---------------------------------------------------------------------------------------
create function public.create_provider_channel(
  p_id uuid,
  p_workspace_id uuid,
  p_name text,
  p_provider text,
  p_settings jsonb
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_channel public.channels;
begin
  if p_provider not in ('meta', 'whapi') then
    raise exception 'provider must be meta or whapi, got %', p_provider using errcode = 'invalid_parameter_value';
  end if;
  insert into public.channels as c (id, workspace_id, name, provider, settings, status)
  values (p_id, p_workspace_id, pg_catalog.btrim(p_name), p_provider, p_settings, 'pending')
  on conflict (id) do nothing
  returning * into v_channel;
  if not found then
    select * into v_channel from public.channels c where c.id = p_id;
    if v_channel.workspace_id <> p_workspace_id or v_channel.provider <> p_provider or v_channel._deleted then
      raise exception 'channel id % is already in use; make a new one', p_id
        using errcode = 'unique_violation';
    end if;
  end if;
  return pg_catalog.to_jsonb(v_channel);
end;
$$;
revoke all on function public.create_provider_channel(uuid, uuid, text, text, jsonb) from public, anon, authenticated;
grant execute on function public.create_provider_channel(uuid, uuid, text, text, jsonb) to service_role;

-- ---------------------------------------------------------------------------------------
-- record_channel_check: what a test connection (or a reconnect) learnt. p_check:
--   {ok: true, status?, phone_number?, verified_name?, quality_rating?}
--   {ok: false, status?, error}
-- A success clears last_error and stamps checked_at; a failure records its error. status,
-- when given, becomes the channel's (a reconnect's success makes it connected again, which
-- releases its held queue). Returns the channel row.
-- ---------------------------------------------------------------------------------------
create function public.record_channel_check(p_channel_id uuid, p_check jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_channel public.channels;
  v_ok boolean := coalesce((p_check ->> 'ok')::boolean, false);
  v_phone text := p_check ->> 'phone_number';
begin
  if (p_check ->> 'status') is not null
     and (p_check ->> 'status') not in ('pending', 'connected', 'disconnected') then
    raise exception 'status must be pending, connected or disconnected' using errcode = 'invalid_parameter_value';
  end if;
  update public.channels c
  set status = coalesce(p_check ->> 'status', c.status),
      phone_number = case when v_phone ~ '^\+[1-9][0-9]{6,14}$' then v_phone else c.phone_number end,
      verified_name = coalesce(pg_catalog.left(p_check ->> 'verified_name', 200), c.verified_name),
      quality_rating = coalesce(pg_catalog.left(p_check ->> 'quality_rating', 40), c.quality_rating),
      checked_at = case when v_ok then pg_catalog.now() else c.checked_at end,
      last_error = case when v_ok then null else pg_catalog.left(coalesce(p_check ->> 'error', 'the check failed'), 1000) end,
      last_error_at = case when v_ok then null else pg_catalog.now() end,
      -- A reconnected channel starts afresh: a pause from before the disconnect no longer holds.
      paused_until = case when p_check ->> 'status' = 'connected' then null else c.paused_until end,
      degraded_reason = case when p_check ->> 'status' = 'connected' then null else c.degraded_reason end
  where c.id = p_channel_id and not c._deleted
  returning * into v_channel;
  if not found then
    raise exception 'channel % does not exist', p_channel_id using errcode = 'invalid_parameter_value';
  end if;
  return pg_catalog.to_jsonb(v_channel);
end;
$$;
revoke all on function public.record_channel_check(uuid, jsonb) from public, anon, authenticated;
grant execute on function public.record_channel_check(uuid, jsonb) to service_role;
