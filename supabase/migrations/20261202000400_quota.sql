-- Monthly message quota per workspace, and reservations against it.
--
-- A sender reserves what it is about to use (reserve_quota), then commits what it really
-- used (commit_quota, the rest goes back) or gives it all back (release_quota). Every RPC
-- locks the workspace's quota row first, so concurrent calls serialize per workspace and
-- the limit holds. A reservation nobody settles expires at expires_at: every read counts
-- only status = 'reserved' and expires_at > now() as active, so expiry needs no sweeper;
-- the RPCs also mark stale rows 'expired' while they hold the lock.
--
-- Accounting, at any moment: used + active reserved + remaining = monthly_limit
-- (remaining is never below 0, which only matters if the limit is lowered below use).

create table public.quotas (
  workspace_id uuid primary key references public.workspaces (id) on delete cascade,
  monthly_limit integer not null default 1000 check (monthly_limit >= 0),
  used integer not null default 0 check (used >= 0),
  -- The calendar month in the workspace's time zone; rolled forward lazily.
  period_start timestamptz not null,
  period_end timestamptz not null,
  updated_at timestamptz not null default now(),
  constraint quotas_period_check check (period_end > period_start)
);

create table public.quota_reservations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.quotas (workspace_id) on delete cascade,
  -- The caller's idempotency key, e.g. 'campaign:<id>'.
  key text not null check (char_length(key) between 1 and 200),
  amount integer not null check (amount > 0),
  status text not null default 'reserved'
    check (status in ('reserved', 'committed', 'released', 'expired')),
  committed_amount integer check (committed_amount between 0 and amount),
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  settled_at timestamptz,
  constraint quota_reservations_workspace_key_key unique (workspace_id, key),
  constraint quota_reservations_committed_check
    check ((status = 'committed') = (committed_amount is not null))
);

create index quota_reservations_active_idx
  on public.quota_reservations (workspace_id, expires_at) where status = 'reserved';

alter table public.quotas enable row level security;
alter table public.quota_reservations enable row level security;

-- Clients only read; every change goes through the RPCs below (or service_role).
revoke all on public.quotas, public.quota_reservations from anon;
revoke insert, update, delete, truncate, references, trigger
  on public.quotas, public.quota_reservations from authenticated;
select private.workspace_policies('public.quotas', p_writable => false);
select private.workspace_policies('public.quota_reservations', p_writable => false);

-- The header can listen for changes to its quota row; every RPC that changes the figures
-- touches it.
alter publication supabase_realtime add table public.quotas;

-- ---------------------------------------------------------------------------------------
-- Internals (schema private: not reachable through the API)
-- ---------------------------------------------------------------------------------------

-- The calendar month running now in the workspace's time zone.
create function private.current_month(
  p_workspace_id uuid, out period_start timestamptz, out period_end timestamptz
)
language sql
stable
set search_path = ''
as $$
  select pg_catalog.date_trunc('month', pg_catalog.now() at time zone w.time_zone) at time zone w.time_zone,
         (pg_catalog.date_trunc('month', pg_catalog.now() at time zone w.time_zone) + interval '1 month')
           at time zone w.time_zone
  from public.workspaces w
  where w.id = p_workspace_id
$$;

-- Every workspace gets its quota row when it is created.
create function private.create_workspace_quota() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.quotas (workspace_id, period_start, period_end)
  select new.id, m.period_start, m.period_end
  from private.current_month(new.id) m
  on conflict (workspace_id) do nothing;
  return null;
end;
$$;

create trigger create_quota after insert on public.workspaces
  for each row execute function private.create_workspace_quota();

-- Who may touch a workspace's quota: its members, service_role, and trusted server code
-- connected straight to the database (no API role set and no JWT claims, e.g. pg_cron or
-- the local stack's own processes; the client roles always carry claims).
create function private.assert_quota_access(p_workspace_id uuid) returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if auth.role() = 'service_role' then
    return;
  end if;
  if auth.jwt() is null and pg_catalog.current_setting('role') = 'none' then
    return;
  end if;
  if auth.uid() is not null and public.is_member(p_workspace_id) then
    return;
  end if;
  raise exception 'not a member of workspace %', p_workspace_id
    using errcode = 'insufficient_privilege';
end;
$$;

-- Current figures, computed the way every read must: a finished period counts as a fresh
-- one, and only unexpired 'reserved' rows count as reserved.
create function private.quota_figures(p_workspace_id uuid) returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  q public.quotas;
  v_reserved integer;
begin
  select * into q from public.quotas where workspace_id = p_workspace_id;
  if not found then
    raise exception 'workspace % has no quota', p_workspace_id
      using errcode = 'P0001';
  end if;
  if q.period_end <= pg_catalog.now() then
    q.used := 0;
    select m.period_start, m.period_end into q.period_start, q.period_end
    from private.current_month(p_workspace_id) m;
  end if;
  select coalesce(sum(r.amount), 0)::integer into v_reserved
  from public.quota_reservations r
  where r.workspace_id = p_workspace_id and r.status = 'reserved' and r.expires_at > pg_catalog.now();
  return pg_catalog.jsonb_build_object(
    'workspace_id', p_workspace_id,
    'limit', q.monthly_limit,
    'used', q.used,
    'reserved', v_reserved,
    'remaining', greatest(q.monthly_limit - q.used - v_reserved, 0),
    'period_start', q.period_start,
    'period_end', q.period_end
  );
end;
$$;

-- Locks the quota row (serializing every quota change of the workspace), rolls a finished
-- period forward, and marks stale reservations expired.
create function private.lock_quota(p_workspace_id uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform 1 from public.quotas where workspace_id = p_workspace_id for update;
  if not found then
    raise exception 'workspace % has no quota', p_workspace_id
      using errcode = 'P0001';
  end if;
  update public.quotas q
  set used = 0, period_start = m.period_start, period_end = m.period_end, updated_at = pg_catalog.now()
  from private.current_month(p_workspace_id) m
  where q.workspace_id = p_workspace_id and q.period_end <= pg_catalog.now();
  update public.quota_reservations
  set status = 'expired', settled_at = pg_catalog.now()
  where workspace_id = p_workspace_id and status = 'reserved' and expires_at <= pg_catalog.now();
end;
$$;

-- What every keyed quota RPC checks first: the caller's access, then the key.
create function private.check_quota_call(p_workspace_id uuid, p_key text) returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  perform private.assert_quota_access(p_workspace_id);
  if p_key is null or pg_catalog.char_length(p_key) not between 1 and 200 then
    raise exception 'key must be 1 to 200 characters'
      using errcode = 'invalid_parameter_value';
  end if;
end;
$$;

-- The reservation under p_key, locked after the workspace's quota (private.lock_quota);
-- null when there is none, unless p_required.
create function private.lock_reservation(p_workspace_id uuid, p_key text, p_required boolean)
returns public.quota_reservations
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.quota_reservations;
begin
  perform private.lock_quota(p_workspace_id);
  select * into r from public.quota_reservations
  where workspace_id = p_workspace_id and key = p_key
  for update;
  if not found and p_required then
    raise exception 'no quota reservation with key "%"', p_key
      using errcode = 'P0001';
  end if;
  return r;
end;
$$;

create function private.reservation_json(r public.quota_reservations) returns jsonb
language sql
stable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'reservation_id', r.id,
    'key', r.key,
    'amount', r.amount,
    'status', r.status,
    'committed_amount', r.committed_amount,
    'expires_at', r.expires_at
  )
$$;

revoke all on function private.current_month(uuid) from public;
revoke all on function private.create_workspace_quota() from public;
revoke all on function private.assert_quota_access(uuid) from public;
revoke all on function private.quota_figures(uuid) from public;
revoke all on function private.lock_quota(uuid) from public;
revoke all on function private.check_quota_call(uuid, text) from public;
revoke all on function private.lock_reservation(uuid, text, boolean) from public;
revoke all on function private.reservation_json(public.quota_reservations) from public;

-- ---------------------------------------------------------------------------------------
-- RPCs (POST /rest/v1/rpc/<name>)
-- ---------------------------------------------------------------------------------------

-- Reserves p_amount messages for p_ttl_seconds under the caller's key. Idempotent: the
-- same key returns the same reservation (an expired one is renewed if quota allows; a
-- released or committed one is reported, never re-reserved). Not enough quota is an
-- answer (granted = false with the shortfall), not an error: the caller shows it.
create function public.reserve_quota(
  p_workspace_id uuid, p_key text, p_amount integer, p_ttl_seconds integer default 900
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.quota_reservations;
  v_figures jsonb;
  v_available integer;
begin
  perform private.check_quota_call(p_workspace_id, p_key);
  if p_amount is null or p_amount < 1 or p_amount > 1000000 then
    raise exception 'amount must be between 1 and 1000000 (got %)', coalesce(p_amount::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if p_ttl_seconds is null or p_ttl_seconds < 1 or p_ttl_seconds > 604800 then
    raise exception 'ttl must be between 1 and 604800 seconds (got %)', coalesce(p_ttl_seconds::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;

  r := private.lock_reservation(p_workspace_id, p_key, false);
  v_figures := private.quota_figures(p_workspace_id);

  if r.id is not null then
    if r.amount <> p_amount then
      raise exception 'quota key "%" was already used for % messages, not %', p_key, r.amount, p_amount
        using errcode = 'invalid_parameter_value',
              hint = 'Use a new key for a different reservation.';
    end if;
    if r.status in ('reserved', 'committed') then
      return pg_catalog.jsonb_build_object('granted', true, 'replayed', true)
        || private.reservation_json(r) || v_figures;
    end if;
    if r.status = 'released' then
      return pg_catalog.jsonb_build_object(
        'granted', false, 'replayed', true, 'reason', 'released',
        'message', 'this reservation was released; use a new key'
      ) || private.reservation_json(r) || v_figures;
    end if;
    -- 'expired': renewed below, as the same reservation, if the quota allows.
  end if;

  v_available := (v_figures ->> 'remaining')::integer;
  if p_amount > v_available then
    return pg_catalog.jsonb_build_object(
      'granted', false,
      'reason', 'insufficient_quota',
      'message', pg_catalog.format('%s messages requested, %s available', p_amount, v_available),
      'key', p_key,
      'requested', p_amount,
      'available', v_available,
      'shortfall', p_amount - v_available
    ) || v_figures;
  end if;

  if r.id is not null then
    update public.quota_reservations
    set status = 'reserved',
        expires_at = pg_catalog.now() + pg_catalog.make_interval(secs => p_ttl_seconds),
        settled_at = null
    where id = r.id
    returning * into r;
  else
    insert into public.quota_reservations (workspace_id, key, amount, expires_at)
    values (p_workspace_id, p_key, p_amount, pg_catalog.now() + pg_catalog.make_interval(secs => p_ttl_seconds))
    returning * into r;
  end if;
  update public.quotas set updated_at = pg_catalog.now() where workspace_id = p_workspace_id;

  return pg_catalog.jsonb_build_object('granted', true, 'replayed', false)
    || private.reservation_json(r) || private.quota_figures(p_workspace_id);
end;
$$;

-- Commits p_used (0..amount) of a reservation: quotas.used grows by p_used and the rest
-- returns to the pool. Idempotent: committing again with the same p_used returns the same
-- result; an expired or released reservation cannot be committed.
create function public.commit_quota(p_workspace_id uuid, p_key text, p_used integer)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.quota_reservations;
  v_replayed boolean := true;
begin
  perform private.check_quota_call(p_workspace_id, p_key);
  if p_used is null or p_used < 0 then
    raise exception 'used must be 0 or more (got %)', coalesce(p_used::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;

  r := private.lock_reservation(p_workspace_id, p_key, true);

  if r.status = 'committed' then
    if r.committed_amount <> p_used then
      raise exception 'quota reservation "%" was already committed with % used, not %',
        p_key, r.committed_amount, p_used
        using errcode = 'P0001';
    end if;
  elsif r.status = 'released' then
    raise exception 'quota reservation "%" was released and cannot be committed', p_key
      using errcode = 'P0001', hint = 'Reserve again with a new key.';
  elsif r.status = 'expired' then
    raise exception 'quota reservation "%" expired at % and cannot be committed', p_key, r.expires_at
      using errcode = 'P0001', hint = 'Reserve again (the same key renews it) before committing.';
  elsif p_used > r.amount then
    raise exception 'cannot commit % messages: only % were reserved under "%"', p_used, r.amount, p_key
      using errcode = 'invalid_parameter_value';
  else
    update public.quotas
    set used = used + p_used, updated_at = pg_catalog.now()
    where workspace_id = p_workspace_id;
    update public.quota_reservations
    set status = 'committed', committed_amount = p_used, settled_at = pg_catalog.now()
    where id = r.id
    returning * into r;
    v_replayed := false;
  end if;

  return pg_catalog.jsonb_build_object(
    'committed', true, 'replayed', v_replayed, 'released_amount', r.amount - r.committed_amount
  ) || private.reservation_json(r) || private.quota_figures(p_workspace_id);
end;
$$;

-- Gives an active reservation back. Idempotent: releasing again, or releasing one that
-- already expired or was committed, changes nothing and reports its final status.
create function public.release_quota(p_workspace_id uuid, p_key text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.quota_reservations;
  v_replayed boolean := true;
begin
  perform private.check_quota_call(p_workspace_id, p_key);

  r := private.lock_reservation(p_workspace_id, p_key, true);

  if r.status = 'reserved' then
    update public.quota_reservations
    set status = 'released', settled_at = pg_catalog.now()
    where id = r.id
    returning * into r;
    update public.quotas set updated_at = pg_catalog.now() where workspace_id = p_workspace_id;
    v_replayed := false;
  end if;

  return pg_catalog.jsonb_build_object(
    'released', r.status = 'released',
    'replayed', v_replayed,
    'released_amount', case r.status
      when 'committed' then r.amount - r.committed_amount
      else r.amount
    end
  ) || private.reservation_json(r) || private.quota_figures(p_workspace_id);
end;
$$;

-- The header's figures: limit, used, active reserved, remaining and the period.
create function public.quota_status(p_workspace_id uuid) returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.assert_quota_access(p_workspace_id);
  return private.quota_figures(p_workspace_id);
end;
$$;

revoke all on function public.reserve_quota(uuid, text, integer, integer) from public, anon;
revoke all on function public.commit_quota(uuid, text, integer) from public, anon;
revoke all on function public.release_quota(uuid, text) from public, anon;
revoke all on function public.quota_status(uuid) from public, anon;
grant execute on function public.reserve_quota(uuid, text, integer, integer) to authenticated, service_role;
grant execute on function public.commit_quota(uuid, text, integer) to authenticated, service_role;
grant execute on function public.release_quota(uuid, text) to authenticated, service_role;
grant execute on function public.quota_status(uuid) to authenticated, service_role;
