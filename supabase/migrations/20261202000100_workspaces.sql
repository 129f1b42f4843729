-- Baseline (supabase/migrations/BASELINE): workspaces, their members and invites, the
-- machinery every replicated table shares (_modified, identity guard, indexes, RLS by
-- workspace), membership helpers for policies and RPCs, and what sign-up does.
-- Runs unchanged on hosted Supabase and on the local stack (PGlite / PostgreSQL 15+).

-- Internal functions live outside the API schemas: PostgREST never exposes them and the
-- client roles get no usage on the schema.
create schema if not exists private;
revoke all on schema private from public;

-- ---------------------------------------------------------------------------------------
-- Replicated tables
-- ---------------------------------------------------------------------------------------

-- Sets _modified on every insert and update. The transaction id is assigned first, so a
-- row's _modified is always read after its transaction has an xid and is never earlier than
-- the transaction's start: the pull-completeness design relies on both. The greatest()
-- keeps a row's own _modified strictly increasing even if the wall clock steps back.
create function private.set_modified() returns trigger
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
create function private.guard_row_identity() returns trigger
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

-- What makes a table (id, workspace_id, _modified, _deleted) replicated, run by migrations
-- once per table: the identity guard and the _modified stamp (BEFORE triggers fire in name
-- order, so a table's own guard_* and prepare_* triggers run before set_modified), the two
-- indexes pulls read by, row-level security and realtime. Hosted Supabase grants everything
-- on new public tables to the API roles: anon reaches nothing, and clients never hard-delete
-- (soft delete through _deleted).
create function private.replicate_table(p_table regclass) returns void
language plpgsql
set search_path = ''
as $$
declare
  v_name text := (select c.relname from pg_catalog.pg_class c where c.oid = p_table);
begin
  execute pg_catalog.format('create trigger guard_row_identity before update on %s
    for each row execute function private.guard_row_identity()', p_table);
  execute pg_catalog.format('create trigger set_modified before insert or update on %s
    for each row execute function private.set_modified()', p_table);
  execute pg_catalog.format('create index %I on %s (workspace_id, _modified, id)',
    v_name || '_workspace_modified_idx', p_table);
  execute pg_catalog.format('create index %I on %s (_modified, id)', v_name || '_modified_idx', p_table);
  execute pg_catalog.format('alter table %s enable row level security', p_table);
  execute pg_catalog.format('revoke all on %s from anon', p_table);
  execute pg_catalog.format('revoke delete, truncate, references, trigger on %s from authenticated', p_table);
  execute pg_catalog.format('alter publication supabase_realtime add table %s', p_table);
end;
$$;
revoke all on function private.replicate_table(regclass) from public;

-- Row-level security by workspace, run by migrations once per table with a workspace_id:
-- members read the rows (policy <table>_select) and, when p_writable, insert and update them
-- (<table>_insert, <table>_update); only those with one of p_writer_roles when given. The
-- policies follow the pattern of the membership helpers below.
create function private.workspace_policies(
  p_table regclass, p_writable boolean, p_writer_roles text[] default null
) returns void
language plpgsql
set search_path = ''
as $$
declare
  v_name text := (select c.relname from pg_catalog.pg_class c where c.oid = p_table);
  v_writers text;
begin
  execute pg_catalog.format('create policy %I on %s for select to authenticated
    using (workspace_id = any ((select public.my_workspace_ids())::uuid[]))', v_name || '_select', p_table);
  if not p_writable then
    return;
  end if;
  -- No roles: the concatenation is null and format() leaves the argument list empty.
  v_writers := pg_catalog.format('workspace_id = any ((select public.my_workspace_ids(%s))::uuid[])',
    'array[' || (select pg_catalog.string_agg(pg_catalog.quote_literal(r), ', ')
                 from pg_catalog.unnest(p_writer_roles) r) || ']');
  execute pg_catalog.format('create policy %I on %s for insert to authenticated with check (%s)',
    v_name || '_insert', p_table, v_writers);
  execute pg_catalog.format('create policy %I on %s for update to authenticated using (%s) with check (%s)',
    v_name || '_update', p_table, v_writers, v_writers);
end;
$$;
revoke all on function private.workspace_policies(regclass, boolean, text[]) from public;

-- A time zone the database knows (an IANA name). pg_timezone_names reads the zone files, so
-- the triggers that call it do so only when the zone changes.
create function private.check_time_zone(p_time_zone text) returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_time_zone <> 'UTC'
     and not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = p_time_zone) then
    raise exception 'unknown time zone "%"', p_time_zone
      using errcode = 'invalid_parameter_value',
            hint = 'Use an IANA time zone name such as Europe/Paris or UTC.';
  end if;
end;
$$;
revoke all on function private.check_time_zone(text) from public;

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

-- SECURITY DEFINER only to reach private.check_time_zone (client roles have no usage on
-- schema private); it writes nothing but the row's own workspace_id.
create function private.prepare_workspace() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.workspace_id := new.id;
  end if;
  if tg_op = 'INSERT' or new.time_zone is distinct from old.time_zone then
    perform private.check_time_zone(new.time_zone);
  end if;
  return new;
end;
$$;
revoke all on function private.prepare_workspace() from public;

create trigger prepare_workspace before insert or update on public.workspaces
  for each row execute function private.prepare_workspace();
select private.replicate_table('public.workspaces');

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

-- A membership keeps its user, and a workspace keeps at least one active owner. The
-- workspace row is locked so two owners demoting each other at once cannot both succeed.
create function private.guard_membership() returns trigger
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
select private.replicate_table('public.workspace_members');

-- ---------------------------------------------------------------------------------------
-- Membership helpers for policies and RPCs. SECURITY DEFINER reads workspace_members
-- without going through its own policies (no recursion). Policies write
-- `workspace_id = any ((select public.my_workspace_ids())::uuid[])`: the scalar subquery runs
-- once per statement (an InitPlan), not once per row; the cast keeps Postgres from reading
-- it as `= ANY (subquery)`.
-- ---------------------------------------------------------------------------------------

-- The caller's workspaces: its active memberships, with one of p_roles when given.
create function public.my_workspace_ids(p_roles text[] default null) returns uuid[]
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

create function public.is_member(ws uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(ws = any (public.my_workspace_ids()), false)
$$;

create function public.has_role(ws uuid, roles text[]) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(ws = any (public.my_workspace_ids(coalesce(roles, '{}'))), false)
$$;

revoke all on function public.my_workspace_ids(text[]) from public, anon;
revoke all on function public.is_member(uuid) from public, anon;
revoke all on function public.has_role(uuid, text[]) from public, anon;
grant execute on function public.my_workspace_ids(text[]) to authenticated, service_role;
grant execute on function public.is_member(uuid) to authenticated, service_role;
grant execute on function public.has_role(uuid, text[]) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Policies. Workspaces are created by sign-up (and later by server-side RPCs), not by
-- clients.
-- ---------------------------------------------------------------------------------------

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

-- Owners manage every membership and invite of their workspace; admins those that do not
-- make an owner, so an admin can never make anyone owner, itself included. Run by
-- migrations: the policy <table>_<command> for each of p_commands (insert, update, delete).
create function private.role_policies(p_table regclass, variadic p_commands text[]) returns void
language plpgsql
set search_path = ''
as $$
declare
  v_name text := (select c.relname from pg_catalog.pg_class c where c.oid = p_table);
  v_rule constant text := 'workspace_id = any ((select public.my_workspace_ids(array[''owner'']))::uuid[])
    or (workspace_id = any ((select public.my_workspace_ids(array[''admin'']))::uuid[]) and role <> ''owner'')';
  v_command text;
begin
  foreach v_command in array p_commands loop
    execute pg_catalog.format('create policy %I on %s for %s to authenticated %s',
      v_name || '_' || v_command, p_table, v_command, case v_command
        when 'insert' then pg_catalog.format('with check (%s)', v_rule)
        when 'update' then pg_catalog.format('using (%s) with check (%s)', v_rule, v_rule)
        else pg_catalog.format('using (%s)', v_rule)
      end);
  end loop;
end;
$$;
revoke all on function private.role_policies(regclass, text[]) from public;

select private.role_policies('public.workspace_members', 'insert', 'update');

-- ---------------------------------------------------------------------------------------
-- workspace_invites: inviting people by email. Someone who already has an account becomes
-- a member at once; for anyone else the invite waits, and signing up with that email makes
-- them a member (besides the workspace of their own that every sign-up gets).
-- ---------------------------------------------------------------------------------------

create table public.workspace_invites (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  -- Stored lower-cased and trimmed: emails are matched case-insensitively, as auth does.
  email text not null check (
    email = lower(btrim(email)) and char_length(email) <= 320 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'
  ),
  role text not null default 'agent' check (role in ('owner', 'admin', 'agent')),
  invited_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  accepted_at timestamptz,
  constraint workspace_invites_workspace_email_key unique (workspace_id, email)
);

create index workspace_invites_email_idx on public.workspace_invites (email) where accepted_at is null;

alter table public.workspace_invites enable row level security;
revoke all on public.workspace_invites from anon;
revoke truncate, references, trigger on public.workspace_invites from authenticated;

-- Owners and admins read the invites of their workspace, the invitee those sent to their
-- email; owners and admins manage them as they do memberships (private.role_policies).
create policy workspace_invites_select on public.workspace_invites
  for select to authenticated
  using (
    workspace_id = any ((select public.my_workspace_ids(array['owner', 'admin']))::uuid[])
    or email = lower((select auth.jwt()) ->> 'email')
  );

select private.role_policies('public.workspace_invites', 'insert', 'update', 'delete');

-- Membership from an invite: adds the user, or brings back a membership that was removed.
-- An active membership keeps its role (an invite never demotes or promotes anyone).
create function private.join_workspace(p_workspace_id uuid, p_user_id uuid, p_role text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  joined boolean;
begin
  insert into public.workspace_members as m (workspace_id, user_id, role)
  values (p_workspace_id, p_user_id, p_role)
  on conflict (workspace_id, user_id) do update
    set role = excluded.role, _deleted = false
    where m._deleted
  returning true into joined;
  return coalesce(joined, false);
end;
$$;
revoke all on function private.join_workspace(uuid, uuid, text) from public;

-- invite_member: owners and admins invite by email. Returns {"status": "added"} when the
-- person has an account (now a member), {"status": "already_member"} when they are one, or
-- {"status": "invited"} when the invite waits for their sign-up.
create function public.invite_member(p_workspace_id uuid, p_email text, p_role text default 'agent')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_user uuid;
begin
  if p_role is null or p_role not in ('owner', 'admin', 'agent') then
    raise exception 'role must be owner, admin or agent, got %', coalesce(p_role, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if v_email !~ '^[^@[:space:]]+@[^@[:space:]]+$' or char_length(v_email) > 320 then
    raise exception '"%" is not an email address', p_email
      using errcode = 'invalid_parameter_value';
  end if;
  if not public.has_role(p_workspace_id, array['owner', 'admin']) then
    raise exception 'only owners and admins of a workspace can invite to it'
      using errcode = 'insufficient_privilege';
  end if;
  if p_role = 'owner' and not public.has_role(p_workspace_id, array['owner']) then
    raise exception 'only owners can invite owners'
      using errcode = 'insufficient_privilege';
  end if;

  select u.id into v_user from auth.users u where lower(u.email) = v_email;

  insert into public.workspace_invites as i (workspace_id, email, role, invited_by, accepted_at)
  values (p_workspace_id, v_email, p_role, auth.uid(), case when v_user is not null then now() end)
  on conflict (workspace_id, email) do update
    set role = excluded.role, invited_by = excluded.invited_by, created_at = now(),
        accepted_at = excluded.accepted_at;

  if v_user is null then
    return jsonb_build_object('status', 'invited');
  end if;
  if private.join_workspace(p_workspace_id, v_user, p_role) then
    return jsonb_build_object('status', 'added');
  end if;
  return jsonb_build_object('status', 'already_member');
end;
$$;
revoke all on function public.invite_member(uuid, text, text) from public, anon;
grant execute on function public.invite_member(uuid, text, text) to authenticated;

-- ---------------------------------------------------------------------------------------
-- Sign-up: every new user gets a workspace of their own, as its owner, and the invites
-- waiting for their email become memberships.
-- ---------------------------------------------------------------------------------------

create function private.handle_new_user() returns trigger
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

create function private.accept_invites() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  invite record;
begin
  if new.email is null then
    return null;
  end if;
  for invite in
    update public.workspace_invites i set accepted_at = now()
    where i.email = lower(btrim(new.email)) and i.accepted_at is null
    returning i.workspace_id, i.role
  loop
    perform private.join_workspace(invite.workspace_id, new.id, invite.role);
  end loop;
  return null;
end;
$$;
revoke all on function private.accept_invites() from public;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();
create trigger on_auth_user_invited after insert on auth.users
  for each row execute function private.accept_invites();
