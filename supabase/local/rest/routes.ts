// `/rest/v1`: PostgREST's HTTP surface over the local database. A request is parsed and
// checked against the catalog first; only a valid request reaches the database, as one
// statement in one transaction run as the caller's role (so RLS is Postgres's own).
import { Hono } from 'hono';
import type { LocalContext } from '../context.ts';
import { asCaller, type CallerResult, resolveCaller } from '../request-auth.ts';
import { referencedColumns } from './ast.ts';
import { Catalog, type CatalogSession, type Relation } from './catalog.ts';
import {
  errorResponse,
  functionNotFound,
  invalidBody,
  RestError,
  tableNotFound,
  toRestError,
} from './errors.ts';
import { parseRequest } from './parse.ts';
import { isObject, type JsonBody, readJsonBody } from './payload.ts';
import { deletePlan, insertPlan, type Plan, type PlanRequest, readPlan, updatePlan } from './plans.ts';
import { buildResponse, checkSingular, type Outcome } from './respond.ts';
import { chooseRoutine, rpcPlan } from './rpc.ts';
import type { ResultRow } from './sql.ts';

type Target = { kind: 'relation' | 'rpc'; name: string };

const TABLE_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'];
const RPC_METHODS = ['GET', 'HEAD', 'POST'];

function callerError(caller: Extract<CallerResult, { ok: false }>): Response {
  // The apikey gate is the gateway's (Kong on hosted Supabase), with its body shape.
  if (caller.error === 'no_apikey')
    return Response.json(
      { message: caller.message, hint: 'No `apikey` request header or url param was found.' },
      { status: 401 },
    );
  if (caller.error === 'bad_apikey')
    return Response.json(
      { message: caller.message, hint: 'Double check your Supabase `anon` or `service_role` API key.' },
      { status: 401 },
    );
  return errorResponse(
    new RestError(401, 'PGRST301', caller.message, null, null, {
      'www-authenticate': `Bearer error="invalid_token", error_description=${JSON.stringify(caller.message)}`,
    }),
  );
}

/** The relation, reloading the catalog once if it or one of the named columns is unknown. */
async function resolveRelation(
  session: CatalogSession,
  name: string,
  columns: Iterable<string>,
): Promise<Relation> {
  const wanted = [...columns];
  const complete = await session.lookup((s) => {
    const rel = s.relations.get(name);
    return rel && wanted.every((c) => rel.columns.has(c)) ? rel : undefined;
  });
  // Unknown columns are reported by the planner, naming how they were used.
  const rel = complete ?? (await session.lookup((s) => s.relations.get(name)));
  if (!rel) throw tableNotFound(name);
  return rel;
}

function payloadKeys(body: JsonBody | undefined): string[] {
  const v = body?.value;
  if (isObject(v)) return Object.keys(v);
  if (Array.isArray(v)) return [...new Set(v.flatMap((row) => (isObject(row) ? Object.keys(row) : [])))];
  return [];
}

async function planRpc(
  session: CatalogSession,
  name: string,
  req: PlanRequest,
  method: string,
  body: JsonBody | undefined,
): Promise<Plan> {
  const post = method === 'POST';
  const bodyKind = !post || !body ? 'none' : isObject(body.value) ? 'object' : 'other';
  const args: Record<string, unknown> = post ? (isObject(body?.value) ? body.value : {}) : req.query.rpcArgs;
  const names = Object.keys(args);
  const json = post ? (body?.raw ?? '{}') : JSON.stringify(args);
  const choice = await session.lookup((s) => {
    const overloads = s.routines.get(name);
    return overloads && chooseRoutine(overloads, { names, body: bodyKind });
  });
  if (!choice && bodyKind === 'other')
    throw invalidBody(
      'Expected a JSON object of named arguments',
      `The body of /rpc/${name} is not an object`,
    );
  if (!choice) throw functionNotFound(name, names, post);
  return rpcPlan(choice, { names, json }, req);
}

async function plan(
  ctx: LocalContext,
  session: CatalogSession,
  req: Request,
  target: Target,
): Promise<{ plan: Plan; outcome: Outcome; readOnly: boolean }> {
  const method = req.method;
  if (target.kind === 'rpc' && !RPC_METHODS.includes(method))
    throw new RestError(405, 'PGRST101', `Cannot use the ${method} method on RPC`);
  if (!TABLE_METHODS.includes(method))
    throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
  const parsed = parseRequest({
    method,
    searchParams: new URL(req.url).searchParams,
    headers: req.headers,
    rpc: target.kind === 'rpc',
  });
  const body =
    method === 'POST' || method === 'PATCH' ? await readJsonBody(req, ctx.config.maxBodyBytes) : undefined;
  const head = method === 'HEAD';
  const planReq: PlanRequest = { ...parsed, head };
  const read = method === 'GET' || head;
  const outcome = (action: Outcome['action']): Outcome => ({
    action,
    head,
    offset: parsed.query.range.offset,
    prefer: parsed.prefer,
    relation: target.name,
  });
  if (target.kind === 'rpc') {
    const p = await planRpc(session, target.name, planReq, method, body);
    // GET may not change anything, as with PostgREST's read-only transactions.
    return { plan: p, outcome: outcome('read'), readOnly: read };
  }
  const names = new Set([...referencedColumns(parsed.query), ...payloadKeys(body)]);
  const rel = await resolveRelation(session, target.name, names);
  if (read) return { plan: readPlan(rel, planReq), outcome: outcome('read'), readOnly: true };
  if (method === 'POST')
    return {
      plan: insertPlan(rel, planReq, body),
      outcome: outcome('insert'),
      readOnly: false,
    };
  if (method === 'PATCH')
    return {
      plan: updatePlan(rel, planReq, body),
      outcome: outcome('update'),
      readOnly: false,
    };
  return { plan: deletePlan(rel, planReq), outcome: outcome('delete'), readOnly: false };
}

async function handle(ctx: LocalContext, catalog: Catalog, req: Request, target: Target): Promise<Response> {
  const caller = await resolveCaller(req, ctx.config);
  if (!caller.ok) return callerError(caller);
  try {
    const { plan: p, outcome, readOnly } = await plan(ctx, catalog.session(), req, target);
    // UTC, so timestamptz values read back as PostgREST's do (`+00:00`).
    const settings: Record<string, string> = readOnly
      ? { timezone: 'UTC', transaction_read_only: 'on' }
      : { timezone: 'UTC' };
    const row = await asCaller(
      ctx.db,
      caller,
      async (tx) => {
        const [result] = await tx.query<ResultRow>(p.statement.text, p.statement.values);
        if (!result) throw new Error('rest statement returned no row');
        // Inside the transaction: a mutation that breaks singularity is rolled back.
        checkSingular(p, result);
        return result;
      },
      settings,
    );
    return buildResponse(p, row, outcome);
  } catch (err) {
    return errorResponse(toRestError(err, caller.role !== 'anon'));
  }
}

export function restRoutes(ctx: LocalContext): Hono {
  const app = new Hono();
  const catalog = new Catalog(ctx.db);
  app.all('/rpc/:fn', (c) => handle(ctx, catalog, c.req.raw, { kind: 'rpc', name: c.req.param('fn') }));
  app.all('/:relation', (c) =>
    handle(ctx, catalog, c.req.raw, { kind: 'relation', name: c.req.param('relation') }),
  );
  app.all('*', () => errorResponse(new RestError(404, 'PGRST125', 'Invalid path specified in request URL')));
  return app;
}
