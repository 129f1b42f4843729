-- Workspace settings belong to owners (issue 15, item 13): only an owner changes the
-- workspace's name, time zone or default country; admins and agents read them. A new
-- workspace starts from the sign-up's browser: its time zone and its locale's country, when
-- they are valid, else UTC and US as before.

-- The update policy was owner-or-admin; the row's triggers and checks still validate values.
drop policy workspaces_update on public.workspaces;
create policy workspaces_update on public.workspaces
  for update to authenticated
  using (id = any ((select public.my_workspace_ids(array['owner']))::uuid[]))
  with check (id = any ((select public.my_workspace_ids(array['owner']))::uuid[]));

-- A sign-up's time zone if Postgres knows it, else UTC: a bad hint never fails a sign-up.
create function private.sign_up_time_zone(p_time_zone text) returns text
language sql
stable
set search_path = ''
as $$
  select coalesce(
    (select z.name from pg_catalog.pg_timezone_names z
     where z.name = p_time_zone and char_length(p_time_zone) <= 64 limit 1),
    'UTC')
$$;
revoke all on function private.sign_up_time_zone(text) from public;

-- A sign-up's country if it is an ISO 3166-1 alpha-2 code, else US.
create function private.sign_up_country(p_country text) returns text
language sql
immutable
set search_path = ''
as $$
  select case when p_country ~ '^[A-Z]{2}$' then p_country else 'US' end
$$;
revoke all on function private.sign_up_country(text) from public;

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
  insert into public.workspaces (id, name, time_zone, default_country)
  values (
    ws_id,
    ws_name,
    private.sign_up_time_zone(new.raw_user_meta_data ->> 'time_zone'),
    private.sign_up_country(new.raw_user_meta_data ->> 'default_country')
  );
  insert into public.workspace_members (workspace_id, user_id, role) values (ws_id, new.id, 'owner');
  return null;
end;
$$;
revoke all on function private.handle_new_user() from public;
