-- Channel secrets (issue 13): a channel's provider credentials, sealed by the edge functions
-- (supabase/functions/_shared/secret-box.ts: AES-256-GCM, key derived by PBKDF2-SHA256 from
-- PIGEON_SECRETS_KEY and the row's salt) before they reach the database. Each row names the
-- key version and the iteration count it was sealed with, so a rotation finds the rows of
-- older keys and an opener derives the right key. The table stays closed to every client role
-- (20261123000300_channels.sql); the functions below are service_role's way in, carrying the
-- bytes as base64 because JSON has no bytes.

alter table public.channel_secrets
  add column key_version integer not null default 1 check (key_version between 1 and 999999),
  add column kdf_iterations integer not null default 600000
    check (kdf_iterations between 600000 and 10000000);

-- Base64 without the line breaks Postgres puts every 76 characters.
create or replace function private.base64(p_bytes bytea) returns text
language sql
immutable
set search_path = ''
as $$ select pg_catalog.translate(pg_catalog.encode(p_bytes, 'base64'), E'\n', '') $$;
revoke all on function private.base64(bytea) from public;

create or replace function private.sealed_secret_json(s public.channel_secrets) returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'channel_id', s.channel_id,
    'ciphertext', private.base64(s.ciphertext),
    'iv', private.base64(s.iv),
    'salt', private.base64(s.salt),
    'key_version', s.key_version,
    'kdf_iterations', s.kdf_iterations)
$$;
revoke all on function private.sealed_secret_json(public.channel_secrets) from public;

-- The channel and its sealed credentials, for the functions that open them (process-outbox,
-- webhooks, channels, media); null when there is no such channel.
create function public.channel_with_secret(p_channel_id uuid) returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'channel', pg_catalog.to_jsonb(c),
    'secret', (select private.sealed_secret_json(s) from public.channel_secrets s where s.channel_id = c.id))
  from public.channels c
  where c.id = p_channel_id
$$;
revoke all on function public.channel_with_secret(uuid) from public, anon, authenticated;
grant execute on function public.channel_with_secret(uuid) to service_role;

-- Stores a sealed secret for the channel. With p_replaces_iv (a rotation), only over the row
-- it read: a reconnect that stored new credentials meanwhile wins, and false says so.
create function public.seal_channel_secret(
  p_channel_id uuid,
  p_ciphertext text,
  p_iv text,
  p_salt text,
  p_key_version integer,
  p_kdf_iterations integer,
  p_replaces_iv text default null
) returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_workspace_id uuid;
begin
  select c.workspace_id into v_workspace_id from public.channels c where c.id = p_channel_id;
  if not found then
    raise exception 'channel % does not exist', p_channel_id using errcode = 'invalid_parameter_value';
  end if;
  if p_replaces_iv is not null then
    update public.channel_secrets s
    set ciphertext = pg_catalog.decode(p_ciphertext, 'base64'), iv = pg_catalog.decode(p_iv, 'base64'),
        salt = pg_catalog.decode(p_salt, 'base64'), key_version = p_key_version,
        kdf_iterations = p_kdf_iterations, updated_at = pg_catalog.now()
    where s.channel_id = p_channel_id and s.iv = pg_catalog.decode(p_replaces_iv, 'base64');
    return found;
  end if;
  insert into public.channel_secrets as s (channel_id, workspace_id, ciphertext, iv, salt, key_version, kdf_iterations)
  values (p_channel_id, v_workspace_id, pg_catalog.decode(p_ciphertext, 'base64'), pg_catalog.decode(p_iv, 'base64'),
    pg_catalog.decode(p_salt, 'base64'), p_key_version, p_kdf_iterations)
  on conflict (channel_id) do update
    set ciphertext = excluded.ciphertext, iv = excluded.iv, salt = excluded.salt,
        key_version = excluded.key_version, kdf_iterations = excluded.kdf_iterations,
        updated_at = pg_catalog.now();
  return true;
end;
$$;
revoke all on function public.seal_channel_secret(uuid, text, text, text, integer, integer, text)
  from public, anon, authenticated;
grant execute on function public.seal_channel_secret(uuid, text, text, text, integer, integer, text)
  to service_role;

-- Up to p_limit rows sealed under another key version than p_key_version, for a rotation.
create function public.channel_secrets_to_rotate(p_key_version integer, p_limit integer default 100)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_agg(private.sealed_secret_json(s)), '[]')
  from (
    select * from public.channel_secrets s
    where s.key_version <> p_key_version
    order by s.channel_id
    limit least(greatest(p_limit, 1), 1000)
  ) s
$$;
revoke all on function public.channel_secrets_to_rotate(integer, integer) from public, anon, authenticated;
grant execute on function public.channel_secrets_to_rotate(integer, integer) to service_role;
