-- A pull says when it held rows back. pull_rows returns only rows below the horizon (the start
-- of the oldest transaction still writing, 20261202000900_sync_rpcs.sql), so a row committed
-- while another writer runs (any writer of the database: a webhook, the outbox processor, the
-- realtime queue) is left for a later pull. The client pulls when realtime announces a change;
-- when the announced row was held and nothing changes afterwards, no later pull came and the
-- device kept the old version for good (a message shown 'sending' while the server had it
-- 'read', app-messages on PostgreSQL under load). Now the answer says `held`: rows after the
-- checkpoint are committed at or past the horizon, and the client pulls again shortly
-- (src/sync/replication.ts). The rest of pull_rows is unchanged, restated in full.

-- Whether the caller can read rows of the workspace after the checkpoint that a pull below
-- `p_horizon` leaves out. SECURITY INVOKER: RLS decides what counts, as in pull_rows.
create function sync.rows_held(
  p_table text,
  p_workspace_id uuid,
  p_after_modified timestamptz,
  p_after_id uuid,
  p_horizon timestamptz
) returns boolean
language plpgsql
stable
set search_path = ''
as $$
declare
  v_held boolean;
begin
  execute format(
    'select exists (select 1 from public.%I
                    where workspace_id = $1 and (_modified, id) > ($2, $3) and _modified >= $4)',
    sync.replicated_table(p_table, false))
  into v_held
  using p_workspace_id, p_after_modified, p_after_id, p_horizon;
  return v_held;
end;
$$;
revoke all on function sync.rows_held(text, uuid, timestamptz, uuid, timestamptz) from public;
grant execute on function sync.rows_held(text, uuid, timestamptz, uuid, timestamptz) to authenticated, service_role;

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
  -- A full page is followed by another pull anyway. Every row the page has is below the
  -- horizon, so a held row is one after the checkpoint at or past it.
  return jsonb_build_object('rows', page, 'horizon', horizon,
    'held', pg_catalog.jsonb_array_length(page) < p_limit
      and sync.rows_held(p_table, p_workspace_id, after_modified, after_id, horizon));
end;
$$;
revoke all on function public.pull_rows(text, uuid, timestamptz, uuid, integer) from public, anon;
grant execute on function public.pull_rows(text, uuid, timestamptz, uuid, integer) to authenticated, service_role;
