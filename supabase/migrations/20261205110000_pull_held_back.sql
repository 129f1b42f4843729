-- pull_rows (20261202000900_sync_rpcs.sql) also says whether it held rows back.
--
-- Why: a page stops below the commit horizon (the start of the oldest transaction still
-- writing), so a row committed after a late-committing writer started is not returned yet.
-- The client pulls on realtime events; when the writer that held the horizon down commits
-- without changing a row the client watches (a push whose rows all conflicted locks them FOR
-- UPDATE and writes nothing), no event comes, and the held-back row stayed unpulled until some
-- unrelated change. Now the answer has "held_back": true when a row after the checkpoint is
-- visible at or above the horizon, and the client pulls again shortly (src/sync/replication.ts).

create or replace function public.pull_rows(
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
  after_modified timestamptz := coalesce(p_after_modified, '-infinity'::timestamptz);
  after_id uuid := coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'::uuid);
  page jsonb;
  held_back boolean;
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
  using p_workspace_id, after_modified, after_id, horizon, p_limit;
  execute format(
    'select exists (select 1 from public.%I
                    where workspace_id = $1 and _modified >= $2 and (_modified, id) > ($3, $4))',
    tbl)
  into held_back
  using p_workspace_id, horizon, after_modified, after_id;
  return jsonb_build_object('rows', page, 'horizon', horizon, 'held_back', held_back);
end;
$$;
revoke all on function public.pull_rows(text, uuid, timestamptz, uuid, integer) from public, anon;
grant execute on function public.pull_rows(text, uuid, timestamptz, uuid, integer) to authenticated, service_role;
