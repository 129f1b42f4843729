-- Change capture for the local realtime server: no logical decoding (PGlite has none), so a
-- row trigger on each table of publication supabase_realtime queues every change here and
-- wakes the server with NOTIFY. Both are transactional: a rolled-back change is never seen.
-- Local only (not a migration): the server installs it at start. Idempotent.

create schema if not exists _realtime_local;
revoke all on schema _realtime_local from public;

create table if not exists _realtime_local.changes (
  id bigserial primary key,
  schema_name text not null,
  table_name text not null,
  op text not null check (op in ('INSERT', 'UPDATE', 'DELETE')),
  record jsonb,
  old_record jsonb,
  captured_at timestamptz not null default now()
);
revoke all on _realtime_local.changes from public;

-- Security definer: the writer (any API role, under RLS) may not touch the queue itself.
create or replace function _realtime_local.capture() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into _realtime_local.changes (schema_name, table_name, op, record, old_record)
  values (
    tg_table_schema,
    tg_table_name,
    tg_op,
    case when tg_op <> 'DELETE' then to_jsonb(new) end,
    case when tg_op <> 'INSERT' then to_jsonb(old) end
  );
  -- A constant payload: NOTIFY folds repeats within one transaction into one wake-up.
  perform pg_notify('_realtime_local', '');
  return null;
end
$$;
revoke all on function _realtime_local.capture() from public;
