// GoTrue's admin user routes (service_role only): what tests and seeds use to manage users.
import type { LocalContext } from '../context.ts';
import { requireAdmin } from './caller.ts';
import { AuthError } from './errors.ts';
import {
  booleanField,
  isUuid,
  objectField,
  readJson,
  stringField,
  validEmail,
  validPassword,
} from './input.ts';
import { hashPassword } from './passwords.ts';
import {
  EMAIL_APP_METADATA,
  findUserById,
  findUsersPage,
  insertUser,
  type UserRow,
  userJson,
  userNotFound,
} from './users.ts';

export async function createUser(req: Request, ctx: LocalContext): Promise<Response> {
  await requireAdmin(req, ctx.config);
  const body = await readJson(req);
  if (stringField(body, 'phone')) {
    throw new AuthError(
      400,
      'phone_provider_disabled',
      'Users with a phone number are not available on this server',
    );
  }
  const email = validEmail(stringField(body, 'email'));
  const password = stringField(body, 'password');
  const passwordHash = password === undefined ? null : await hashPassword(validPassword(password));
  const user = await insertUser(ctx.db, {
    email,
    passwordHash,
    confirmed: booleanField(body, 'email_confirm') ?? false,
    signedIn: false,
    userMetadata: objectField(body, 'user_metadata') ?? {},
    // The provider fields describe how the account signs in; callers add to them, not replace them.
    appMetadata: { ...(objectField(body, 'app_metadata') ?? {}), ...EMAIL_APP_METADATA },
  });
  return Response.json(userJson(user));
}

function pageParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new AuthError(
      400,
      'validation_failed',
      `Bad Pagination Parameters: ${name} must be a whole number >= 1`,
    );
  }
  return value;
}

export async function listUsers(req: Request, ctx: LocalContext): Promise<Response> {
  await requireAdmin(req, ctx.config);
  const url = new URL(req.url);
  const page = pageParam(url, 'page', 1);
  const perPage = pageParam(url, 'per_page', 50);
  const [count] = await ctx.db.query<{ total: number }>('select count(*)::int as total from auth.users');
  const total = count?.total ?? 0;
  const rows = await findUsersPage(ctx.db, perPage, (page - 1) * perPage);
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const link = (p: number, rel: string) =>
    `<${ctx.config.apiUrl}/auth/v1/admin/users?page=${p}&per_page=${perPage}>; rel="${rel}"`;
  const links = [...(page < lastPage ? [link(page + 1, 'next')] : []), link(lastPage, 'last')];
  return Response.json(
    { users: rows.map(userJson), aud: 'authenticated' },
    { headers: { 'x-total-count': String(total), link: links.join(', ') } },
  );
}

async function userFromPath(id: string, ctx: LocalContext): Promise<UserRow> {
  if (!isUuid(id)) throw new AuthError(404, 'validation_failed', 'user_id must be an UUID');
  const user = await findUserById(ctx.db, id);
  if (!user) throw userNotFound();
  return user;
}

export async function getUserById(req: Request, ctx: LocalContext, id: string): Promise<Response> {
  await requireAdmin(req, ctx.config);
  return Response.json(userJson(await userFromPath(id, ctx)));
}

export async function deleteUser(req: Request, ctx: LocalContext, id: string): Promise<Response> {
  await requireAdmin(req, ctx.config);
  const body = await readJson(req, { optional: true });
  if (booleanField(body, 'should_soft_delete')) {
    throw new AuthError(400, 'validation_failed', 'Soft delete is not available on this server');
  }
  const user = await userFromPath(id, ctx);
  // Sessions and refresh tokens go with the user (on delete cascade).
  await ctx.db.query('delete from auth.users where id = $1', [user.id]);
  return Response.json({});
}
