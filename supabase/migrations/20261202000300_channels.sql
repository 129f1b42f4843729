-- WhatsApp channels (replicated; owners and admins manage them, agents read) with their
-- pacing and delivery state, and their provider secrets (server-only: no client role can
-- read or write them at all).

create table public.channels (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  provider text not null default 'simulator' check (provider in ('simulator', 'whapi', 'meta')),
  phone_number text check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  status text not null default 'connected'
    check (status in ('pending', 'connected', 'degraded', 'disconnected')),
  -- Non-secret provider settings (e.g. Meta's phone_number_id); tokens go to channel_secrets.
  settings jsonb not null default '{}' check (
    jsonb_typeof(settings) = 'object' and octet_length(settings::text) <= 8192
  ),
  created_at timestamptz not null default now(),
  _modified timestamptz not null default now(),
  _deleted boolean not null default false,
  -- Pacing, set by owners and admins. A random pause between two sends of the channel, in
  -- milliseconds: bursts of identical timing are what gets a WhatsApp number flagged.
  min_delay_ms integer not null default 0 check (min_delay_ms between 0 and 3600000),
  max_delay_ms integer not null default 0 check (max_delay_ms between 0 and 3600000),
  rate_per_minute integer not null default 60 check (rate_per_minute between 1 and 6000),
  -- Delivery state, set by the server. Set by the processor on a provider 429 (until its
  -- Retry-After); nothing is sent before.
  paused_until timestamptz,
  -- Why the processor marked the channel degraded; null while it is healthy.
  degraded_reason text check (char_length(degraded_reason) <= 1000),
  -- Target of the composite keys (channel_secrets, chats, messages, outbox) that pin a row
  -- to its channel's workspace.
  constraint channels_id_workspace_key unique (id, workspace_id),
  constraint channels_delay_order check (min_delay_ms <= max_delay_ms)
);

-- Clients configure pacing but never write delivery state: a member unpausing a channel the
-- provider throttled would get the number blocked.
create function private.guard_channel_delivery_state() returns trigger
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
select private.replicate_table('public.channels');
select private.workspace_policies('public.channels', p_writable => true, p_writer_roles => array['owner', 'admin']);

-- ---------------------------------------------------------------------------------------
-- channel_secrets: AES-256-GCM ciphertext of the provider credentials, key derived with
-- PBKDF2 from a server secret and this row's salt. Only service_role (edge functions)
-- touches it; RLS is on with no policy as a second lock behind the missing grants.
-- ---------------------------------------------------------------------------------------

create table public.channel_secrets (
  channel_id uuid primary key,
  workspace_id uuid not null,
  ciphertext bytea not null check (octet_length(ciphertext) between 1 and 65536),
  iv bytea not null check (octet_length(iv) = 12),
  salt bytea not null check (octet_length(salt) between 16 and 64),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint channel_secrets_channel_fkey foreign key (channel_id, workspace_id)
    references public.channels (id, workspace_id) on delete cascade
);

alter table public.channel_secrets enable row level security;
revoke all on public.channel_secrets from public, anon, authenticated;
grant select, insert, update, delete on public.channel_secrets to service_role;
