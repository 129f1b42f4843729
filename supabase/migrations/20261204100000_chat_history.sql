-- =======================================================================================
-- The inbox's history on demand (issue 14): a conversation's older messages, a page at a
-- time, for a device whose first sync has not pulled them yet (a new device opening a chat
-- while 500,000 messages fill in), and the number of chats a workspace has, so a new device
-- can say how far its first sync got ("Loading conversations: 4,200 of 10,000").
--
-- Both are SECURITY INVOKER: the caller's own RLS on messages and chats decides what they
-- read (a member of another workspace gets an empty page and a count of 0). The pages are
-- shown, not stored: the local database keeps what replication pulled and its checkpoint.
-- =======================================================================================

-- ---------------------------------------------------------------------------------------
-- chat_history: up to p_limit messages of a chat, newest first, strictly before the cursor
-- (created_at, id) of the oldest message the caller already shows; from the newest without
-- a cursor. Rows as pull_rows gives them, so the client reads them the same way.
-- ---------------------------------------------------------------------------------------
create function public.chat_history(
  p_chat_id uuid,
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit integer default 50
) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_chat_id is null then
    raise exception 'p_chat_id is required' using errcode = 'invalid_parameter_value';
  end if;
  if p_limit is null or p_limit < 1 or p_limit > 200 then
    raise exception 'p_limit must be between 1 and 200, got %', p_limit
      using errcode = 'invalid_parameter_value';
  end if;
  if (p_before_at is null) <> (p_before_id is null) then
    raise exception 'p_before_at and p_before_id are given together or not at all'
      using errcode = 'invalid_parameter_value';
  end if;
  -- messages_chat_created_idx (chat_id, created_at) bounds the scan.
  return (
    select coalesce(jsonb_agg(to_jsonb(t) order by t.created_at desc, t.id desc), '[]'::jsonb)
    from (
      select m.* from public.messages m
      where m.chat_id = p_chat_id
        and not m._deleted
        and (p_before_at is null or (m.created_at, m.id) < (p_before_at, p_before_id))
      order by m.created_at desc, m.id desc
      limit p_limit
    ) t
  );
end;
$$;
revoke all on function public.chat_history(uuid, timestamptz, uuid, integer) from public, anon;
grant execute on function public.chat_history(uuid, timestamptz, uuid, integer) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- chat_count: how many visible chats a workspace has (what a new device's first sync fills).
-- ---------------------------------------------------------------------------------------
create function public.chat_count(p_workspace_id uuid) returns integer
language sql
stable
set search_path = ''
as $$
  select pg_catalog.count(*)::integer from public.chats c
  where c.workspace_id = p_workspace_id and not c._deleted
$$;
revoke all on function public.chat_count(uuid) from public, anon;
grant execute on function public.chat_count(uuid) to authenticated, service_role;
