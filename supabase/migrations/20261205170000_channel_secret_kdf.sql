-- Channel secrets, derived once per key (issue 17 item 14). A row's AES key used to be
-- stretched by PBKDF2 from PIGEON_SECRETS_KEY and the row's own salt: ~0.3 s per channel per
-- function process, so the first webhook of a real channel took that much longer than one for
-- an id that is no channel. Rows now say how their key is derived: 'pbkdf2' (that way) or
-- 'pbkdf2-hkdf' (stretched once per key version, then HKDF over the row's salt; see
-- supabase/functions/_shared/secret-box.ts). Old rows keep opening; a rotation re-seals them.

alter table public.channel_secrets
  add column kdf text not null default 'pbkdf2' check (kdf in ('pbkdf2', 'pbkdf2-hkdf'));

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
    'kdf_iterations', s.kdf_iterations,
    'kdf', s.kdf)
$$;

-- The sealing now names its derivation; the old signature goes so nothing seals the old way.
drop function public.seal_channel_secret(uuid, text, text, text, integer, integer, text);

create function public.seal_channel_secret(
  p_channel_id uuid,
  p_ciphertext text,
  p_iv text,
  p_salt text,
  p_key_version integer,
  p_kdf_iterations integer,
  p_kdf text,
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
        kdf_iterations = p_kdf_iterations, kdf = p_kdf, updated_at = pg_catalog.now()
    where s.channel_id = p_channel_id and s.iv = pg_catalog.decode(p_replaces_iv, 'base64');
    return found;
  end if;
  insert into public.channel_secrets as s
    (channel_id, workspace_id, ciphertext, iv, salt, key_version, kdf_iterations, kdf)
  values (p_channel_id, v_workspace_id, pg_catalog.decode(p_ciphertext, 'base64'), pg_catalog.decode(p_iv, 'base64'),
    pg_catalog.decode(p_salt, 'base64'), p_key_version, p_kdf_iterations, p_kdf)
  on conflict (channel_id) do update
    set ciphertext = excluded.ciphertext, iv = excluded.iv, salt = excluded.salt,
        key_version = excluded.key_version, kdf_iterations = excluded.kdf_iterations, kdf = excluded.kdf,
        updated_at = pg_catalog.now();
  return true;
end;
$$;
revoke all on function public.seal_channel_secret(uuid, text, text, text, integer, integer, text, text)
  from public, anon, authenticated;
grant execute on function public.seal_channel_secret(uuid, text, text, text, integer, integer, text, text)
  to service_role;

-- Up to p_limit rows a rotation must re-seal: another key version, or the per-row derivation.
create or replace function public.channel_secrets_to_rotate(p_key_version integer, p_limit integer default 100)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_agg(private.sealed_secret_json(s)), '[]')
  from (
    select * from public.channel_secrets s
    where s.key_version <> p_key_version or s.kdf <> 'pbkdf2-hkdf'
    order by s.channel_id
    limit least(greatest(p_limit, 1), 1000)
  ) s
$$;
