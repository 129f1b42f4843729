-- Contacts, contact groups and templates: replicated tables every member of a workspace
-- reads and writes (DESIGN.md data rules).

-- ---------------------------------------------------------------------------------------
-- contacts
-- ---------------------------------------------------------------------------------------

create table public.contacts (
  -- Made on the client from workspace + E.164 phone (UUID v5), so the same phone added on
  -- two offline devices is the same row.
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  phone text not null check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  name text not null default '' check (char_length(name) <= 200),
  email text not null default '' check (
    char_length(email) <= 320 and (email = '' or email ~ '^[^@[:space:]]+@[^@[:space:]]+$')
  ),
  tags text[] not null default '{}' check (cardinality(tags) <= 100),
  group_ids uuid[] not null default '{}' check (cardinality(group_ids) <= 100),
  custom_fields jsonb not null default '{}' check (
    jsonb_typeof(custom_fields) = 'object' and octet_length(custom_fields::text) <= 16384
  ),
  opted_out boolean not null default false,
  opted_out_at timestamptz,
  notes text not null default '' check (char_length(notes) <= 10000),
  created_at timestamptz not null default now(),
  _modified timestamptz not null default now(),
  _deleted boolean not null default false,
  constraint contacts_workspace_phone_key unique (workspace_id, phone)
);

-- opted_out_at says when the contact opted out, and only while it is opted out.
create or replace function private.stamp_opt_out() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not new.opted_out then
    new.opted_out_at := null;
  elsif new.opted_out_at is null then
    new.opted_out_at := pg_catalog.now();
  end if;
  return new;
end;
$$;
revoke all on function private.stamp_opt_out() from public;

create trigger guard_row_identity before update on public.contacts
  for each row execute function private.guard_row_identity();
create trigger stamp_opt_out before insert or update on public.contacts
  for each row execute function private.stamp_opt_out();
create trigger set_modified before insert or update on public.contacts
  for each row execute function private.set_modified();

create index contacts_workspace_modified_idx on public.contacts (workspace_id, _modified, id);
create index contacts_modified_idx on public.contacts (_modified, id);

-- ---------------------------------------------------------------------------------------
-- contact_groups
-- ---------------------------------------------------------------------------------------

create table public.contact_groups (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  -- Not unique: two offline devices may both create "VIP"; the user merges them.
  name text not null check (char_length(btrim(name)) between 1 and 100),
  description text not null default '' check (char_length(description) <= 1000),
  color text check (color ~ '^#[0-9A-Fa-f]{6}$'),
  created_at timestamptz not null default now(),
  _modified timestamptz not null default now(),
  _deleted boolean not null default false
);

create trigger guard_row_identity before update on public.contact_groups
  for each row execute function private.guard_row_identity();
create trigger set_modified before insert or update on public.contact_groups
  for each row execute function private.set_modified();

create index contact_groups_workspace_modified_idx on public.contact_groups (workspace_id, _modified, id);
create index contact_groups_modified_idx on public.contact_groups (_modified, id);

-- ---------------------------------------------------------------------------------------
-- templates
-- ---------------------------------------------------------------------------------------

create table public.templates (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200),
  -- 4096 characters: WhatsApp's limit for a text message body.
  body text not null check (char_length(body) between 1 and 4096),
  -- BCP 47-ish language tag (en, pt_BR, zh-Hant).
  language text not null default 'en' check (language ~ '^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$'),
  -- WhatsApp Business template categories.
  category text not null default 'marketing'
    check (category in ('marketing', 'utility', 'authentication')),
  created_at timestamptz not null default now(),
  _modified timestamptz not null default now(),
  _deleted boolean not null default false
);

create trigger guard_row_identity before update on public.templates
  for each row execute function private.guard_row_identity();
create trigger set_modified before insert or update on public.templates
  for each row execute function private.set_modified();

create index templates_workspace_modified_idx on public.templates (workspace_id, _modified, id);
create index templates_modified_idx on public.templates (_modified, id);

-- ---------------------------------------------------------------------------------------
-- Privileges and policies: any member reads and writes; no hard deletes; anon nothing.
-- ---------------------------------------------------------------------------------------

alter table public.contacts enable row level security;
alter table public.contact_groups enable row level security;
alter table public.templates enable row level security;

revoke all on public.contacts, public.contact_groups, public.templates from anon;
revoke delete, truncate, references, trigger
  on public.contacts, public.contact_groups, public.templates from authenticated;

create policy contacts_select on public.contacts
  for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
create policy contacts_insert on public.contacts
  for insert to authenticated
  with check (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
create policy contacts_update on public.contacts
  for update to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]))
  with check (workspace_id = any ((select public.my_workspace_ids())::uuid[]));

create policy contact_groups_select on public.contact_groups
  for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
create policy contact_groups_insert on public.contact_groups
  for insert to authenticated
  with check (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
create policy contact_groups_update on public.contact_groups
  for update to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]))
  with check (workspace_id = any ((select public.my_workspace_ids())::uuid[]));

create policy templates_select on public.templates
  for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
create policy templates_insert on public.templates
  for insert to authenticated
  with check (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
create policy templates_update on public.templates
  for update to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]))
  with check (workspace_id = any ((select public.my_workspace_ids())::uuid[]));

alter publication supabase_realtime add table public.contacts, public.contact_groups, public.templates;
