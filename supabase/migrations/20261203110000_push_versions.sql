-- push_changes: push_rows (20261202000900_sync_rpcs.sql), and the version (`_modified`) each
-- accepted row now has on the server.
--
-- Why: a client that does not learn the version its push wrote has to pull its own rows back
-- (realtime wakes it, the pull writes each row a second time) before its next push can assume
-- the right version. With the versions in the push's answer it records them as what the server
-- holds, skips the realtime events its own push caused, and a later pull that pages over those
-- rows finds them equal and writes nothing.
--
-- Generic over the replicated tables: it names no table. A table that replication may write
-- (sync.replicated_table) gets this with no change here.

-- The current `_modified` of the given rows of a replicated table, as {id: _modified}.
-- SECURITY INVOKER: RLS decides which of them the caller reads.
create function sync.row_versions(p_table text, p_ids uuid[]) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  tbl text := sync.replicated_table(p_table, false);
  versions jsonb;
begin
  execute format(
    'select coalesce(jsonb_object_agg(t.id, t._modified), ''{}''::jsonb)
     from public.%I t where t.id = any ($1)',
    tbl)
  into versions
  using p_ids;
  return versions;
end;
$$;
revoke all on function sync.row_versions(text, uuid[]) from public;
grant execute on function sync.row_versions(text, uuid[]) to authenticated, service_role;

-- {"conflicts": [...server rows, as push_rows returns them...],
--  "written": {"<id>": "<_modified>", ...} for every row this push wrote}.
-- The rows push_rows wrote stay locked until the transaction ends, so the versions read here
-- are the ones this push stamped.
create function public.push_changes(p_table text, p_rows jsonb) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  conflicts jsonb := public.push_rows(p_table, p_rows);
  accepted uuid[];
begin
  select array_agg((e -> 'doc' ->> 'id')::uuid) into accepted
  from jsonb_array_elements(p_rows) e
  where e -> 'doc' ->> 'id' not in (select c ->> 'id' from jsonb_array_elements(conflicts) c);
  return jsonb_build_object(
    'conflicts', conflicts,
    'written', sync.row_versions(p_table, coalesce(accepted, '{}'))
  );
end;
$$;
revoke all on function public.push_changes(text, jsonb) from public, anon;
grant execute on function public.push_changes(text, jsonb) to authenticated, service_role;
