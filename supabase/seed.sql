-- Demo data: a user demo@pigeon.local / pigeon-demo whose sign-up trigger creates
-- "Demo workspace", with a few contacts, a group and templates. Runs on hosted Supabase
-- (`supabase db reset`) and on the local stack; safe to run twice.

-- The user, written the way Supabase seeds are: a bcrypt hash from pgcrypto, email
-- confirmed. Inserting it fires private.handle_new_user(), which names the workspace from
-- raw_user_meta_data.workspace_name and makes the user its owner.
insert into auth.users (
  id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
) values (
  'd0d0d0d0-0000-4000-8000-000000000001',
  'authenticated',
  'authenticated',
  'demo@pigeon.local',
  extensions.crypt('pigeon-demo', extensions.gen_salt('bf', 10)),
  now(),
  '{"provider": "email", "providers": ["email"]}',
  '{"workspace_name": "Demo workspace"}',
  now(),
  now()
) on conflict (id) do nothing;

-- Hosted auth.users has more columns than the local one. GoTrue reads its token columns
-- as strings and fails a sign-in on NULL, and password sign-in expects an email identity:
-- fill both where the hosted schema has them, skip them where it does not.
do $$
declare
  demo_id constant uuid := 'd0d0d0d0-0000-4000-8000-000000000001';
  col text;
begin
  if exists (
    select 1 from information_schema.columns
    where table_schema = 'auth' and table_name = 'users' and column_name = 'instance_id'
  ) then
    execute 'update auth.users set instance_id = $1 where id = $2 and instance_id is null'
      using '00000000-0000-0000-0000-000000000000'::uuid, demo_id;
  end if;
  foreach col in array array[
    'confirmation_token', 'recovery_token', 'email_change_token_new', 'email_change',
    'email_change_token_current', 'phone_change', 'phone_change_token', 'reauthentication_token'
  ] loop
    if exists (
      select 1 from information_schema.columns
      where table_schema = 'auth' and table_name = 'users' and column_name = col
        and is_generated = 'NEVER'
    ) then
      execute format('update auth.users set %I = '''' where id = $1 and %I is null', col, col)
        using demo_id;
    end if;
  end loop;

  if (
    select count(*) from information_schema.columns
    where table_schema = 'auth' and table_name = 'identities'
      and column_name in ('provider_id', 'user_id', 'identity_data', 'provider')
  ) = 4 then
    execute $sql$
      insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
      select $1::text, $1,
             jsonb_build_object('sub', $1::text, 'email', 'demo@pigeon.local', 'email_verified', true),
             'email', now(), now(), now()
      where not exists (select 1 from auth.identities where user_id = $1 and provider = 'email')
    $sql$ using demo_id;
  end if;
end $$;

-- The demo rows. Contact ids follow DESIGN.md: UUID v5 of the E.164 phone in the
-- workspace's namespace (the workspace id).
with ws as (
  select m.workspace_id as id
  from public.workspace_members m
  where m.user_id = 'd0d0d0d0-0000-4000-8000-000000000001' and m.role = 'owner'
  order by m.created_at
  limit 1
),
grp as (
  insert into public.contact_groups (id, workspace_id, name, description, color)
  select 'd0d0d0d0-0000-4000-8000-0000000000a1', ws.id, 'Customers', 'People who bought something', '#2E7D32'
  from ws
  on conflict (id) do nothing
  returning id, workspace_id
)
insert into public.contacts (id, workspace_id, phone, name, email, tags, group_ids, custom_fields)
-- private.contact_id: the rule of src/domain/ids.ts contactId().
select private.contact_id(ws.id, c.phone), ws.id, c.phone, c.name, c.email, c.tags,
       case when c.in_group then array['d0d0d0d0-0000-4000-8000-0000000000a1'::uuid] else '{}' end,
       c.custom_fields
from ws
cross join (values
  ('+14155550101', 'Ada Lovelace', 'ada@example.com', array['vip'], true, '{"city": "London"}'::jsonb),
  ('+14155550102', 'Grace Hopper', 'grace@example.com', array['vip', 'navy'], true, '{"city": "Arlington"}'),
  ('+447700900123', 'Alan Turing', '', array[]::text[], true, '{}'),
  ('+33612345678', 'Marie Curie', 'marie@example.com', array['science'], false, '{"city": "Paris"}'),
  ('+5511987654321', 'Carlos Chagas', '', array[]::text[], false, '{}')
) as c (phone, name, email, tags, in_group, custom_fields)
on conflict (workspace_id, phone) do nothing;

insert into public.templates (id, workspace_id, name, body, language, category)
select t.id, ws.id, t.name, t.body, 'en', t.category
from (
  select m.workspace_id as id
  from public.workspace_members m
  where m.user_id = 'd0d0d0d0-0000-4000-8000-000000000001' and m.role = 'owner'
  order by m.created_at
  limit 1
) as ws
cross join (values
  ('d0d0d0d0-0000-4000-8000-0000000000b1'::uuid, 'Welcome',
   'Hi {{name|there}}, welcome to Pigeon! Reply STOP to opt out.', 'marketing'),
  ('d0d0d0d0-0000-4000-8000-0000000000b2'::uuid, 'Order shipped',
   'Hello {{name|there}}, your order is on its way to {{city|you}}.', 'utility')
) as t (id, name, body, category)
on conflict (id) do nothing;

insert into public.channels (id, workspace_id, name, provider, phone_number, status)
select 'd0d0d0d0-0000-4000-8000-0000000000c1', m.workspace_id, 'Simulator', 'simulator', '+15550000000', 'connected'
from public.workspace_members m
where m.user_id = 'd0d0d0d0-0000-4000-8000-000000000001' and m.role = 'owner'
order by m.created_at
limit 1
on conflict (id) do nothing;
