// auth.users rows and the user JSON GoTrue returns for them. The JSON is built field by field,
// so encrypted_password can never leak into a response.
import type { Queryable } from '../db.ts';
import { AuthError } from './errors.ts';
import type { JsonObject } from './input.ts';

export interface UserRow {
  [column: string]: unknown;
  id: string;
  aud: string;
  role: string;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: JsonObject;
  raw_user_meta_data: JsonObject;
  is_anonymous: boolean;
  banned_until: Date | null;
  /** The address an email change waits to move to (double confirmation). */
  email_change: string | null;
  confirmation_sent_at: Date | null;
  recovery_sent_at: Date | null;
  email_change_sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, aud, role, email, encrypted_password, email_confirmed_at, phone, phone_confirmed_at,
  confirmed_at, last_sign_in_at, raw_app_meta_data, raw_user_meta_data, is_anonymous, banned_until,
  nullif(email_change, '') as email_change, confirmation_sent_at, recovery_sent_at, email_change_sent_at,
  created_at, updated_at`;

export const EMAIL_APP_METADATA: JsonObject = { provider: 'email', providers: ['email'] };

export async function findUserById(q: Queryable, id: string): Promise<UserRow | undefined> {
  const [row] = await q.query<UserRow>(`select ${COLUMNS} from auth.users where id = $1`, [id]);
  return row;
}

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | undefined> {
  const [row] = await q.query<UserRow>(`select ${COLUMNS} from auth.users where email = $1`, [email]);
  return row;
}

/** Newest first, as GoTrue lists them. */
export function findUsersPage(q: Queryable, limit: number, offset: number): Promise<UserRow[]> {
  return q.query<UserRow>(
    `select ${COLUMNS} from auth.users order by created_at desc, id limit $1 offset $2`,
    [limit, offset],
  );
}

export interface NewUser {
  email: string;
  passwordHash: string | null;
  confirmed: boolean;
  /** The user signs in by creating the account (sign-up), not later (admin creation). */
  signedIn: boolean;
  userMetadata: JsonObject;
  appMetadata: JsonObject;
}

/**
 * Inserts as the connecting role (not an API role), so AFTER INSERT triggers that migrations
 * put on auth.users run with the rights they would have on hosted Supabase.
 */
export async function insertUser(q: Queryable, user: NewUser): Promise<UserRow> {
  try {
    const [row] = await q.query<UserRow>(
      `insert into auth.users (email, encrypted_password, email_confirmed_at, last_sign_in_at,
         raw_user_meta_data, raw_app_meta_data)
       values ($1, $2, case when $3::boolean then now() end, case when $4::boolean then now() end,
         $5::jsonb, $6::jsonb)
       returning ${COLUMNS}`,
      [
        user.email,
        user.passwordHash,
        user.confirmed,
        user.signedIn,
        JSON.stringify(user.userMetadata),
        JSON.stringify(user.appMetadata),
      ],
    );
    return row!;
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_key')) throw emailTaken();
    throw err;
  }
}

export interface UserChanges {
  passwordHash?: string;
  userMetadata?: JsonObject;
  signedIn?: boolean;
}

/** The address changes only through the email-change flow (email-flows.ts), never here. */
export async function updateUser(q: Queryable, id: string, changes: UserChanges): Promise<UserRow> {
  const [row] = await q.query<UserRow>(
    `update auth.users set
       encrypted_password = coalesce($2, encrypted_password),
       raw_user_meta_data = coalesce($3::jsonb, raw_user_meta_data),
       last_sign_in_at = case when $4::boolean then now() else last_sign_in_at end,
       updated_at = now()
     where id = $1
     returning ${COLUMNS}`,
    [
      id,
      changes.passwordHash ?? null,
      changes.userMetadata ? JSON.stringify(changes.userMetadata) : null,
      changes.signedIn ?? false,
    ],
  );
  if (!row) throw userNotFound();
  return row;
}

export function userNotFound(): AuthError {
  return new AuthError(404, 'user_not_found', 'User not found');
}

function emailTaken(): AuthError {
  return new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  // node-postgres reports the constraint; PGlite only names it in the message.
  return (
    e?.code === '23505' &&
    (e.constraint === constraint || (typeof e.message === 'string' && e.message.includes(constraint)))
  );
}

const iso = (d: Date | null): string | undefined => d?.toISOString();

/** The user object of GoTrue's API (`/user`, `/admin/users`, the `user` of a session). */
export function userJson(row: UserRow): JsonObject {
  const emailIdentity = row.email
    ? [
        {
          identity_id: row.id,
          id: row.id,
          user_id: row.id,
          identity_data: {
            email: row.email,
            email_verified: row.email_confirmed_at !== null,
            phone_verified: false,
            sub: row.id,
          },
          provider: 'email',
          last_sign_in_at: iso(row.last_sign_in_at),
          created_at: iso(row.created_at),
          updated_at: iso(row.updated_at),
          email: row.email,
        },
      ]
    : [];
  return {
    id: row.id,
    aud: row.aud,
    role: row.role,
    email: row.email ?? '',
    email_confirmed_at: iso(row.email_confirmed_at),
    phone: row.phone ?? '',
    phone_confirmed_at: iso(row.phone_confirmed_at),
    confirmed_at: iso(row.confirmed_at),
    last_sign_in_at: iso(row.last_sign_in_at),
    app_metadata: row.raw_app_meta_data,
    user_metadata: row.raw_user_meta_data,
    identities: emailIdentity,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    banned_until: iso(row.banned_until),
    is_anonymous: row.is_anonymous,
    ...(row.email_change
      ? { new_email: row.email_change, email_change_sent_at: iso(row.email_change_sent_at) }
      : {}),
    ...(row.confirmation_sent_at ? { confirmation_sent_at: iso(row.confirmation_sent_at) } : {}),
    ...(row.recovery_sent_at ? { recovery_sent_at: iso(row.recovery_sent_at) } : {}),
  };
}
