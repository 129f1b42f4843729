-- Client replication: the pull and push RPCs the app's RxDB replication calls (src/sync).
--
-- Why not RxDB's replicateSupabase: it detects push conflicts by comparing every field of
-- the assumed server state in the URL and throws on array/object fields (contacts carry
-- tags, group_ids and custom_fields). Pigeon's replication (src/sync) is built on RxDB's
-- replicateRxCollection with these two RPCs: a pull that cannot miss late commits, and a
-- batched push with optimistic concurrency on the server-set _modified.

-- Helpers the invoker-rights RPCs below call. Their own schema: `private` stays closed to
-- client roles, and PostgREST exposes only `public`.
create schema if not exists sync;
revoke all on schema sync from public;
grant usage on schema sync to authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Pull horizon
-- ---------------------------------------------------------------------------------------
-- A (_modified, id) checkpoint alone misses a row whose transaction commits after a later
-- row was already pulled. The horizon is a time before which every row that will ever
-- exist is already committed: the start of the oldest transaction still writing (it has an
-- xid), or now when none is. It holds because set_modified() assigns the xid before it
-- reads the clock, so a transaction not yet seen writing stamps its rows later than now,
-- and one seen writing stamps them no earlier than its own start. The pull returns only
-- rows below the horizon, read by a later statement (a newer snapshot) than the horizon.
-- On hosted Supabase the definer (postgres) is a member of pg_read_all_stats, so it sees
-- every session's backend_xid.
create function sync.pull_horizon() returns timestamptz
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  started timestamptz := pg_catalog.clock_timestamp();
  oldest timestamptz;
begin
  -- pg_stat_activity is cached per transaction; the horizon must be read fresh.
  perform pg_catalog.pg_stat_clear_snapshot();
  select min(a.xact_start) into oldest
  from pg_catalog.pg_stat_activity a
  where a.backend_xid is not null
    and a.pid <> pg_catalog.pg_backend_pid()
    -- Writers of other databases on the same server cannot write rows here.
    and a.datname = pg_catalog.current_database();
  return least(coalesce(oldest, started), started);
end;
$$;
revoke all on function sync.pull_horizon() from public;
grant execute on function sync.pull_horizon() to authenticated, service_role;

-- The tables a client replicates, and which of them it may write: chats and messages are
-- pulled, never pushed (they are written by the outbox intake and the server).
create function sync.replicated_table(p_table text, p_writable boolean) returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_table = any (array['contacts', 'contact_groups', 'templates', 'campaigns'])
     or (not p_writable and p_table = any (
       array['workspaces', 'workspace_members', 'channels', 'chats', 'messages'])) then
    return p_table;
  end if;
  raise exception 'table "%" is not %', p_table,
    case when p_writable then 'writable by replication' else 'replicated' end
    using errcode = 'invalid_parameter_value';
end;
$$;
revoke all on function sync.replicated_table(text, boolean) from public;
grant execute on function sync.replicated_table(text, boolean) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- pull_rows: one page of a workspace's rows after a checkpoint, below the horizon.
-- SECURITY INVOKER: RLS decides what the caller reads.
-- ---------------------------------------------------------------------------------------
create function public.pull_rows(
  p_table text,
  p_workspace_id uuid,
  p_after_modified timestamptz default null,
  p_after_id uuid default null,
  p_limit integer default 500
) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  tbl text := sync.replicated_table(p_table, false);
  horizon timestamptz := sync.pull_horizon();
  page jsonb;
begin
  if p_limit is null or p_limit < 1 or p_limit > 5000 then
    raise exception 'p_limit must be between 1 and 5000, got %', p_limit
      using errcode = 'invalid_parameter_value';
  end if;
  -- A row comparison, so the (workspace_id, _modified, id) index bounds the scan.
  execute format(
    'select coalesce(jsonb_agg(to_jsonb(t) order by t._modified, t.id), ''[]''::jsonb)
     from (select * from public.%I
           where workspace_id = $1
             and (_modified, id) > ($2, $3)
             and _modified < $4
           order by _modified, id
           limit $5) t',
    tbl)
  into page
  using p_workspace_id,
        coalesce(p_after_modified, '-infinity'::timestamptz),
        coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'::uuid),
        horizon,
        p_limit;
  return jsonb_build_object('rows', page, 'horizon', horizon);
end;
$$;
revoke all on function public.pull_rows(text, uuid, timestamptz, uuid, integer) from public, anon;
grant execute on function public.pull_rows(text, uuid, timestamptz, uuid, integer) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- push_rows: writes a batch of client documents with optimistic concurrency.
-- Each item is {"doc": {...row...}, "assumed": <the _modified the client last saw, or null>}.
-- A row is written only if the server still holds the assumed version (or, for null, no
-- row); otherwise the server's current row comes back as a conflict for the client to
-- merge and push again. Server-owned columns (_modified, created_at) are never taken from
-- the client. SECURITY INVOKER: RLS and the table checks decide what is allowed.
--
-- Set-based: one statement locks and classifies the whole batch, then one insert and one
-- update per set of columns sent (the app sends every column, so one of each). A per-row
-- loop of dynamic statements cost ~0.4 ms a row, which capped a 100,000-contact import's
-- sync at ~2,000 rows/s on the server alone.
-- ---------------------------------------------------------------------------------------
create function public.push_rows(p_table text, p_rows jsonb) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  tbl text := sync.replicated_table(p_table, true);
  writable text[];
  item_count integer;
  conflicts jsonb;
  inserts jsonb;
  updates jsonb;
  cols text[];
  col_list text;
  row_list text;
  group_docs jsonb;
  lost uuid[];
  found integer;
begin
  if jsonb_typeof(p_rows) is distinct from 'array' then
    raise exception 'p_rows must be a JSON array of {doc, assumed} items'
      using errcode = 'invalid_parameter_value';
  end if;
  item_count := jsonb_array_length(p_rows);
  if item_count > 1000 then
    raise exception 'at most 1000 rows per push, got %', item_count
      using errcode = 'invalid_parameter_value';
  end if;
  if exists (select 1 from jsonb_array_elements(p_rows) e
             where jsonb_typeof(e -> 'doc') is distinct from 'object'
                or jsonb_typeof(e -> 'doc' -> 'id') is distinct from 'string') then
    raise exception 'each item needs a "doc" object with an "id"'
      using errcode = 'invalid_parameter_value';
  end if;
  -- Each item is judged against the row as it was before the push: a row twice would be
  -- judged twice against the same version.
  if (select count(distinct (e -> 'doc' ->> 'id')::uuid) from jsonb_array_elements(p_rows) e) <> item_count then
    raise exception 'a row may appear only once per push'
      using errcode = 'invalid_parameter_value';
  end if;

  select array_agg(a.attname::text order by a.attnum) into writable
  from pg_catalog.pg_attribute a
  where a.attrelid = pg_catalog.to_regclass('public.' || tbl)
    and a.attnum > 0 and not a.attisdropped
    and a.attname not in ('_modified', 'created_at');

  -- Lock the rows the batch names and sort its items: new rows, rows still at the assumed
  -- version, and conflicts (the server's row, for the client to merge).
  execute format(
    'with items as (
       select (e -> ''doc'' ->> ''id'')::uuid as id, e -> ''doc'' as doc,
              (e ->> ''assumed'')::timestamptz as assumed
       from jsonb_array_elements($1) e
     ), cur as (
       select t.id, t._modified, to_jsonb(t) as row
       from public.%I t where t.id in (select id from items)
       for update
     )
     select coalesce(jsonb_agg(c.row) filter (where c.id is not null
                       and (i.assumed is null or c._modified <> i.assumed)), ''[]''),
            coalesce(jsonb_agg(i.doc) filter (where c.id is null), ''[]''),
            coalesce(jsonb_agg(i.doc) filter (where c._modified = i.assumed), ''[]'')
     from items i left join cur c on c.id = i.id',
    tbl)
  into conflicts, inserts, updates
  using p_rows;

  -- Only columns the client sent and may write; the rest keep their value or default.
  for cols in
    select distinct array(select c from unnest(writable) c where d ? c)
    from jsonb_array_elements(inserts || updates) d
  loop
    select string_agg(format('%I', c), ', '), string_agg(format('r.%I', c), ', ')
      into col_list, row_list
    from unnest(cols) c;

    select jsonb_agg(d) into group_docs from jsonb_array_elements(inserts) d
    where array(select c from unnest(writable) c where d ? c) = cols;
    if group_docs is not null then
      -- A row another transaction inserted since the lock above comes back as a conflict.
      execute format(
        'with written as (
           insert into public.%I (%s) select %s from jsonb_populate_recordset(null::public.%I, $1) r
           on conflict (id) do nothing
           returning id
         )
         select array_agg((d ->> ''id'')::uuid) from jsonb_array_elements($1) d
         where (d ->> ''id'')::uuid not in (select id from written)',
        tbl, col_list, row_list, tbl)
      into lost
      using group_docs;
      if lost is not null then
        execute format(
          'select count(*), $2 || coalesce(jsonb_agg(to_jsonb(t)), ''[]'')
           from public.%I t where t.id = any ($1)',
          tbl)
        into found, conflicts
        using lost, conflicts;
        if found < cardinality(lost) then
          raise exception 'row % of % exists outside the workspaces you belong to', lost[1], tbl
            using errcode = 'insufficient_privilege';
        end if;
      end if;
    end if;

    select jsonb_agg(d) into group_docs from jsonb_array_elements(updates) d
    where array(select c from unnest(writable) c where d ? c) = cols;
    if group_docs is not null then
      execute format(
        'update public.%I t set (%s) = row(%s)
         from jsonb_populate_recordset(null::public.%I, $1) r
         where t.id = r.id',
        tbl, col_list, row_list, tbl)
      using group_docs;
    end if;
  end loop;
  return conflicts;
end;
$$;
revoke all on function public.push_rows(text, jsonb) from public, anon;
grant execute on function public.push_rows(text, jsonb) to authenticated, service_role;
