-- A message to a contact deleted and added again on the device, whose push has not reached
-- the server yet: the server still has the contact deleted, so the intake's contact rule
-- (20261203120000_campaign_launch_order.sql) found "the contact is there" and the intake
-- refused the message ("contact … is not a contact of the channel's workspace"). Now a
-- command carrying the contact's name brings that deleted contact back (name from the
-- command, dated at the epoch so the device's push, meeting it as a conflict, wins every
-- field). Only the very contact the command names (derived id, same workspace and phone)
-- and only a deleted one: a contact that is there is never written, as before. The rest of
-- ensure_command_contact is unchanged, restated in full.

-- The rule: the deleted contact with this id, workspace and phone comes back under the
-- command's name, epoch-dated. Anything else is left as it is.
create function private.restore_command_contact(p_id uuid, p_workspace uuid, p_phone text, p_name text)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.contacts c
  set _deleted = false, name = p_name, updated_at = private.intake_contact_stamp()
  where c.id = p_id and c.workspace_id = p_workspace and c.phone = p_phone and c._deleted
$$;
revoke all on function private.restore_command_contact(uuid, uuid, text, text) from public;

create or replace function private.ensure_command_contact(p_cmd jsonb) returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_workspace uuid;
  v_to text := p_cmd ->> 'to';
begin
  if pg_catalog.jsonb_typeof(p_cmd) is distinct from 'object' or not p_cmd ? 'contact_name' then
    return null;
  end if;
  if pg_catalog.jsonb_typeof(p_cmd -> 'contact_name') is distinct from 'string'
     or pg_catalog.char_length(p_cmd ->> 'contact_name') > 200 then
    return 'contact_name must be a text of at most 200 characters';
  end if;
  -- The common case first, one index lookup: the contact is there (and not deleted).
  if not private.is_uuid(p_cmd -> 'contact_id')
     or exists (select 1 from public.contacts c where c.id = (p_cmd ->> 'contact_id')::uuid and not c._deleted) then
    return null;
  end if;
  if not private.is_uuid(p_cmd -> 'message_id') or not private.is_uuid(p_cmd -> 'channel_id')
     or v_to !~ '^\+[1-9][0-9]{6,14}$'
     or exists (select 1 from public.messages m where m.id = (p_cmd ->> 'message_id')::uuid) then
    return null;
  end if;
  select ch.workspace_id into v_workspace from public.channels ch
  where ch.id = (p_cmd ->> 'channel_id')::uuid and not ch._deleted;
  if v_workspace is null or not public.is_member(v_workspace)
     or (p_cmd ->> 'contact_id')::uuid <> private.contact_id(v_workspace, v_to) then
    return null;
  end if;
  perform private.restore_command_contact((p_cmd ->> 'contact_id')::uuid, v_workspace, v_to,
    pg_catalog.btrim(p_cmd ->> 'contact_name'));
  -- Either key taken (the id, or the phone under another id): the row there stands.
  insert into public.contacts (id, workspace_id, phone, name, updated_at)
  values ((p_cmd ->> 'contact_id')::uuid, v_workspace, v_to, pg_catalog.btrim(p_cmd ->> 'contact_name'),
    private.intake_contact_stamp())
  on conflict do nothing;
  return null;
end;
$$;
revoke all on function private.ensure_command_contact(jsonb) from public;
