-- Invitations are requests the invitee accepts (issue 17, items 2 and 4).
--
-- Before: an invite to an address made whoever signed up with it a member at once (the
-- trigger on auth.users), unverified, and an existing account was added without being asked;
-- invite_member's answer ('added' / 'invited') told whether the address had an account.
-- Now: invite_member always answers the same ('invited'), adds nobody, and mails a
-- single-use token; only accept_invite(token), called by a signed-in user holding the token
-- (proof of access to the mailbox), makes a membership. Members join in no other way: the
-- client roles lose INSERT on workspace_members and cannot bring back a removed membership.

-- ---------------------------------------------------------------------------------------
-- Outgoing mail: what the server sends (invitations here; the local stack's auth mails too).
-- No client role reads it: the mails carry tokens. The local stack's mail catcher shows it
-- at /_mail; a hosted project relays it through its mail provider.
-- ---------------------------------------------------------------------------------------
create table private.outgoing_mail (
  id bigint generated always as identity primary key,
  to_email text not null,
  subject text not null,
  body text not null,
  -- What the mail is for (signup, recovery, email_change, reauthentication, invite).
  kind text not null,
  created_at timestamptz not null default now()
);
create index outgoing_mail_to_idx on private.outgoing_mail (lower(to_email), id);

-- One place that writes a mail.
create function private.send_mail(p_to text, p_subject text, p_body text, p_kind text) returns void
language sql
security definer
set search_path = ''
as $$
  insert into private.outgoing_mail (to_email, subject, body, kind) values (p_to, p_subject, p_body, p_kind)
$$;
revoke all on function private.send_mail(text, text, text, text) from public;

-- ---------------------------------------------------------------------------------------
-- Invitation tokens: only their sha256 is stored; the token itself is only in the mail.
-- ---------------------------------------------------------------------------------------
alter table public.workspace_invites
  add column token_hash text,
  add column accepted_by uuid references auth.users (id) on delete set null;

-- How long an invitation link stays valid.
create function private.invite_ttl() returns interval
language sql immutable set search_path = '' as $$ select interval '7 days' $$;
revoke all on function private.invite_ttl() from public;

create function private.token_hash(p_token text) returns text
language sql immutable set search_path = '' as $$
  select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(coalesce(p_token, ''), 'UTF8')), 'hex')
$$;
revoke all on function private.token_hash(text) from public;

-- The link the invitee opens: <accept url>?token=<token>. The app passes its own address
-- (…/invite); anything but a plain http(s) URL is refused.
create function private.invite_link(p_accept_url text, p_token text) returns text
language plpgsql immutable set search_path = '' as $$
begin
  if p_accept_url is null or p_accept_url !~ '^https?://[^[:space:]?#"<>]+$' then
    raise exception 'the invitation link must be an http(s) URL without query, got %', coalesce(p_accept_url, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  return p_accept_url || '?token=' || p_token;
end;
$$;
revoke all on function private.invite_link(text, text) from public;

-- A new token for an invite and its mail. 64 hex digits from two random UUIDs (244 random
-- bits; gen_random_uuid is core PostgreSQL, pgcrypto is not needed).
create function private.mail_invite(p_invite_id uuid, p_accept_url text) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_token text := pg_catalog.replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
  v_link text := private.invite_link(p_accept_url, v_token);
  v_invite record;
begin
  update public.workspace_invites i
  set token_hash = private.token_hash(v_token), created_at = now()
  where i.id = p_invite_id
  returning i.email, i.role, (select w.name from public.workspaces w where w.id = i.workspace_id) as workspace,
    (select u.email from auth.users u where u.id = i.invited_by) as inviter
  into v_invite;
  perform private.send_mail(
    v_invite.email,
    pg_catalog.format('You are invited to %s on Pigeon', v_invite.workspace),
    pg_catalog.format(
      E'%s invited you to join the workspace "%s" on Pigeon as %s.\n\nAccept the invitation: %s\n\n'
      'The link works once and for 7 days. If you did not expect it, ignore this mail.',
      coalesce(v_invite.inviter, 'Someone'), v_invite.workspace, v_invite.role, v_link),
    'invite');
end;
$$;
revoke all on function private.mail_invite(uuid, text) from public;

-- Who may manage an invite with this role in this workspace: owners any, admins all but owner invites.
create function private.assert_invite_manager(p_workspace_id uuid, p_role text) returns void
language plpgsql stable security definer set search_path = '' as $$
begin
  if not public.has_role(p_workspace_id, array['owner', 'admin']) then
    raise exception 'only owners and admins of a workspace can invite to it'
      using errcode = 'insufficient_privilege';
  end if;
  if p_role = 'owner' and not public.has_role(p_workspace_id, array['owner']) then
    raise exception 'only owners can invite owners'
      using errcode = 'insufficient_privilege';
  end if;
end;
$$;
revoke all on function private.assert_invite_manager(uuid, text) from public;

-- ---------------------------------------------------------------------------------------
-- invite_member: {"status": "invited"} whether or not the address has an account (the
-- invitation is mailed), {"status": "self"} for the caller's own address, and
-- {"status": "already_member"} for an active member (whom the caller sees anyway).
-- ---------------------------------------------------------------------------------------
drop function public.invite_member(uuid, text, text);
create function public.invite_member(
  p_workspace_id uuid, p_email text, p_role text default 'agent', p_accept_url text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_invite uuid;
begin
  if p_role is null or p_role not in ('owner', 'admin', 'agent') then
    raise exception 'role must be owner, admin or agent, got %', coalesce(p_role, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if v_email !~ '^[^@[:space:]]+@[^@[:space:]]+$' or char_length(v_email) > 320 then
    raise exception '"%" is not an email address', p_email
      using errcode = 'invalid_parameter_value';
  end if;
  perform private.assert_invite_manager(p_workspace_id, p_role);
  perform private.invite_link(p_accept_url, 'x');

  if v_email = (select lower(u.email) from auth.users u where u.id = auth.uid()) then
    return jsonb_build_object('status', 'self');
  end if;
  if exists (
    select 1 from public.workspace_members m join auth.users u on u.id = m.user_id
    where m.workspace_id = p_workspace_id and not m._deleted and lower(u.email) = v_email
  ) then
    return jsonb_build_object('status', 'already_member');
  end if;

  insert into public.workspace_invites as i (workspace_id, email, role, invited_by)
  values (p_workspace_id, v_email, p_role, auth.uid())
  on conflict (workspace_id, email) do update
    set role = excluded.role, invited_by = excluded.invited_by, accepted_at = null, accepted_by = null
  returning i.id into v_invite;
  perform private.mail_invite(v_invite, p_accept_url);
  return jsonb_build_object('status', 'invited');
end;
$$;
revoke all on function public.invite_member(uuid, text, text, text) from public, anon;
grant execute on function public.invite_member(uuid, text, text, text) to authenticated;

-- resend_invite: a fresh token and mail for a pending invite (the old link stops working).
create function public.resend_invite(p_invite_id uuid, p_accept_url text) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_invite record;
begin
  select i.workspace_id, i.role, i.accepted_at into v_invite
  from public.workspace_invites i where i.id = p_invite_id for update;
  if not found or not public.is_member(v_invite.workspace_id) then
    raise exception 'no invitation %', p_invite_id using errcode = 'no_data_found';
  end if;
  perform private.assert_invite_manager(v_invite.workspace_id, v_invite.role);
  if v_invite.accepted_at is not null then
    raise exception 'this invitation was already accepted' using errcode = 'invalid_parameter_value';
  end if;
  perform private.mail_invite(p_invite_id, p_accept_url);
  return jsonb_build_object('status', 'invited');
end;
$$;
revoke all on function public.resend_invite(uuid, text) from public, anon;
grant execute on function public.resend_invite(uuid, text) to authenticated;

-- The pending invite a token opens, locked; an error naming why when there is none.
create function private.open_invite(p_token text) returns public.workspace_invites
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_invite public.workspace_invites;
begin
  if auth.uid() is null then
    raise exception 'sign in to accept an invitation' using errcode = 'insufficient_privilege';
  end if;
  select * into v_invite from public.workspace_invites i
  where i.token_hash = private.token_hash(p_token) and p_token ~ '^[0-9a-f]{64}$'
  for update;
  if not found or v_invite.accepted_at is not null or v_invite.created_at < now() - private.invite_ttl() then
    raise exception 'this invitation link is not valid: it was used, revoked, replaced by a newer one or has expired'
      using errcode = 'invalid_parameter_value',
            hint = 'Ask the workspace''s owner or an admin to send the invitation again.';
  end if;
  return v_invite;
end;
$$;
revoke all on function private.open_invite(text) from public;

-- invite_details: what the invitee is asked to accept (workspace name, role, inviter).
create function public.invite_details(p_token text) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_invite public.workspace_invites := private.open_invite(p_token);
begin
  return jsonb_build_object(
    'workspace_id', v_invite.workspace_id,
    'workspace_name', (select w.name from public.workspaces w where w.id = v_invite.workspace_id),
    'role', v_invite.role,
    'invited_by', (select u.email from auth.users u where u.id = v_invite.invited_by),
    'already_member', public.is_member(v_invite.workspace_id));
end;
$$;
revoke all on function public.invite_details(text) from public, anon;
grant execute on function public.invite_details(text) to authenticated;

-- accept_invite: the signed-in caller, holding the mailed token, joins. The token works once.
create function public.accept_invite(p_token text) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_invite public.workspace_invites := private.open_invite(p_token);
  v_joined boolean;
begin
  v_joined := private.join_workspace(v_invite.workspace_id, auth.uid(), v_invite.role);
  update public.workspace_invites i
  set accepted_at = now(), accepted_by = auth.uid(), token_hash = null
  where i.id = v_invite.id;
  return jsonb_build_object(
    'status', case when v_joined then 'joined' else 'already_member' end,
    'workspace_id', v_invite.workspace_id,
    'role', v_invite.role);
end;
$$;
revoke all on function public.accept_invite(text) from public, anon;
grant execute on function public.accept_invite(text) to authenticated;

-- ---------------------------------------------------------------------------------------
-- No joining any other way.
-- ---------------------------------------------------------------------------------------
drop trigger on_auth_user_invited on auth.users;
drop function private.accept_invites();

-- Invites are written by the functions above only (each one mails its token); managers
-- still read and revoke (delete) them. The invitee no longer reads them by address: an
-- unverified address proves nothing.
revoke insert, update on public.workspace_invites from authenticated;
drop policy workspace_invites_insert on public.workspace_invites;
drop policy workspace_invites_update on public.workspace_invites;
drop policy workspace_invites_select on public.workspace_invites;
create policy workspace_invites_select on public.workspace_invites
  for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids(array['owner', 'admin']))::uuid[]));

-- Memberships are made by sign-up and accept_invite; a removed member comes back only by
-- accepting a new invitation. Managers still change roles and remove members (UPDATE).
revoke insert on public.workspace_members from authenticated;
drop policy workspace_members_insert on public.workspace_members;

create function private.guard_membership_restore() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- current_user is the API role for a client's statement and the definer inside
  -- private.join_workspace.
  if old._deleted and not new._deleted and current_user in ('authenticated', 'anon') then
    raise exception 'a removed member comes back only by accepting a new invitation'
      using errcode = 'insufficient_privilege',
            hint = 'Invite them again.';
  end if;
  return new;
end;
$$;
revoke all on function private.guard_membership_restore() from public;
create trigger guard_membership_restore before update on public.workspace_members
  for each row execute function private.guard_membership_restore();

-- team_members: the workspace's active members with their addresses, for its members.
create function public.team_members(p_workspace_id uuid)
returns table (id uuid, user_id uuid, email text, role text, created_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select m.id, m.user_id, u.email, m.role, m.created_at
  from public.workspace_members m join auth.users u on u.id = m.user_id
  where m.workspace_id = p_workspace_id and not m._deleted and public.is_member(p_workspace_id)
  order by m.created_at, m.id
$$;
revoke all on function public.team_members(uuid) from public, anon;
grant execute on function public.team_members(uuid) to authenticated;
