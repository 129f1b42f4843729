-- The chat summary per statement (issue 12's intake). summarise_chat
-- (20261203100000_inbox.sql) updated the chat once per inserted message: a 100k campaign
-- launch made 100k single-row chat updates (0.54 ms a message, a quarter of the intake's
-- database time), each also captured for realtime. Now one update per insert statement
-- brings every touched chat up to date from the statement's new rows (a transition table),
-- with the row trigger's result: the last inserted message is the summary (its time kept
-- only if newer), customer messages counted and opening the chat, the last known
-- contact kept, a hidden chat starting afresh.

drop trigger summarise_chat on public.messages;
drop function private.summarise_chat();

create function private.summarise_chats() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  with added as (
    -- A transition table is read in insertion order: n is each row's place in it.
    select row(m.*)::public.messages as m, pg_catalog.row_number() over () as n
    from new_messages m where not m._deleted
  ), per_chat as (
    select (a.m).chat_id as chat_id,
      (pg_catalog.array_agg(a.m order by a.n desc))[1] as newest,
      pg_catalog.count(*) filter (where (a.m).direction = 'in') as inbound,
      pg_catalog.max((a.m).created_at) filter (where (a.m).direction = 'in') as last_inbound_at,
      (pg_catalog.array_agg((a.m).contact_id order by a.n desc) filter (where (a.m).contact_id is not null))[1]
        as contact_id
    from added a
    group by (a.m).chat_id
  )
  update public.chats ch
  set last_message_at = greatest(ch.last_message_at, (p.newest).created_at),
      last_message_id = (p.newest).id,
      last_message_direction = (p.newest).direction,
      last_message_preview = private.message_preview(p.newest),
      inbound_count = ch.inbound_count + p.inbound,
      last_inbound_at = greatest(ch.last_inbound_at, p.last_inbound_at),
      contact_id = coalesce(p.contact_id, ch.contact_id),
      status = case when ch._deleted or (p.inbound > 0 and ch.status <> 'open') then 'open' else ch.status end,
      status_at = case when ch._deleted or (p.inbound > 0 and ch.status <> 'open') then pg_catalog.now() else ch.status_at end,
      assignee_id = case when ch._deleted then null else ch.assignee_id end,
      assigned_at = case when ch._deleted then null else ch.assigned_at end,
      _deleted = false
  from per_chat p
  where ch.id = p.chat_id;
  return null;
end;
$$;
revoke all on function private.summarise_chats() from public;

create trigger summarise_chats after insert on public.messages
  referencing new table as new_messages
  for each statement execute function private.summarise_chats();
