-- Workspaces, their members, the shared row machinery of every replicated table
-- (_modified, identity guard), membership helpers for RLS, and the sign-up trigger.
-- Runs unchanged on hosted Supabase and on the local stack (PGlite / PostgreSQL 15+).

-- Internal functions live outside the API schemas: PostgREST never exposes them and the
-- client roles get no usage on the schema.
create schema if not exists private;
revoke all on schema private from public;

-- ---------------------------------------------------------------------------------------
-- Shared trigger functions for replicated tables
-- ---------------------------------------------------------------------------------------

-- Sets _modified on every insert and update. The transaction id is assigned first, so a
-- row's _modified is always read after its transaction has an xid and is never earlier than
-- the transaction's start: the pull-completeness design relies on both. The greatest()
-- keeps a row's own _modified strictly increasing even if the wall clock steps back.
create or replace function private.set_modified() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.pg_current_xact_id();
  if tg_op = 'UPDATE' then
    new._modified := greatest(
      pg_catalog.clock_timestamp(), old._modified + interval '1 microsecond'
    );
  else
    new._modified := pg_catalog.clock_timestamp();
  end if;
  return new;
end;
$$;

-- A row never changes id or moves to another workspace, whoever writes it (RLS WITH CHECK
-- alone would let a member of two workspaces move rows between them).
create or replace function private.guard_row_identity() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.id is distinct from old.id then
    raise exception 'the id of a % row cannot change', tg_table_name
      using errcode = 'check_violation';
  end if;
  if new.workspace_id is distinct from old.workspace_id then
    raise exception 'a % row cannot move to another workspace', tg_table_name
      using errcode = 'check_violation',
            hint = 'Create the row in the other workspace instead.';
  end if;
  return new;
end;
$$;

revoke all on function private.set_modified() from public;
revoke all on function private.guard_row_identity() from public;

-- ---------------------------------------------------------------------------------------
-- workspaces
-- ---------------------------------------------------------------------------------------

create table public.workspaces (
  id uuid primary key default gen_random_uuid(),
  -- Its own id, so every replicated table can be filtered by workspace_id alike.
  workspace_id uuid not null,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  -- ISO 3166-1 alpha-2; the country assumed for phone numbers written without +.
  default_country text not null default 'US' check (default_country ~ '^[A-Z]{2}$'),
  -- IANA name; validated against pg_timezone_names by trigger (a CHECK cannot query).
  time_zone text not null default 'UTC' check (char_length(time_zone) between 1 and 64),
  -- An inbound reply equal to one of these (case-insensitive) opts the contact out.
  stop_keywords text[] not null default array[
    'STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT',
    'BAJA', 'ALTO', 'PARAR', 'ARRET', 'ARRÊT', 'STOPP', 'ABMELDEN',
    'PARE', 'SAIR', 'CANCELAR', 'BASTA', 'DISISCRIVITI', 'AFMELDEN'
  ] check (cardinality(stop_keywords) <= 100),
  created_at timestamptz not null default now(),
  _modified timestamptz not null default now(),
  _deleted boolean not null default false,
  constraint workspaces_workspace_id_is_id check (workspace_id = id)
);

create or replace function private.prepare_workspace() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.workspace_id := new.id;
  end if;
  -- pg_timezone_names reads the zone files, so only look when the zone changes.
  if new.time_zone <> 'UTC'
     and (tg_op = 'INSERT' or new.time_zone is distinct from old.time_zone)
     and not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = new.time_zone) then
    raise exception 'unknown time zone "%"', new.time_zone
      using errcode = 'invalid_parameter_value',
            hint = 'Use an IANA time zone name such as Europe/Paris or UTC.';
  end if;
  return new;
end;
$$;
revoke all on function private.prepare_workspace() from public;

-- BEFORE triggers fire in name order: prepare and guard run before set_modified.
create trigger prepare_workspace before insert or update on public.workspaces
  for each row execute function private.prepare_workspace();
create trigger guard_row_identity before update on public.workspaces
  for each row execute function private.guard_row_identity();
create trigger set_modified before insert or update on public.workspaces
  for each row execute function private.set_modified();

create index workspaces_workspace_modified_idx on public.workspaces (workspace_id, _modified, id);
create index workspaces_modified_idx on public.workspaces (_modified, id);

-- ---------------------------------------------------------------------------------------
-- workspace_members
-- ---------------------------------------------------------------------------------------

create table public.workspace_members (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'agent' check (role in ('owner', 'admin', 'agent')),
  created_at timestamptz not null default now(),
  _modified timestamptz not null default now(),
  _deleted boolean not null default false,
  constraint workspace_members_workspace_user_key unique (workspace_id, user_id)
);

create index workspace_members_user_idx on public.workspace_members (user_id, workspace_id);
create index workspace_members_workspace_modified_idx
  on public.workspace_members (workspace_id, _modified, id);
create index workspace_members_modified_idx on public.workspace_members (_modified, id);

-- A membership keeps its user, and a workspace keeps at least one active owner. The
-- workspace row is locked so two owners demoting each other at once cannot both succeed.
create or replace function private.guard_membership() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.user_id is distinct from old.user_id then
    raise exception 'a membership cannot change its user'
      using errcode = 'check_violation',
            hint = 'Add a new member instead.';
  end if;
  if old.role = 'owner' and not old._deleted and (new.role <> 'owner' or new._deleted) then
    perform 1 from public.workspaces w where w.id = old.workspace_id for update;
    if not exists (
      select 1 from public.workspace_members m
      where m.workspace_id = old.workspace_id and m.role = 'owner' and not m._deleted
        and m.id <> old.id
    ) then
      raise exception 'a workspace needs at least one owner'
        using errcode = 'check_violation',
              hint = 'Make another member owner first.';
    end if;
  end if;
  return new;
end;
$$;
revoke all on function private.guard_membership() from public;

create trigger guard_membership before update on public.workspace_members
  for each row execute function private.guard_membership();
create trigger guard_row_identity before update on public.workspace_members
  for each row execute function private.guard_row_identity();
create trigger set_modified before insert or update on public.workspace_members
  for each row execute function private.set_modified();

-- ---------------------------------------------------------------------------------------
-- Membership helpers for policies and RPCs. SECURITY DEFINER reads workspace_members
-- without going through its own policies (no recursion). Policies write
-- `workspace_id = any ((select public.my_workspace_ids())::uuid[])`: the scalar subquery runs
-- once per statement (an InitPlan), not once per row; the cast keeps Postgres from reading
-- it as `= ANY (subquery)`.
-- ---------------------------------------------------------------------------------------

create or replace function public.my_workspace_ids(p_roles text[] default null) returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(pg_catalog.array_agg(m.workspace_id), '{}')
  from public.workspace_members m
  where m.user_id = auth.uid()
    and not m._deleted
    and (p_roles is null or m.role = any (p_roles))
$$;

create or replace function public.is_member(ws uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.workspace_members m
    where m.workspace_id = ws and m.user_id = auth.uid() and not m._deleted
  )
$$;

create or replace function public.has_role(ws uuid, roles text[]) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.workspace_members m
    where m.workspace_id = ws and m.user_id = auth.uid() and not m._deleted
      and m.role = any (roles)
  )
$$;

revoke all on function public.my_workspace_ids(text[]) from public, anon;
revoke all on function public.is_member(uuid) from public, anon;
revoke all on function public.has_role(uuid, text[]) from public, anon;
grant execute on function public.my_workspace_ids(text[]) to authenticated, service_role;
grant execute on function public.is_member(uuid) to authenticated, service_role;
grant execute on function public.has_role(uuid, text[]) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Privileges and policies
-- ---------------------------------------------------------------------------------------

alter table public.workspaces enable row level security;
alter table public.workspace_members enable row level security;

-- Hosted Supabase grants everything on new public tables to the API roles. Clients never
-- hard-delete (soft delete through _deleted), and anon reaches nothing.
revoke all on public.workspaces, public.workspace_members from anon;
revoke delete, truncate, references, trigger on public.workspaces, public.workspace_members
  from authenticated;
-- Workspaces are created by sign-up (and later by server-side RPCs), not by clients.
revoke insert on public.workspaces from authenticated;

create policy workspaces_select on public.workspaces
  for select to authenticated
  using (id = any ((select public.my_workspace_ids())::uuid[]));

create policy workspaces_update on public.workspaces
  for update to authenticated
  using (id = any ((select public.my_workspace_ids(array['owner', 'admin']))::uuid[]))
  with check (id = any ((select public.my_workspace_ids(array['owner', 'admin']))::uuid[]));

-- Members see their co-members, and always their own membership rows, so a removed member's
-- client still pulls the soft delete that ends its access.
create policy workspace_members_select on public.workspace_members
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or workspace_id = any ((select public.my_workspace_ids())::uuid[])
  );

-- Owners manage every membership; admins manage admins and agents but never touch owners
-- (so an admin cannot make itself owner).
create policy workspace_members_insert on public.workspace_members
  for insert to authenticated
  with check (
    workspace_id = any ((select public.my_workspace_ids(array['owner']))::uuid[])
    or (workspace_id = any ((select public.my_workspace_ids(array['admin']))::uuid[]) and role <> 'owner')
  );

create policy workspace_members_update on public.workspace_members
  for update to authenticated
  using (
    workspace_id = any ((select public.my_workspace_ids(array['owner']))::uuid[])
    or (workspace_id = any ((select public.my_workspace_ids(array['admin']))::uuid[]) and role <> 'owner')
  )
  with check (
    workspace_id = any ((select public.my_workspace_ids(array['owner']))::uuid[])
    or (workspace_id = any ((select public.my_workspace_ids(array['admin']))::uuid[]) and role <> 'owner')
  );

alter publication supabase_realtime add table public.workspaces, public.workspace_members;

-- ---------------------------------------------------------------------------------------
-- Sign-up: every new user gets a workspace of their own, as its owner.
-- ---------------------------------------------------------------------------------------

create or replace function private.handle_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  ws_id uuid := gen_random_uuid();
  ws_name text;
begin
  -- Whatever the metadata or email look like, the name ends up 1..100 printable chars.
  ws_name := coalesce(
    nullif(btrim(new.raw_user_meta_data ->> 'workspace_name'), ''),
    nullif(btrim(new.email), ''),
    ''
  );
  ws_name := btrim(left(regexp_replace(ws_name, '[[:cntrl:]]', '', 'g'), 100));
  if ws_name = '' then
    ws_name := 'My workspace';
  end if;
  insert into public.workspaces (id, name) values (ws_id, ws_name);
  insert into public.workspace_members (workspace_id, user_id, role) values (ws_id, new.id, 'owner');
  return null;
end;
$$;
revoke all on function private.handle_new_user() from public;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();
