-- Free text on a Meta channel (issue 13). The client offers only templates where Meta
-- delivers nothing else, but the server took a plain-text command anyway: a campaign on a
-- Meta channel without its template, or a message to someone who has not written in the
-- last 24 hours, went to Meta and came back as error 131047 (or, for a campaign, reached
-- people who never wrote first as free text). The intake now refuses such a command with the
-- reason, like any other refusal (a campaign counts it as refused). A replay of a message
-- that already exists still answers duplicate. Whapi and the simulator have no window.

-- Why a command may not go as free text, or null. Checks only commands the per-row path
-- would otherwise judge: an object without a template, for a channel of the caller's
-- workspace, whose message does not exist yet (other cases get their own answers there).
create function private.meta_text_refusal(p_cmd jsonb) returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_channel public.channels;
begin
  if pg_catalog.jsonb_typeof(p_cmd) is distinct from 'object' or p_cmd ? 'template'
     or not private.is_uuid(p_cmd -> 'channel_id') or not private.is_uuid(p_cmd -> 'message_id') then
    return null;
  end if;
  select * into v_channel from public.channels c
  where c.id = (p_cmd ->> 'channel_id')::uuid and c.provider = 'meta' and public.is_member(c.workspace_id);
  if not found or exists (select 1 from public.messages m where m.id = (p_cmd ->> 'message_id')::uuid) then
    return null;
  end if;
  if p_cmd ? 'campaign_id' then
    return pg_catalog.format(
      'channel %s is a Meta (WhatsApp Cloud API) channel: a campaign on it sends an approved template, not free text; choose the template in the campaign',
      v_channel.id);
  end if;
  if pg_catalog.jsonb_typeof(p_cmd -> 'to') = 'string' and (p_cmd ->> 'to') ~ '^\+[1-9][0-9]{6,14}$'
     and exists (
       select 1 from public.chats ch
       where ch.id = private.chat_id(v_channel.id, private.wa_chat_id(p_cmd ->> 'to'))
         and ch.last_inbound_at > pg_catalog.now() - interval '24 hours') then
    return null;
  end if;
  return pg_catalog.format(
    'the customer has not written to channel %s in the last 24 hours: Meta delivers only an approved template outside that window; send a template',
    v_channel.id);
end;
$$;
revoke all on function private.meta_text_refusal(jsonb) from public, anon, authenticated;

-- enqueue_command (20261203120000_campaign_launch_order.sql) with that check first after the
-- contact; the rest unchanged, restated in full.
create or replace function private.enqueue_command(p_cmd jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_template jsonb;
  v_result jsonb;
  v_reject text;
begin
  v_reject := private.ensure_command_contact(p_cmd);
  if v_reject is not null then
    return pg_catalog.jsonb_build_object('message_id', p_cmd -> 'message_id', 'status', 'rejected', 'error', v_reject);
  end if;
  if pg_catalog.jsonb_typeof(p_cmd) = 'object' then
    p_cmd := p_cmd - 'contact_name';
  end if;
  -- Free text where Meta delivers only a template: refused here, not at the provider.
  v_reject := private.meta_text_refusal(p_cmd);
  if v_reject is not null then
    v_result := pg_catalog.jsonb_build_object('message_id', p_cmd -> 'message_id', 'status', 'rejected', 'error', v_reject);
  elsif pg_catalog.jsonb_typeof(p_cmd) = 'object' and p_cmd ? 'template' then
    if (p_cmd ->> 'message_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
       and not exists (select 1 from public.messages m where m.id = (p_cmd ->> 'message_id')::uuid) then
      v_template := private.template_message(p_cmd);
      if v_template ? 'error' then
        v_result := pg_catalog.jsonb_build_object('message_id', p_cmd -> 'message_id', 'status', 'rejected',
          'error', v_template ->> 'error');
      else
        p_cmd := p_cmd || pg_catalog.jsonb_build_object('body', v_template ->> 'body');
      end if;
    end if;
    p_cmd := p_cmd - 'template';
  end if;
  if v_result is null then
    v_result := case when pg_catalog.jsonb_typeof(p_cmd) = 'object' and p_cmd ? 'campaign_id'
      then private.enqueue_campaign_message(p_cmd)
      else private.enqueue_message(p_cmd)
    end;
  end if;
  if v_template is not null and not v_template ? 'error' and v_result ->> 'status' = 'queued' then
    update public.messages m set template = v_template -> 'template' where m.id = (v_result ->> 'message_id')::uuid;
  end if;
  if pg_catalog.jsonb_typeof(p_cmd) = 'object' and p_cmd ? 'campaign_id' then
    perform private.note_campaign_answer(p_cmd, v_result);
  end if;
  return v_result;
end;
$$;

-- bulk_campaign_command (20261204110000_campaign_intake_sets.sql): a command the refusal
-- applies to takes the per-row path, which answers it; the rest unchanged.
create or replace function private.bulk_campaign_command(p_cmd jsonb) returns boolean
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
    and private.meta_text_refusal(p_cmd) is null
$$;

