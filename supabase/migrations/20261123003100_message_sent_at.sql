-- When an outbound message left: the first time its status reached sent (or a later tick,
-- when the provider's reports arrive out of order). A campaign's chart of sends over time
-- plots it; `_modified` would move each point again at delivered and at read.
alter table public.messages add column sent_at timestamptz;

create or replace function private.stamp_message_sent() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.direction = 'out' and new.sent_at is null and new.status in ('sent', 'delivered', 'read') then
    new.sent_at := pg_catalog.now();
  end if;
  return new;
end;
$$;
revoke all on function private.stamp_message_sent() from public;

create trigger stamp_message_sent before insert or update of status on public.messages
  for each row execute function private.stamp_message_sent();

-- Messages that went out before this column: their last change is the best time known.
update public.messages set sent_at = _modified
where direction = 'out' and status in ('sent', 'delivered', 'read');
