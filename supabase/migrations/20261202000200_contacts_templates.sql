-- Contacts, contact groups and templates: replicated tables every member of a workspace
-- reads and writes (DESIGN.md data rules).
--
-- updated_at, on every table clients edit: an ISO-8601 string written by the client at
-- every local edit, stored verbatim so that a pulled row compares equal to the local copy
-- it came from; conflict merges compare it (src/domain/merge.ts).

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
  updated_at text not null default to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    check (char_length(updated_at) between 20 and 40),
  constraint contacts_workspace_phone_key unique (workspace_id, phone)
);

-- A contact's id: contactId() of src/domain/ids.ts (UUID v5 of '<workspace>:<E.164>').
create function private.contact_id(p_workspace_id uuid, p_phone text) returns uuid
language sql
immutable
set search_path = ''
as $$
  select extensions.uuid_generate_v5(
    'e75d4b1f-ff79-42b1-bb30-868dd9e5e702'::uuid, p_workspace_id::text || ':' || p_phone
  )
$$;
revoke all on function private.contact_id(uuid, text) from public;

-- opted_out_at says when the contact opted out, and only while it is opted out.
create function private.stamp_opt_out() returns trigger
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

create trigger stamp_opt_out before insert or update on public.contacts
  for each row execute function private.stamp_opt_out();
select private.replicate_table('public.contacts');
select private.workspace_policies('public.contacts', p_writable => true);

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
  _deleted boolean not null default false,
  updated_at text not null default to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    check (char_length(updated_at) between 20 and 40)
);

select private.replicate_table('public.contact_groups');
select private.workspace_policies('public.contact_groups', p_writable => true);

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
  _deleted boolean not null default false,
  updated_at text not null default to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    check (char_length(updated_at) between 20 and 40)
);

select private.replicate_table('public.templates');
select private.workspace_policies('public.templates', p_writable => true);
