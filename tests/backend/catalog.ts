// A database's schema read from the system catalogs, as one entry per object, so two
// databases can be compared: one upgraded migration by migration against one built fresh
// from the same files (tests/backend/migrations-upgrade.test.ts). Everything the app, the
// API roles and RLS depend on is here; data is not. Objects of extensions are left out:
// both sides install the same ones.
import type { Queryable } from '../../supabase/local/db.ts';

/** Object key (kind and qualified name) → its definition as the catalog renders it. */
export type Catalog = Record<string, string>;

// The schemas migrations and the bootstrap write (not PostgreSQL's own).
const USER_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
  and n.nspname not like 'pg_temp_%' and n.nspname not like 'pg_toast_temp_%'`;

// Not a member of an extension (pgcrypto's functions and the like).
const notExtension = (classId: string, oid: string) =>
  `not exists (select 1 from pg_depend d where d.classid = '${classId}'::regclass and d.objid = ${oid}
              and d.deptype = 'e')`;

// An ACL as sorted text: grants made in another order mean the same privileges.
const acl = (column: string) =>
  `case when ${column} is null then 'default' else array(select g::text from unnest(${column}) g order by 1)::text end`;

const QUERIES: string[] = [
  `select 'schema ' || n.nspname as key, 'acl ' || ${acl('n.nspacl')} as def
   from pg_namespace n where ${USER_SCHEMAS}`,

  `select 'extension ' || e.extname as key, e.extversion || ' in ' || n.nspname as def
   from pg_extension e join pg_namespace n on n.oid = e.extnamespace`,

  `select 'relation ' || n.nspname || '.' || c.relname as key,
          format('kind %s, rls %s, forced %s, acl %s', c.relkind, c.relrowsecurity, c.relforcerowsecurity,
                 ${acl('c.relacl')}) as def
   from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where ${USER_SCHEMAS} and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f', 'c')
     and ${notExtension('pg_class', 'c.oid')}`,

  // Position among the live columns: a dropped column leaves a gap in attnum, not here.
  `select 'column ' || n.nspname || '.' || c.relname || '.' || a.attname as key,
          format('#%s %s%s%s%s%s, acl %s',
            row_number() over (partition by c.oid order by a.attnum),
            format_type(a.atttypid, a.atttypmod),
            case when a.attnotnull then ' not null' else '' end,
            case when a.attgenerated = 's' then ' generated as ' || pg_get_expr(ad.adbin, ad.adrelid)
                 when ad.adbin is not null then ' default ' || pg_get_expr(ad.adbin, ad.adrelid) else '' end,
            case when a.attidentity <> '' then ' identity ' || a.attidentity::text else '' end,
            case when a.attcollation <> 0 and a.attcollation <> t.typcollation
                 then ' collate ' || a.attcollation::regcollation::text else '' end,
            ${acl('a.attacl')}) as def
   from pg_attribute a
   join pg_class c on c.oid = a.attrelid
   join pg_namespace n on n.oid = c.relnamespace
   join pg_type t on t.oid = a.atttypid
   left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
   where ${USER_SCHEMAS} and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c') and a.attnum > 0 and not a.attisdropped
     and ${notExtension('pg_class', 'c.oid')}`,

  `select 'constraint ' || n.nspname || '.' || c.relname || '.' || k.conname as key,
          pg_get_constraintdef(k.oid) || case when k.condeferrable then ' deferrable' else '' end as def
   from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
   where ${USER_SCHEMAS}`,

  `select 'index ' || n.nspname || '.' || i.relname as key, pg_get_indexdef(i.oid) as def
   from pg_index x join pg_class i on i.oid = x.indexrelid join pg_namespace n on n.oid = i.relnamespace
   where ${USER_SCHEMAS} and ${notExtension('pg_class', 'x.indrelid')}`,

  `select 'trigger ' || n.nspname || '.' || c.relname || '.' || t.tgname as key,
          pg_get_triggerdef(t.oid) || ' (enabled ' || t.tgenabled::text || ')' as def
   from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
   where ${USER_SCHEMAS} and not t.tgisinternal`,

  `select 'policy ' || n.nspname || '.' || c.relname || '.' || p.polname as key,
          format('%s for %s to %s using (%s) with check (%s)',
            case when p.polpermissive then 'permissive' else 'restrictive' end,
            p.polcmd,
            array(select case when r = 0 then 'public' else r::regrole::text end
                  from unnest(p.polroles) r order by 1)::text,
            pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)) as def
   from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace`,

  // The whole definition (language, volatility, security, settings, body), then who may call it.
  `select 'function ' || p.oid::regprocedure::text as key,
          pg_get_functiondef(p.oid) || E'\\nacl ' || ${acl('p.proacl')} as def
   from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where ${USER_SCHEMAS} and p.prokind in ('f', 'p', 'w') and ${notExtension('pg_proc', 'p.oid')}`,

  `select 'type ' || t.oid::regtype::text as key,
          t.typtype::text || coalesce(' ' || pg_get_constraintdef(k.oid), '')
          || coalesce(' (' || (select string_agg(e.enumlabel, ', ' order by e.enumsortorder)
                               from pg_enum e where e.enumtypid = t.oid) || ')', '') as def
   from pg_type t join pg_namespace n on n.oid = t.typnamespace
   left join pg_constraint k on k.contypid = t.oid
   where ${USER_SCHEMAS} and t.typtype in ('d', 'e') and ${notExtension('pg_type', 't.oid')}`,

  `select 'publication ' || p.pubname as key,
          format('insert %s update %s delete %s truncate %s, tables %s', p.pubinsert, p.pubupdate, p.pubdelete,
            p.pubtruncate, coalesce(array(select pt.schemaname || '.' || pt.tablename from pg_publication_tables pt
                                          where pt.pubname = p.pubname order by 1)::text, '{}')) as def
   from pg_publication p`,

  `select 'default privileges ' || coalesce(n.nspname, '*') || ' ' || d.defaclrole::regrole::text || ' '
          || d.defaclobjtype::text as key, ${acl('d.defaclacl')} as def
   from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace`,
];

export async function readCatalog(db: Queryable): Promise<Catalog> {
  const catalog: Catalog = {};
  for (const sql of QUERIES) {
    for (const row of await db.query<{ key: string; def: string }>(sql)) catalog[row.key] = row.def;
  }
  return catalog;
}

/**
 * What differs from `expected` to `actual`, one line per object: `- key` only in expected,
 * `+ key` only in actual, `~ key` defined otherwise (both definitions follow). Empty when equal.
 */
export function catalogDiff(actual: Catalog, expected: Catalog): string[] {
  const keys = [...new Set([...Object.keys(actual), ...Object.keys(expected)])].sort();
  return keys.flatMap((key) => {
    const a = actual[key];
    const e = expected[key];
    if (a === e) return [];
    if (a === undefined) return [`- ${key}`];
    if (e === undefined) return [`+ ${key}`];
    return [`~ ${key}\n  expected: ${e}\n  actual:   ${a}`];
  });
}
