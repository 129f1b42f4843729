-- Templates from Meta (issue 13): "sync templates" (supabase/functions/channels) copies a
-- WABA's message templates into Pigeon's templates, marked as provider templates of the
-- channel, with Meta's review status; and the outbox intake sends a message as an approved
-- template (required for Meta outside the 24-hour window) when its command names one.

alter table public.templates
  -- 'meta' for a template synced from a WABA; null for Pigeon's own.
  add column provider text check (provider = 'meta'),
  add column channel_id uuid,
  add column provider_template_id text check (char_length(provider_template_id) <= 200),
  -- Meta's review status: APPROVED, PENDING, REJECTED (with rejected_reason), PAUSED, DISABLED…
  add column provider_status text check (char_length(provider_status) <= 40),
  add column rejected_reason text check (char_length(rejected_reason) <= 1000),
  -- Meta's components (HEADER, BODY, FOOTER, BUTTONS) as listed; body holds BODY's text.
  add column components jsonb check (jsonb_typeof(components) = 'array' and octet_length(components::text) <= 32768),
  add constraint templates_channel_fkey foreign key (channel_id, workspace_id)
    references public.channels (id, workspace_id) on delete cascade,
  add constraint templates_provider_channel check ((provider is null) = (channel_id is null));
create index templates_channel_idx on public.templates (channel_id) where channel_id is not null;

-- A provider template is Meta's: members read it, and only a sync changes it.
create or replace function private.guard_provider_template() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  if (tg_op = 'INSERT' and (new.provider is not null or new.channel_id is not null))
     or (tg_op = 'UPDATE' and (old.provider is not null
         or new.provider is distinct from old.provider or new.channel_id is distinct from old.channel_id)
         and (new.name, new.body, new.language, new.category, new.provider, new.channel_id, new.provider_template_id,
              new.provider_status, new.rejected_reason, new.components, new._deleted)
             is distinct from (old.name, old.body, old.language, old.category, old.provider, old.channel_id,
              old.provider_template_id, old.provider_status, old.rejected_reason, old.components, old._deleted)) then
    raise exception 'templates from Meta are changed by a template sync only'
      using errcode = 'insufficient_privilege',
            hint = 'Edit the template in WhatsApp Manager, then sync the channel''s templates.';
  end if;
  return new;
end;
$$;
revoke all on function private.guard_provider_template() from public;

create trigger guard_provider_template before insert or update on public.templates
  for each row execute function private.guard_provider_template();

-- The number of {{n}} parameters of a template text (the highest n).
create or replace function private.template_parameter_count(p_text text) returns integer
language sql
immutable
set search_path = ''
as $$
  select coalesce(max(m[1]::integer), 0)
  from pg_catalog.regexp_matches(coalesce(p_text, ''), '\{\{\s*([0-9]{1,3})\s*\}\}', 'g') m
$$;
revoke all on function private.template_parameter_count(text) from public;

-- The text of a template's component of this type (HEADER of format TEXT, BODY).
create or replace function private.template_component_text(p_components jsonb, p_type text) returns text
language sql
immutable
set search_path = ''
as $$
  select c ->> 'text' from pg_catalog.jsonb_array_elements(coalesce(p_components, '[]')) c
  where pg_catalog.upper(c ->> 'type') = p_type and (p_type <> 'HEADER' or pg_catalog.upper(c ->> 'format') = 'TEXT')
  limit 1
$$;
revoke all on function private.template_component_text(jsonb, text) from public;

-- ---------------------------------------------------------------------------------------
-- sync_provider_templates(channel, templates): the WABA's templates as GET
-- /{waba-id}/message_templates lists them ([{id, name, language, category, status,
-- rejected_reason, components}]) become the channel's provider templates, one row per name
-- and language (id derived from channel, name and language); templates no longer listed are
-- soft-deleted. Templates Pigeon cannot store (no BODY text, a category it does not know)
-- are skipped and counted.
-- ---------------------------------------------------------------------------------------
create function public.sync_provider_templates(p_channel_id uuid, p_templates jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_channel public.channels;
  v_now text := pg_catalog.to_char(pg_catalog.now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  v_kept uuid[] := '{}';
  v_skipped integer := 0;
  v_removed integer;
  t jsonb;
  v_id uuid;
  v_body text;
  v_category text;
begin
  select * into v_channel from public.channels c where c.id = p_channel_id and not c._deleted;
  if not found or v_channel.provider <> 'meta' then
    raise exception 'channel % is not a Meta channel', p_channel_id using errcode = 'invalid_parameter_value';
  end if;
  if pg_catalog.jsonb_typeof(p_templates) is distinct from 'array' then
    raise exception 'templates must be a JSON array' using errcode = 'invalid_parameter_value';
  end if;
  for t in select e.value from pg_catalog.jsonb_array_elements(p_templates) e loop
    v_body := private.template_component_text(t -> 'components', 'BODY');
    v_category := pg_catalog.lower(t ->> 'category');
    if v_body is null or pg_catalog.char_length(v_body) not between 1 and 4096
       or v_category is null or v_category not in ('marketing', 'utility', 'authentication')
       or pg_catalog.char_length(t ->> 'name') not between 1 and 200
       or (t ->> 'language') !~ '^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$'
       or pg_catalog.jsonb_typeof(t -> 'components') is distinct from 'array' then
      v_skipped := v_skipped + 1;
      continue;
    end if;
    v_id := extensions.uuid_generate_v5('b7c6b1f2-1d8e-4f7a-9a55-3c1f0e2d9b41'::uuid,
      v_channel.id::text || ':' || (t ->> 'name') || ':' || (t ->> 'language'));
    continue when v_id = any (v_kept);
    v_kept := v_kept || v_id;
    insert into public.templates as tp (id, workspace_id, name, body, language, category, provider, channel_id,
      provider_template_id, provider_status, rejected_reason, components, updated_at)
    values (v_id, v_channel.workspace_id, t ->> 'name', v_body, t ->> 'language', v_category, 'meta', v_channel.id,
      pg_catalog.left(t ->> 'id', 200), pg_catalog.left(pg_catalog.upper(t ->> 'status'), 40),
      pg_catalog.left(nullif(t ->> 'rejected_reason', 'NONE'), 1000), t -> 'components', v_now)
    on conflict (id) do update
      set body = excluded.body, category = excluded.category, provider_template_id = excluded.provider_template_id,
          provider_status = excluded.provider_status, rejected_reason = excluded.rejected_reason,
          components = excluded.components, updated_at = excluded.updated_at, _deleted = false
      where (tp.body, tp.category, tp.provider_template_id, tp.provider_status, tp.rejected_reason, tp.components,
             tp._deleted)
        is distinct from (excluded.body, excluded.category, excluded.provider_template_id, excluded.provider_status,
             excluded.rejected_reason, excluded.components, false);
  end loop;

  update public.templates tp set _deleted = true, updated_at = v_now
  where tp.channel_id = v_channel.id and not tp._deleted and not (tp.id = any (v_kept));
  get diagnostics v_removed = row_count;
  update public.channels c set templates_synced_at = pg_catalog.now() where c.id = v_channel.id;

  return (
    select pg_catalog.jsonb_build_object(
      'templates', pg_catalog.count(*),
      'approved', pg_catalog.count(*) filter (where tp.provider_status = 'APPROVED'),
      'pending', pg_catalog.count(*) filter (where tp.provider_status = 'PENDING'),
      'rejected', pg_catalog.count(*) filter (where tp.provider_status = 'REJECTED'),
      'removed', v_removed,
      'skipped', v_skipped)
    from public.templates tp where tp.channel_id = v_channel.id and not tp._deleted
  );
end;
$$;
revoke all on function public.sync_provider_templates(uuid, jsonb) from public, anon, authenticated;
grant execute on function public.sync_provider_templates(uuid, jsonb) to service_role;

-- ---------------------------------------------------------------------------------------
-- A send command naming a template: {…, template: {id, body_parameters?: [text],
-- header_parameters?: [text]}}. The template must be an approved provider template of the
-- command's channel, and the parameters fill its {{1}}…{{n}} exactly. Returns the Cloud API
-- template object and the body rendered for people, or {error}.
-- ---------------------------------------------------------------------------------------
create or replace function private.template_message(p_cmd jsonb) returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_spec jsonb := p_cmd -> 'template';
  v_tpl public.templates;
  v_body text;
  v_components jsonb := '[]';
  v_part record;
  v_params jsonb;
  v_count integer;
  i integer;
begin
  if pg_catalog.jsonb_typeof(v_spec) is distinct from 'object'
     or pg_catalog.jsonb_typeof(v_spec -> 'id') is distinct from 'string'
     or (v_spec ->> 'id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return pg_catalog.jsonb_build_object('error', 'template must be {id, body_parameters?, header_parameters?} with a template uuid');
  end if;
  select * into v_tpl from public.templates t
  where t.id = (v_spec ->> 'id')::uuid and t.channel_id::text = pg_catalog.lower(p_cmd ->> 'channel_id')
    and not t._deleted and public.is_member(t.workspace_id);
  if not found or v_tpl.provider_status is distinct from 'APPROVED' then
    return pg_catalog.jsonb_build_object('error', pg_catalog.format(
      'template %s is not an approved template of channel %s: sync the channel''s templates and pick an approved one',
      v_spec ->> 'id', p_cmd ->> 'channel_id'));
  end if;
  v_body := v_tpl.body;
  for v_part in
    select * from (values
      ('header', 'header_parameters', private.template_component_text(v_tpl.components, 'HEADER')),
      ('body', 'body_parameters', v_tpl.body)) as p (kind, param_key, part_text)
  loop
    v_params := coalesce(v_spec -> v_part.param_key, '[]');
    v_count := private.template_parameter_count(v_part.part_text);
    if pg_catalog.jsonb_typeof(v_params) <> 'array' or pg_catalog.jsonb_array_length(v_params) <> v_count
       or exists (select 1 from pg_catalog.jsonb_array_elements(v_params) p
                  where pg_catalog.jsonb_typeof(p) <> 'string' or pg_catalog.char_length(p #>> '{}') not between 1 and 1024) then
      return pg_catalog.jsonb_build_object('error', pg_catalog.format(
        'template "%s" needs %s %s parameter(s), each 1 to 1024 characters', v_tpl.name, v_count, v_part.kind));
    end if;
    continue when v_count = 0;
    v_components := v_components || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('type', v_part.kind,
      'parameters', (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('type', 'text', 'text', p #>> '{}'))
                     from pg_catalog.jsonb_array_elements(v_params) p)));
    if v_part.kind = 'body' then
      for i in 1 .. v_count loop
        v_body := pg_catalog.regexp_replace(v_body, '\{\{\s*' || i || '\s*\}\}', pg_catalog.replace(v_params ->> (i - 1), '\', '\\'), 'g');
      end loop;
    end if;
  end loop;
  return pg_catalog.jsonb_build_object(
    'body', v_body,
    'template', pg_catalog.jsonb_build_object('name', v_tpl.name, 'language', pg_catalog.jsonb_build_object('code', v_tpl.language))
      || case when pg_catalog.jsonb_array_length(v_components) > 0
              then pg_catalog.jsonb_build_object('components', v_components) else '{}' end);
end;
$$;
revoke all on function private.template_message(jsonb) from public;

-- One command of a batch (replaces 20261123003000_campaigns.sql's): a command naming a
-- template is checked and rendered here, then written like any other (a campaign's or a
-- plain one), and its message keeps the template the processor sends. A replay skips the
-- check: the message exists and the intake answers duplicate.
create or replace function private.enqueue_command(p_cmd jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_template jsonb;
  v_result jsonb;
begin
  if pg_catalog.jsonb_typeof(p_cmd) = 'object' and p_cmd ? 'template' then
    if (p_cmd ->> 'message_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
       and not exists (select 1 from public.messages m where m.id = (p_cmd ->> 'message_id')::uuid) then
      v_template := private.template_message(p_cmd);
      if v_template ? 'error' then
        return pg_catalog.jsonb_build_object('message_id', p_cmd -> 'message_id', 'status', 'rejected',
          'error', v_template ->> 'error');
      end if;
      p_cmd := p_cmd || pg_catalog.jsonb_build_object('body', v_template ->> 'body');
    end if;
    p_cmd := p_cmd - 'template';
  end if;
  v_result := case when pg_catalog.jsonb_typeof(p_cmd) = 'object' and p_cmd ? 'campaign_id'
    then private.enqueue_campaign_message(p_cmd)
    else private.enqueue_message(p_cmd)
  end;
  if v_template is not null and v_result ->> 'status' = 'queued' then
    update public.messages m set template = v_template -> 'template' where m.id = (v_result ->> 'message_id')::uuid;
  end if;
  return v_result;
end;
$$;

-- The batch intake dispatches each command through enqueue_command (templates first).
create or replace function public.enqueue_messages(p_commands jsonb) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cmd record;
  v_results jsonb[] := '{}';
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
  -- Rows are locked in one global order (campaign, chat, then message), so two batches
  -- touching the same rows or replaying the same ids wait for each other instead of
  -- deadlocking. Within a campaign, the command carrying its draft goes first: it may create
  -- the campaign.
  for v_cmd in
    select c.value, c.ordinality
    from pg_catalog.jsonb_array_elements(p_commands) with ordinality c
    order by c.value ->> 'campaign_id', pg_catalog.jsonb_typeof(c.value) = 'object' and c.value ? 'campaign' desc,
      c.value ->> 'channel_id', c.value ->> 'to', c.value ->> 'message_id', c.ordinality
  loop
    v_results[v_cmd.ordinality] := private.enqueue_command(v_cmd.value);
  end loop;
  return pg_catalog.jsonb_build_object('results', pg_catalog.to_jsonb(v_results));
end;
$$;
