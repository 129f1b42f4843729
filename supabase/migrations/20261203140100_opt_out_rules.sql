-- Opt-outs (issue 17, item 10). Anyone may opt a contact out (the safe direction); only an
-- owner or admin of its workspace may clear an opt-out, through set_contact_opt_out with a
-- reason. Every change of a contact's opt-out is recorded in contact_opt_events: who (the
-- signed-in user, or none for a customer's STOP reply), when, how ('stop_reply' with the
-- message, or 'manual') and the reason given. Members read their workspace's entries; no
-- client writes them.

create table public.contact_opt_events (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  opted_out boolean not null,
  source text not null check (source in ('stop_reply', 'manual')),
  actor_id uuid references auth.users (id) on delete set null,
  message_id uuid references public.messages (id) on delete set null,
  reason text check (reason is null or char_length(reason) between 1 and 500),
  created_at timestamptz not null default now()
);
create index contact_opt_events_contact on public.contact_opt_events (contact_id, created_at);
create index contact_opt_events_workspace on public.contact_opt_events (workspace_id);
alter table public.contact_opt_events enable row level security;
create policy contact_opt_events_read on public.contact_opt_events for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
revoke all on public.contact_opt_events from anon, authenticated;
grant select on public.contact_opt_events to authenticated;
grant all on public.contact_opt_events to service_role;

-- A client's write may set opted_out, never clear it: clearing goes through
-- set_contact_opt_out, which checks the role and takes the reason. Security invoker, so
-- current_user is the writer (server functions and the service role are not clients).
create function private.guard_opt_in() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.opted_out and not new.opted_out and current_user in ('authenticated', 'anon')
     and coalesce(pg_catalog.current_setting('pigeon.opt_reason', true), '') = '' then
    raise exception 'only an owner or admin may clear the opt-out of contact %, with a reason', old.id
      using errcode = 'insufficient_privilege',
            hint = 'Call set_contact_opt_out(p_contact_id, false, p_reason).';
  end if;
  return new;
end;
$$;
revoke all on function private.guard_opt_in() from public;

create trigger guard_opt_in before update of opted_out on public.contacts
  for each row execute function private.guard_opt_in();

create function private.record_opt_event() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (tg_op = 'INSERT' and new.opted_out)
     or (tg_op = 'UPDATE' and new.opted_out is distinct from old.opted_out) then
    insert into public.contact_opt_events (workspace_id, contact_id, opted_out, source, actor_id, message_id, reason)
    values (
      new.workspace_id, new.id, new.opted_out,
      coalesce(nullif(pg_catalog.current_setting('pigeon.opt_source', true), ''), 'manual'),
      auth.uid(),
      nullif(pg_catalog.current_setting('pigeon.opt_message', true), '')::uuid,
      nullif(pg_catalog.current_setting('pigeon.opt_reason', true), '')
    );
  end if;
  return null;
end;
$$;
revoke all on function private.record_opt_event() from public;

create trigger record_opt_event after insert or update of opted_out on public.contacts
  for each row execute function private.record_opt_event();

-- Sets or clears a contact's opt-out as the signed-in member: clearing needs an owner or
-- admin and a reason, both recorded in the audit entry. Answers the contact's row.
create function public.set_contact_opt_out(p_contact_id uuid, p_opted_out boolean, p_reason text default null)
returns public.contacts
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ws uuid;
  v_reason text := nullif(btrim(coalesce(p_reason, '')), '');
  v_row public.contacts;
begin
  select ct.workspace_id into v_ws from public.contacts ct
  where ct.id = p_contact_id and not ct._deleted
    and ct.workspace_id = any (public.my_workspace_ids());
  if v_ws is null then
    raise exception 'no contact % in your workspaces', p_contact_id using errcode = 'no_data_found';
  end if;
  if p_opted_out is null then
    raise exception 'p_opted_out must be true or false' using errcode = 'invalid_parameter_value';
  end if;
  if char_length(v_reason) > 500 then
    raise exception 'the reason is longer than 500 characters' using errcode = 'invalid_parameter_value';
  end if;
  if not p_opted_out then
    if not public.has_role(v_ws, array['owner', 'admin']) then
      raise exception 'only an owner or admin may clear an opt-out' using errcode = 'insufficient_privilege';
    end if;
    if v_reason is null then
      raise exception 'clearing an opt-out needs a reason (the consent the contact gave)'
        using errcode = 'invalid_parameter_value';
    end if;
  end if;
  perform pg_catalog.set_config('pigeon.opt_source', 'manual', true),
          pg_catalog.set_config('pigeon.opt_reason', coalesce(v_reason, ''), true);
  update public.contacts ct set opted_out = p_opted_out,
         updated_at = to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  where ct.id = p_contact_id
  returning ct.* into v_row;
  perform pg_catalog.set_config('pigeon.opt_source', '', true),
          pg_catalog.set_config('pigeon.opt_reason', '', true);
  return v_row;
end;
$$;
revoke all on function public.set_contact_opt_out(uuid, boolean, text) from public, anon;
grant execute on function public.set_contact_opt_out(uuid, boolean, text) to authenticated;

-- A customer's STOP reply opts them out as before, and its audit entry names the reply.
create or replace function private.handle_inbound_message() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_keywords text[];
begin
  update public.messages m set replied_at = new.created_at
  where m.id = (
    select o.id from public.messages o
    where o.chat_id = new.chat_id and o.direction = 'out' and o.campaign_id is not null
      and o.status in ('sent', 'delivered', 'read')
    order by o.created_at desc, o.id desc
    limit 1
  ) and m.replied_at is null;

  select w.stop_keywords into v_keywords from public.workspaces w where w.id = new.workspace_id;
  if not private.is_stop_message(new.body, v_keywords) then
    return null;
  end if;
  -- The audit entry names this reply as how the contact opted out.
  perform pg_catalog.set_config('pigeon.opt_source', 'stop_reply', true),
          pg_catalog.set_config('pigeon.opt_message', new.id::text, true);
  update public.contacts ct set opted_out = true
  where ct.workspace_id = new.workspace_id and (ct.id = new.contact_id or ct.phone = new.phone)
    and not ct.opted_out;
  perform pg_catalog.set_config('pigeon.opt_source', '', true),
          pg_catalog.set_config('pigeon.opt_message', '', true);
  -- Found through the contact's chats on the workspace's channels (indexed), not by phone.
  perform private.fail_outbox_rows(array(
    select o.id
    from public.channels chn
    join public.chats ch on ch.channel_id = chn.id and ch.wa_chat_id = private.wa_chat_id(new.phone)
    join public.messages m on m.chat_id = ch.id
    join public.outbox_messages o on o.message_id = m.id
    where chn.workspace_id = new.workspace_id and m.direction = 'out'
      and o.campaign_id is not null and o.status in ('queued', 'paused')
    for update of o
  ), 'the recipient opted out');
  return null;
end;
$$;
revoke all on function private.handle_inbound_message() from public;
