-- Campaigns on a Meta channel send Meta template messages (issue 13), not rendered text.
--
-- The campaign editor maps Pigeon variables to the template's {{n}}: template_parameters
-- holds one Pigeon template text per header and body parameter ({"header": [...], "body":
-- [...]}, e.g. "{{first_name|there}}"). The client renders them per recipient at launch and
-- each command carries {template: {id, header_parameters, body_parameters}}, which the
-- intake checks and renders (private.enqueue_command, 20261203120000) like a conversation's
-- template. Set before launch only (guard_campaign: a launch fixes every field but the name).
--
-- A retry round's message is a copy of the failed one (retry_campaign): it now keeps the
-- template the failed message was sent as, so a retried Meta template is again a template.

-- Shape of template_parameters: null, or both lists of non-blank texts of at most 1024
-- characters (Meta's limit for a parameter), at most 20 header and 100 body values.
create function private.campaign_template_parameters_ok(p jsonb) returns boolean
language sql
immutable
set search_path = ''
as $$
  select p is null or (
    pg_catalog.jsonb_typeof(p) = 'object'
    and (select pg_catalog.array_agg(k order by k) from pg_catalog.jsonb_object_keys(p) k) = array['body', 'header']
    and pg_catalog.jsonb_typeof(p -> 'header') = 'array' and pg_catalog.jsonb_array_length(p -> 'header') <= 20
    and pg_catalog.jsonb_typeof(p -> 'body') = 'array' and pg_catalog.jsonb_array_length(p -> 'body') <= 100
    and not exists (
      select 1 from pg_catalog.jsonb_array_elements((p -> 'header') || (p -> 'body')) v
      where pg_catalog.jsonb_typeof(v) <> 'string' or pg_catalog.btrim(v #>> '{}') = ''
        or pg_catalog.char_length(v #>> '{}') > 1024
    )
  )
$$;
revoke all on function private.campaign_template_parameters_ok(jsonb) from public;

alter table public.campaigns add column template_parameters jsonb;

-- Checked by a trigger: a check constraint would call the private helper with the writer's rights.
create function private.check_campaign_template_parameters() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.campaign_template_parameters_ok(new.template_parameters) then
    raise exception 'campaign %: template_parameters must be {"header": [...], "body": [...]} of non-blank texts of at most 1024 characters, at most 20 header and 100 body values', new.id
      using errcode = 'check_violation';
  end if;
  return new;
end;
$$;
revoke all on function private.check_campaign_template_parameters() from public;

create trigger check_campaign_template_parameters before insert or update of template_parameters on public.campaigns
  for each row when (new.template_parameters is not null)
  execute function private.check_campaign_template_parameters();

-- A retried campaign message is sent as the template its failed attempt was.
create function private.keep_retry_template() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select m.template into new.template
  from public.messages m
  where m.campaign_id = new.campaign_id and m.contact_id = new.contact_id
    and m.campaign_round < new.campaign_round
  order by m.campaign_round desc
  limit 1;
  return new;
end;
$$;
revoke all on function private.keep_retry_template() from public;

create trigger keep_retry_template before insert on public.messages
  for each row when (new.campaign_id is not null and new.campaign_round > 0 and new.template is null)
  execute function private.keep_retry_template();
