-- A contact deleted and added again before the device synced (offline, say) reaches the server
-- only as its final state: never deleted, so hide_contact_chats (20261203100000_inbox.sql)
-- never ran and the other devices kept the old conversation that the deleting device had
-- dropped. The device now says what it did: hide_contact_history(contact, when it was deleted)
-- hides what the contact's chats held before that moment, as the delete would have; what came
-- after (a message to the re-added contact) stays. Replayed until answered, so idempotent.

-- The rule: messages and notes of the contact's chats from before p_before are hidden, and a
-- chat with nothing left after it is hidden too (a later message opens it afresh,
-- summarise_chat). Returns how many messages it hid.
create function private.hide_contact_history_before(p_contact public.contacts, p_before timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_chats uuid[];
  v_hidden integer;
begin
  select pg_catalog.array_agg(ch.id) into v_chats from public.chats ch
  where ch.contact_id = p_contact.id and ch.workspace_id = p_contact.workspace_id and not ch._deleted;
  if v_chats is null then
    return 0;
  end if;
  update public.messages m set _deleted = true
  where m.chat_id = any (v_chats) and not m._deleted and m.created_at < p_before;
  get diagnostics v_hidden = row_count;
  update public.chat_notes n set _deleted = true
  where n.chat_id = any (v_chats) and not n._deleted and n.created_at < p_before;
  update public.chats ch set _deleted = true
  where ch.id = any (v_chats)
    and not exists (select 1 from public.messages m where m.chat_id = ch.id and not m._deleted);
  return v_hidden;
end;
$$;
revoke all on function private.hide_contact_history_before(public.contacts, timestamptz) from public;

-- Called by a member's device after it deleted the contact (src/features/contacts). Anyone
-- who may delete the contact (any member: the delete hides everything) may hide its past.
create function public.hide_contact_history(p_contact_id uuid, p_deleted_at timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_contact public.contacts;
begin
  if p_contact_id is null or p_deleted_at is null then
    raise exception 'contact id and deletion time are required' using errcode = 'invalid_parameter_value';
  end if;
  -- A device clock a little ahead is fine; a time far ahead would hide messages still to come.
  if p_deleted_at > pg_catalog.now() + interval '5 minutes' then
    raise exception 'deletion time % is in the future', p_deleted_at using errcode = 'invalid_parameter_value';
  end if;
  select * into v_contact from public.contacts c where c.id = p_contact_id;
  if v_contact.id is null or not public.is_member(v_contact.workspace_id) then
    raise exception 'contact % is not a contact of your workspaces', p_contact_id
      using errcode = 'insufficient_privilege';
  end if;
  return private.hide_contact_history_before(v_contact, p_deleted_at);
end;
$$;
revoke all on function public.hide_contact_history(uuid, timestamptz) from public, anon;
grant execute on function public.hide_contact_history(uuid, timestamptz) to authenticated;
