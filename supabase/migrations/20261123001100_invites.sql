-- Inviting people into a workspace by email. Someone who already has an account becomes a
-- member at once; for anyone else the invite waits, and signing up with that email makes
-- them a member (besides the workspace of their own that every sign-up gets).

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

-- Owners manage every invite of their workspace; admins those that do not make an owner
-- (as with memberships). The invitee reads the invites sent to their email.
create policy workspace_invites_select on public.workspace_invites
  for select to authenticated
  using (
    workspace_id = any ((select public.my_workspace_ids(array['owner', 'admin']))::uuid[])
    or email = lower((select auth.jwt()) ->> 'email')
  );

create policy workspace_invites_insert on public.workspace_invites
  for insert to authenticated
  with check (
    workspace_id = any ((select public.my_workspace_ids(array['owner']))::uuid[])
    or (workspace_id = any ((select public.my_workspace_ids(array['admin']))::uuid[]) and role <> 'owner')
  );

create policy workspace_invites_update on public.workspace_invites
  for update to authenticated
  using (
    workspace_id = any ((select public.my_workspace_ids(array['owner']))::uuid[])
    or (workspace_id = any ((select public.my_workspace_ids(array['admin']))::uuid[]) and role <> 'owner')
  )
  with check (
    workspace_id = any ((select public.my_workspace_ids(array['owner']))::uuid[])
    or (workspace_id = any ((select public.my_workspace_ids(array['admin']))::uuid[]) and role <> 'owner')
  );

create policy workspace_invites_delete on public.workspace_invites
  for delete to authenticated
  using (
    workspace_id = any ((select public.my_workspace_ids(array['owner']))::uuid[])
    or (workspace_id = any ((select public.my_workspace_ids(array['admin']))::uuid[]) and role <> 'owner')
  );

-- ---------------------------------------------------------------------------------------
-- Membership from an invite: adds the user, or brings back a membership that was removed.
-- An active membership keeps its role (an invite never demotes or promotes anyone).
-- ---------------------------------------------------------------------------------------
create or replace function private.join_workspace(p_workspace_id uuid, p_user_id uuid, p_role text)
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

-- ---------------------------------------------------------------------------------------
-- invite_member: owners and admins invite by email. Returns {"status": "added"} when the
-- person has an account (now a member), {"status": "already_member"} when they are one, or
-- {"status": "invited"} when the invite waits for their sign-up.
-- ---------------------------------------------------------------------------------------
create or replace function public.invite_member(p_workspace_id uuid, p_email text, p_role text default 'agent')
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
-- Sign-up: the invites waiting for the new user's email become memberships. The workspace of
-- their own still comes from on_auth_user_created.
-- ---------------------------------------------------------------------------------------
create or replace function private.accept_invites() returns trigger
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

create trigger on_auth_user_invited after insert on auth.users
  for each row execute function private.accept_invites();
