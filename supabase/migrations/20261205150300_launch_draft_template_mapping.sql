-- A campaign launched before its draft reached the server (issue 13): the launch's first
-- command carries the draft, and private.create_campaign_draft creates the campaign from it,
-- but the draft left out the Meta template mapping (template_parameters) and the function
-- refused any field it did not list, so such a campaign lost its mapping on the server (its
-- messages still went out as templates: each command carries its rendered values). The draft
-- now carries the mapping (src/domain/campaign-commands.ts: launchDraft) and the function takes
-- it, optional for commands an older app queued; its shape is checked by the table's trigger
-- (20261204130000). The rest of create_campaign_draft (20261202000800) unchanged, restated.

create or replace function private.create_campaign_draft(p_campaign_id uuid, p_draft jsonb) returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- The fields a client drafts (the table's columns but the id, the server's part and the
  -- row machinery), in the table's order.
  v_columns constant text[] := array['workspace_id', 'name', 'channel_id', 'template_id', 'body', 'group_ids',
    'tags', 'contact_ids', 'start_at', 'time_zone', 'window_start_minute', 'window_end_minute', 'window_days',
    'min_delay_ms', 'max_delay_ms', 'rate_per_minute', 'updated_at'];
  -- Drafted fields a draft may leave out (an older app's launch does): null when absent.
  v_optional constant text[] := array['template_parameters'];
  v_odd text;
  r public.campaigns;
begin
  if pg_catalog.jsonb_typeof(p_draft) is distinct from 'object' then
    return 'campaign must be an object of the draft''s fields';
  end if;
  select pg_catalog.string_agg(k, ', ' order by k) into v_odd
  from pg_catalog.jsonb_object_keys(p_draft) k where k <> all (v_columns || v_optional);
  if v_odd is not null then
    return pg_catalog.format('campaign: %s cannot be set by a client (only the draft''s fields)', v_odd);
  end if;
  select pg_catalog.string_agg(f, ', ' order by o) into v_odd
  from pg_catalog.unnest(v_columns) with ordinality u (f, o) where not p_draft ? f;
  if v_odd is not null then
    return pg_catalog.format('campaign: %s missing', v_odd);
  end if;
  begin
    r := pg_catalog.jsonb_populate_record(null::public.campaigns, p_draft);
  exception when others then
    return pg_catalog.format('campaign: %s', sqlerrm);
  end;
  if r.workspace_id is null or not public.is_member(r.workspace_id) then
    return pg_catalog.format('campaign %s: workspace %s is not one of your workspaces', p_campaign_id,
      coalesce(r.workspace_id::text, 'null'));
  end if;
  if r.channel_id is not null and not exists (
    select 1 from public.channels ch where ch.id = r.channel_id and ch.workspace_id = r.workspace_id
  ) then
    return pg_catalog.format('campaign %s: channel %s is not a channel of its workspace', p_campaign_id, r.channel_id);
  end if;
  -- A template not on the server yet may still be on its way up; one of another workspace never is.
  if exists (
    select 1 from public.templates t where t.id = r.template_id and t.workspace_id <> r.workspace_id
  ) then
    return pg_catalog.format('campaign %s: template %s is not a template of its workspace', p_campaign_id, r.template_id);
  end if;
  begin
    -- A concurrent batch of the same launch wrote it first: theirs stands.
    execute pg_catalog.format(
      'insert into public.campaigns (id, %1$s)
       select $1, %1$s from pg_catalog.jsonb_populate_record(null::public.campaigns, $2)
       on conflict (id) do nothing',
      (select pg_catalog.string_agg(pg_catalog.quote_ident(f), ', ') from pg_catalog.unnest(v_columns || v_optional) f))
    using p_campaign_id, p_draft;
  exception when others then
    return pg_catalog.format('campaign %s: %s', p_campaign_id, sqlerrm);
  end;
  return null;
end;
$$;
revoke all on function private.create_campaign_draft(uuid, jsonb) from public;
