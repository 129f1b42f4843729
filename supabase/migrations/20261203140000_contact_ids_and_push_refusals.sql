-- Contacts: an id derived from workspace + phone is checked on insert, as chats' ids are, so
-- no workspace can take the id of another workspace's contact first (issue 17, item 11). An
-- insert that names no id gets the derived one. Checked on insert only: the id of a contact
-- stays when its phone is edited.
--
-- push_rows: one bad row no longer fails its batch. A batch is written set-based as before;
-- when that fails, each row is written on its own and the bad ones are refused:
-- returned beside the conflicts as {"id", "_refused": <the reason>} (src/sync/replication.ts
-- shows them), while the others are written.

alter table public.contacts alter column id drop default;

create function private.derive_contact_id() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.id is null then
    new.id := private.contact_id(new.workspace_id, new.phone);
  elsif new.id is distinct from private.contact_id(new.workspace_id, new.phone) then
    raise exception 'contact id % is not the id of % in workspace %', new.id, new.phone, new.workspace_id
      using errcode = 'check_violation',
            hint = 'A contact''s id is the UUID v5 of ''<workspace>:<E.164 phone>'' (contactId in src/domain/ids.ts).';
  end if;
  return new;
end;
$$;
revoke all on function private.derive_contact_id() from public;

create trigger derive_contact_id before insert on public.contacts
  for each row execute function private.derive_contact_id();

-- Inserts docs of one set of columns; returns the ids not written (a row already there).
-- Security invoker: the pusher's RLS and the table's checks apply. Schema sync: reachable by
-- push_rows' callers, not through the API.
create function sync.push_insert(p_table text, p_cols text, p_values text, p_docs jsonb) returns uuid[]
language plpgsql
set search_path = ''
as $$
declare
  lost uuid[];
begin
  execute pg_catalog.format(
    'with written as (
       insert into public.%I (%s) select %s from jsonb_populate_recordset(null::public.%I, $1) r
       on conflict (id) do nothing
       returning id
     )
     select array_agg((d ->> ''id'')::uuid) from jsonb_array_elements($1) d
     where (d ->> ''id'')::uuid not in (select id from written)',
    p_table, p_cols, p_values, p_table)
  into lost
  using p_docs;
  return lost;
end;
$$;
revoke all on function sync.push_insert(text, text, text, jsonb) from public;
grant execute on function sync.push_insert(text, text, text, jsonb) to authenticated, service_role;

-- Updates docs of one set of columns (rows push_rows found at their assumed version).
create function sync.push_update(p_table text, p_cols text, p_values text, p_docs jsonb) returns void
language plpgsql
set search_path = ''
as $$
begin
  execute pg_catalog.format(
    'update public.%I t set (%s) = row(%s)
     from jsonb_populate_recordset(null::public.%I, $1) r
     where t.id = r.id',
    p_table, p_cols, p_values, p_table)
  using p_docs;
end;
$$;
revoke all on function sync.push_update(text, text, text, jsonb) from public;
grant execute on function sync.push_update(text, text, text, jsonb) to authenticated, service_role;

create or replace function public.push_rows(p_table text, p_rows jsonb) returns jsonb
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
  refused jsonb := '[]';
  doc jsonb;
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
      begin
        lost := sync.push_insert(tbl, col_list, row_list, group_docs);
      exception when integrity_constraint_violation or data_exception or insufficient_privilege or raise_exception then
        -- One bad row must not fail the rest: each row again on its own, the bad ones refused.
        lost := null;
        for doc in select d from jsonb_array_elements(group_docs) d loop
          begin
            lost := lost || sync.push_insert(tbl, col_list, row_list, jsonb_build_array(doc));
          exception when integrity_constraint_violation or data_exception or insufficient_privilege or raise_exception then
            refused := refused || jsonb_build_object('id', doc ->> 'id', '_refused', sqlerrm);
          end;
        end loop;
      end;
      if lost is not null then
        -- A row another transaction inserted since the lock above comes back as a conflict;
        -- one the pusher cannot see (another workspace's) is refused, not revealed.
        execute format(
          'select $2 || coalesce(jsonb_agg(to_jsonb(t)), ''[]'')
           from public.%I t where t.id = any ($1)',
          tbl)
        into conflicts
        using lost, conflicts;
        select refused || coalesce(jsonb_agg(jsonb_build_object('id', l, '_refused',
                 pg_catalog.format('row %s of %s exists outside the workspaces you belong to', l, tbl))), '[]')
          into refused
        from unnest(lost) l
        where not exists (select 1 from jsonb_array_elements(conflicts) c where (c ->> 'id')::uuid = l);
      end if;
    end if;

    select jsonb_agg(d) into group_docs from jsonb_array_elements(updates) d
    where array(select c from unnest(writable) c where d ? c) = cols;
    if group_docs is not null then
      begin
        perform sync.push_update(tbl, col_list, row_list, group_docs);
      exception when integrity_constraint_violation or data_exception or insufficient_privilege or raise_exception then
        for doc in select d from jsonb_array_elements(group_docs) d loop
          begin
            perform sync.push_update(tbl, col_list, row_list, jsonb_build_array(doc));
          exception when integrity_constraint_violation or data_exception or insufficient_privilege or raise_exception then
            refused := refused || jsonb_build_object('id', doc ->> 'id', '_refused', sqlerrm);
          end;
        end loop;
      end;
    end if;
  end loop;
  return conflicts || refused;
end;
$$;
revoke all on function public.push_rows(text, jsonb) from public, anon;
grant execute on function public.push_rows(text, jsonb) to authenticated, service_role;
