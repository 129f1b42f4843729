-- A campaign launch at set speed (issue 12: "100k recipients enqueued on the server in
-- seconds"). The intake answered each command in its own chain of calls
-- (enqueue_command → enqueue_campaign_message → enqueue_message): ≈ 14 ms a message on
-- PostgreSQL under load, 32 messages/s for a 100k launch. Profile of 2,000 commands
-- (pg_stat_statements, track = all; ms per message): the campaign row updated twice per
-- message (accepted_count 1.6, the counter trigger after `set campaign_id` 1.7 + 3.3 for that
-- update), is_member twice (0.8 each), the message insert 2.2, the chat upsert and summary
-- 2.1, the outbox insert and update 0.9, the contact lookup 0.4, note_campaign_answer 0.3.
-- Each update of the one campaign row in a long transaction also lengthens the chain of
-- versions the next one walks, so a bigger batch was slower per message.
--
-- Now the commands of one campaign shaped as a launch sends them are answered together: a
-- few statements per run (judge every command, upsert the chats, insert messages with their
-- campaign, insert the held outbox rows, count them once on the campaign), with the results
-- and effects the per-row path gives. Anything else in the batch (a draft to create, a
-- campaign to launch, a refusal, a template, a plain message) still goes through
-- private.enqueue_command in the same order, so its answer and its reason are unchanged.
-- Batches keep taking their workspaces' quota locks first (private.lock_batch_quotas), so
-- concurrent batches of one workspace still run one after the other.

-- ---------------------------------------------------------------------------------------
-- Inserted campaign messages are counted once per statement, not once per row: a set insert
-- of 5,000 messages updates its campaign once (retry_campaign's insert too).
-- ---------------------------------------------------------------------------------------
create function private.count_inserted_campaign_messages() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cancel text := private.campaign_cancelled_error();
  a record;
  c public.campaigns;
begin
  -- The row trigger's deltas (private.count_campaign_message) summed per campaign, in id order.
  for a in
    select i.campaign_id,
      pg_catalog.count(*) filter (where i.status in ('queued', 'sending'))::integer as dq,
      pg_catalog.count(*) filter (where i.status in ('sent', 'delivered', 'read'))::integer as ds,
      pg_catalog.count(*) filter (where i.status in ('delivered', 'read'))::integer as dd,
      pg_catalog.count(*) filter (where i.status = 'read')::integer as dr,
      pg_catalog.count(*) filter (where i.status = 'failed' and i.error is distinct from v_cancel)::integer as df,
      pg_catalog.count(*) filter (where i.status = 'failed' and i.error is not distinct from v_cancel)::integer as dc,
      pg_catalog.count(*) filter (where i.replied_at is not null)::integer as dre,
      coalesce(pg_catalog.bool_or(i.status <> 'queued'
        and (i.status in ('sending', 'sent', 'delivered', 'read', 'failed') or i.replied_at is not null)), false) as moved
    from inserted i
    where i.campaign_id is not null
    group by i.campaign_id
    order by i.campaign_id
  loop
    if a.dq = 0 and a.ds = 0 and a.df = 0 and a.dc = 0 and a.dre = 0 then
      continue;
    end if;
    update public.campaigns cc
    set queued_count = cc.queued_count + a.dq,
        sent_count = cc.sent_count + a.ds,
        delivered_count = cc.delivered_count + a.dd,
        read_count = cc.read_count + a.dr,
        failed_count = cc.failed_count + a.df,
        cancelled_count = cc.cancelled_count + a.dc,
        replied_count = cc.replied_count + a.dre,
        status = case when cc.status = 'scheduled' and a.moved then 'running' else cc.status end
    where cc.id = a.campaign_id
    returning * into c;
    if c.queued_count = 0 and c.completed_at is null and c.status in ('scheduled', 'running', 'cancelled') then
      perform private.settle_campaign(c.id);
    end if;
  end loop;
  return null;
end;
$$;
revoke all on function private.count_inserted_campaign_messages() from public;

drop trigger count_campaign_message_insert on public.messages;
create trigger count_campaign_messages_inserted after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.count_inserted_campaign_messages();

-- ---------------------------------------------------------------------------------------
-- The set path
-- ---------------------------------------------------------------------------------------

-- A command the set path may answer: a campaign's, shaped as src/domain/campaign-commands.ts
-- sends them (no draft, no template), every field the per-row checks read well formed.
-- Anything else is the per-row path's, which names what is wrong.
create function private.bulk_campaign_command(p_cmd jsonb) returns boolean
language sql
stable
set search_path = ''
as $$
  select pg_catalog.jsonb_typeof(p_cmd) = 'object' and p_cmd ? 'campaign_id'
    and not p_cmd ? 'campaign' and not p_cmd ? 'template'
    and private.is_uuid(p_cmd -> 'message_id') and private.is_uuid(p_cmd -> 'campaign_id')
    and private.is_uuid(p_cmd -> 'contact_id') and private.is_uuid(p_cmd -> 'channel_id')
    and pg_catalog.jsonb_typeof(p_cmd -> 'to') = 'string' and (p_cmd ->> 'to') ~ '^\+[1-9][0-9]{6,14}$'
    and pg_catalog.jsonb_typeof(p_cmd -> 'body') = 'string'
    and pg_catalog.char_length(p_cmd ->> 'body') between 1 and 4096
    and (not p_cmd ? 'contact_name' or (pg_catalog.jsonb_typeof(p_cmd -> 'contact_name') = 'string'
      and pg_catalog.char_length(p_cmd ->> 'contact_name') <= 200))
    and private.campaign_time_readable(p_cmd)
$$;
revoke all on function private.bulk_campaign_command(jsonb) from public;

-- Answers the longest prefix of a run of one campaign's bulk commands (in intake order) that
-- the per-row path would answer as a duplicate or accept, with its results and effects:
-- contacts written first (rule 1 of 20261203120000_campaign_launch_order.sql), then, under
-- the campaign's lock, each command judged once, chats upserted, messages inserted with their
-- campaign, held outbox rows, the campaign's count, its refusals, and its start when the
-- last recipient is in. Returns the prefix's results; the command after it needs the per-row
-- path (a refusal, a launch, a campaign that started, a repeat within the batch).
create function private.enqueue_campaign_run(p_campaign_id uuid, p_run jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_mine uuid[] := public.my_workspace_ids();
  c public.campaigns;
  v_channel public.channels;
  v_refused integer;
  v_results jsonb;
  v_ids uuid[];
  v_chats uuid[];
  v_contacts uuid[];
  v_phones text[];
  v_bodies text[];
  v_times timestamptz[];
  v_last jsonb;
  v_added uuid[];
begin
  perform private.ensure_command_contact(r.value) from pg_catalog.jsonb_array_elements(p_run) r;
  c := private.campaign_for_update(p_campaign_id);
  select * into v_channel from public.channels ch
  where ch.id = c.channel_id and not ch._deleted and ch.workspace_id = any (v_mine);
  select pg_catalog.count(*)::integer into v_refused from private.campaign_refusals r where r.campaign_id = c.id;

  with cmd as (
    select r.ordinality as n, r.value as cmd, (r.value ->> 'message_id')::uuid as id,
      (r.value ->> 'contact_id')::uuid as contact_id, r.value ->> 'to' as phone
    from pg_catalog.jsonb_array_elements(p_run) with ordinality r
  ), judged as (
    select cmd.*,
      case
        -- A replay: answered before anything about the campaign (private.enqueue_campaign_message).
        when m.id is not null then case when m.workspace_id = any (v_mine) then 'duplicate' end
        -- A second command for the same message or phone in this run: the per-row path's.
        when pg_catalog.count(*) over (partition by cmd.id order by cmd.n) > 1
          or pg_catalog.count(*) over (partition by cmd.phone order by cmd.n) > 1 then null
        when c.status = 'launching' and not c._deleted and c.workspace_id = any (v_mine)
          and pg_catalog.lower(cmd.cmd ->> 'channel_id') = c.channel_id::text
          and v_channel.id is not null
          and cmd.id = private.campaign_message_id(c.id, cmd.contact_id)
          and ct.phone = cmd.phone and not ct.opted_out
          then 'queued'
      end as answer,
      f.message_id is not null as was_refused
    from cmd
    left join public.messages m on m.id = cmd.id
    left join public.contacts ct
      on ct.id = cmd.contact_id and ct.workspace_id = v_channel.workspace_id and not ct._deleted
    left join private.campaign_refusals f on f.message_id = cmd.id
  ), counted as (
    -- Still launching before this command: the accepted and refused so far, plus the fresh
    -- recipients accepted before it in this run, fall short of the recipient count.
    select j.*,
      c.accepted_count + v_refused + pg_catalog.count(*) filter (where j.answer = 'queued' and not j.was_refused)
        over (order by j.n rows between unbounded preceding and 1 preceding) < c.recipient_count as launching
    from judged j
  ), prefix as (
    select k.*, pg_catalog.bool_and(coalesce(k.answer = 'duplicate' or (k.answer = 'queued' and k.launching), false))
      over (order by k.n) as taken
    from counted k
  )
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('n', p.n, 'id', p.id, 'answer', p.answer,
      'cmd', p.cmd) order by p.n) filter (where p.taken), '[]'),
    pg_catalog.array_agg(p.id order by p.n) filter (where p.taken and p.answer = 'queued'),
    pg_catalog.array_agg(private.chat_id(v_channel.id, private.wa_chat_id(p.phone)) order by p.n)
      filter (where p.taken and p.answer = 'queued'),
    pg_catalog.array_agg(p.contact_id order by p.n) filter (where p.taken and p.answer = 'queued'),
    pg_catalog.array_agg(p.phone order by p.n) filter (where p.taken and p.answer = 'queued'),
    pg_catalog.array_agg(p.cmd ->> 'body' order by p.n) filter (where p.taken and p.answer = 'queued'),
    pg_catalog.array_agg((p.cmd ->> 'scheduled_at')::timestamptz order by p.n) filter (where p.taken and p.answer = 'queued')
  into v_results, v_ids, v_chats, v_contacts, v_phones, v_bodies, v_times
  from prefix p;

  if v_ids is not null then
    -- private.upsert_chat for each, in one statement.
    insert into public.chats as ch (id, workspace_id, channel_id, wa_chat_id, contact_id, last_message_at)
    select t.chat_id, v_channel.workspace_id, v_channel.id, private.wa_chat_id(t.phone), t.contact_id, pg_catalog.now()
    from rows from (pg_catalog.unnest(v_chats), pg_catalog.unnest(v_phones), pg_catalog.unnest(v_contacts)) t (chat_id, phone, contact_id)
    on conflict (id) do update
      set last_message_at = coalesce(excluded.last_message_at, ch.last_message_at),
          contact_id = coalesce(ch.contact_id, excluded.contact_id);
    -- A concurrent request with the same id may have won since the check above: a duplicate.
    with added as (
      insert into public.messages (id, workspace_id, channel_id, chat_id, contact_id, direction, phone, body,
        campaign_id, campaign_round)
      select t.id, v_channel.workspace_id, v_channel.id, t.chat_id, t.contact_id, 'out', t.phone, t.body, c.id, c.retry_round
      from rows from (pg_catalog.unnest(v_ids), pg_catalog.unnest(v_chats), pg_catalog.unnest(v_contacts), pg_catalog.unnest(v_phones), pg_catalog.unnest(v_bodies)) t (id, chat_id, contact_id, phone, body)
      on conflict (id) do nothing
      returning id
    )
    select pg_catalog.array_agg(a.id) into v_added from added a;
    v_added := coalesce(v_added, '{}');
    -- Held until the campaign starts: a launch cut short sends nothing.
    insert into public.outbox_messages (message_id, workspace_id, channel_id, campaign_id, scheduled_at, status)
    select t.id, v_channel.workspace_id, v_channel.id, c.id, t.at, 'paused'
    from rows from (pg_catalog.unnest(v_ids), pg_catalog.unnest(v_times)) t (id, at)
    where t.id = any (v_added);
    update public.campaigns cc set accepted_count = cc.accepted_count + pg_catalog.cardinality(v_added)
    where cc.id = c.id;
    -- Rule 2 of 20261203120000_campaign_launch_order.sql: an accepted command is no longer a
    -- refusal, and the campaign's reason and start follow what is left.
    if v_refused > 0 then
      delete from private.campaign_refusals f where f.message_id = any (v_added);
      select p.value -> 'cmd' into v_last from pg_catalog.jsonb_array_elements(v_results) p
      where (p.value ->> 'id')::uuid = any (v_added) order by (p.value ->> 'n')::integer desc limit 1;
      if exists (select 1 from private.campaign_refusals f where f.campaign_id = c.id) then
        perform private.note_campaign_answer(v_last, pg_catalog.jsonb_build_object('status', 'queued'));
      else
        update public.campaigns cc set blocked_reason = null where cc.id = c.id;
      end if;
    end if;
    if exists (
      select 1 from public.campaigns cc
      where cc.id = c.id and cc.status = 'launching' and cc.accepted_count + (
        select pg_catalog.count(*) from private.campaign_refusals f where f.campaign_id = c.id) >= cc.recipient_count
    ) then
      perform private.start_campaign(c.id);
    end if;
  end if;

  return (
    select coalesce(pg_catalog.jsonb_agg(private.intake_result((p.value ->> 'id')::uuid,
      case when p.value ->> 'answer' = 'queued' and not (p.value ->> 'id')::uuid = any (coalesce(v_added, '{}'))
        then 'duplicate' else p.value ->> 'answer' end) order by (p.value ->> 'n')::integer), '[]')
    from pg_catalog.jsonb_array_elements(v_results) p
  );
end;
$$;
revoke all on function private.enqueue_campaign_run(uuid, jsonb) from public;

-- A run of one campaign's bulk commands, in intake order: the set path answers what it can,
-- the per-row path the command after that, and so on. Results in the run's order.
create function private.enqueue_campaign_commands(p_run jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_results jsonb := '[]';
  v_answered jsonb;
  v_done integer := 0;
  v_total integer := pg_catalog.jsonb_array_length(p_run);
begin
  while v_done < v_total loop
    v_answered := private.enqueue_campaign_run((p_run -> v_done ->> 'campaign_id')::uuid,
      (select pg_catalog.jsonb_agg(r.value order by r.ordinality)
       from pg_catalog.jsonb_array_elements(p_run) with ordinality r where r.ordinality > v_done));
    v_results := v_results || v_answered;
    v_done := v_done + pg_catalog.jsonb_array_length(v_answered);
    if v_done < v_total then
      v_results := v_results || pg_catalog.jsonb_build_array(private.enqueue_command(p_run -> v_done));
      v_done := v_done + 1;
    end if;
  end loop;
  return v_results;
end;
$$;
revoke all on function private.enqueue_campaign_commands(jsonb) from public;

-- What a batch must be before any command is looked at (the checks of
-- 20261203120100_quota_server_owned.sql's enqueue_messages, now a helper of their own).
create function private.check_intake_batch(p_commands jsonb) returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception 'enqueue_messages needs a signed-in user'
      using errcode = 'insufficient_privilege';
  end if;
  if pg_catalog.jsonb_typeof(p_commands) is distinct from 'array' then
    raise exception 'commands must be a JSON array'
      using errcode = 'invalid_parameter_value';
  end if;
  if pg_catalog.jsonb_array_length(p_commands) not between 1 and 500 then
    raise exception 'a batch holds 1 to 500 commands, got %', pg_catalog.jsonb_array_length(p_commands)
      using errcode = 'invalid_parameter_value';
  end if;
end;
$$;
revoke all on function private.check_intake_batch(jsonb) from public;

-- One command by the per-row path (as 20261203120100_quota_server_owned.sql's loop did): a
-- plain message counts as used when accepted, or is refused when the quota has nothing left.
create function private.enqueue_single_command(p_cmd jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_workspace uuid := private.plain_command_workspace(p_cmd);
  v_refusal text;
  v_result jsonb;
begin
  v_refusal := case when v_workspace is null then null else private.plain_message_quota_refusal(v_workspace) end;
  if v_refusal is not null then
    return private.intake_result((p_cmd ->> 'message_id')::uuid, 'rejected', v_refusal);
  end if;
  v_result := private.enqueue_command(p_cmd);
  if v_workspace is not null and v_result ->> 'status' = 'queued' then
    update public.quotas q set used = q.used + 1, updated_at = pg_catalog.now()
    where q.workspace_id = v_workspace;
  end if;
  return v_result;
end;
$$;
revoke all on function private.enqueue_single_command(jsonb) from public;

-- The batch intake (replaces 20261203120100_quota_server_owned.sql's): quotas locked first,
-- then the commands in one global order (campaign, chat, then message), so two batches
-- touching the same rows or replaying the same ids wait for each other instead of
-- deadlocking; within a campaign, the command carrying its draft goes first (it may create
-- the campaign). Consecutive bulk commands of one campaign are answered together
-- (private.enqueue_campaign_commands), any other command alone.
create or replace function public.enqueue_messages(p_commands jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cmd record;
  v_results jsonb[] := '{}';
  v_run jsonb := '[]';
  v_run_at integer[] := '{}';
  v_answers jsonb;
begin
  perform private.check_intake_batch(p_commands);
  perform private.lock_batch_quotas(p_commands);
  -- A null row after the commands closes the last run.
  for v_cmd in
    select o.value, o.ordinality, private.bulk_campaign_command(o.value) as bulk
    from (
      select c.value, c.ordinality
      from pg_catalog.jsonb_array_elements(p_commands) with ordinality c
      order by c.value ->> 'campaign_id', pg_catalog.jsonb_typeof(c.value) = 'object' and c.value ? 'campaign' desc,
        c.value ->> 'channel_id', c.value ->> 'to', c.value ->> 'message_id', c.ordinality
    ) o
    union all
    select null, null, false
  loop
    if pg_catalog.jsonb_array_length(v_run) > 0 and (case when v_cmd.bulk
        then (v_cmd.value ->> 'campaign_id')::uuid <> (v_run -> 0 ->> 'campaign_id')::uuid else true end) then
      v_answers := private.enqueue_campaign_commands(v_run);
      for i in 1 .. pg_catalog.array_length(v_run_at, 1) loop
        v_results[v_run_at[i]] := v_answers -> (i - 1);
      end loop;
      v_run := '[]';
      v_run_at := '{}';
    end if;
    if v_cmd.ordinality is null then
      exit;
    end if;
    if v_cmd.bulk then
      v_run := v_run || pg_catalog.jsonb_build_array(v_cmd.value);
      v_run_at := v_run_at || v_cmd.ordinality::integer;
    else
      v_results[v_cmd.ordinality] := private.enqueue_single_command(v_cmd.value);
    end if;
  end loop;
  return pg_catalog.jsonb_build_object('results', pg_catalog.to_jsonb(v_results));
end;
$$;
