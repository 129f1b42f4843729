-- WhatsApp channels (replicated; owners and admins manage them, agents read) and their
-- provider secrets (server-only: no client role can read or write them at all).

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
  -- Target of channel_secrets' composite key, which pins a secret to its channel's workspace.
  constraint channels_id_workspace_key unique (id, workspace_id)
);

create trigger guard_row_identity before update on public.channels
  for each row execute function private.guard_row_identity();
create trigger set_modified before insert or update on public.channels
  for each row execute function private.set_modified();

create index channels_workspace_modified_idx on public.channels (workspace_id, _modified, id);
create index channels_modified_idx on public.channels (_modified, id);

alter table public.channels enable row level security;
revoke all on public.channels from anon;
revoke delete, truncate, references, trigger on public.channels from authenticated;

create policy channels_select on public.channels
  for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
create policy channels_insert on public.channels
  for insert to authenticated
  with check (workspace_id = any ((select public.my_workspace_ids(array['owner', 'admin']))::uuid[]));
create policy channels_update on public.channels
  for update to authenticated
  using (workspace_id = any ((select public.my_workspace_ids(array['owner', 'admin']))::uuid[]))
  with check (workspace_id = any ((select public.my_workspace_ids(array['owner', 'admin']))::uuid[]));

alter publication supabase_realtime add table public.channels;

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
