// `/rpc/<fn>`: choosing the overload PostgREST would call, and calling it with named
// arguments converted by Postgres (json_to_record), so every argument is a bound value.
import type { Routine } from './catalog.ts';
import { RestError } from './errors.ts';
import type { Plan, PlanRequest } from './plans.ts';
import { Conditions, ident, orderBy, output, Params, paging, qualified, selectList } from './sql.ts';

export interface RpcInput {
  /** Argument names given (body keys, or non-filter query parameters of a GET). */
  names: string[];
  /** The arguments as JSON text: the raw body, or the GET parameters as strings. */
  json: string;
}

function takesNamed(fn: Routine, names: string[]): boolean {
  const declared = new Set(fn.args.map((a) => a.name).filter((n) => n !== ''));
  return (
    names.every((n) => declared.has(n)) && fn.args.slice(0, fn.required).every((a) => names.includes(a.name))
  );
}

/** A function with one unnamed json/jsonb parameter receives the whole POST body. */
function takesWholeBody(fn: Routine): boolean {
  const [only] = fn.args;
  return fn.args.length === 1 && only?.name === '' && (only.type === 'json' || only.type === 'jsonb');
}

export interface RoutineChoice {
  routine: Routine;
  wholeBody: boolean;
}

/**
 * The overload PostgREST would call for these argument names; undefined when none fits.
 * A POST body that is not an object can only go whole to a single json/jsonb parameter.
 */
export function chooseRoutine(
  overloads: Routine[],
  args: { names: string[]; body: 'object' | 'other' | 'none' },
): RoutineChoice | undefined {
  const whole = args.body === 'none' ? undefined : overloads.find(takesWholeBody);
  if (args.body === 'other') return whole && { routine: whole, wholeBody: true };
  const named = overloads.filter((fn) => takesNamed(fn, args.names));
  if (named.length > 1) {
    const list = named.map(
      (fn) => `public.${fn.name}(${fn.args.map((a) => `${a.name} => ${a.type}`).join(', ')})`,
    );
    throw new RestError(
      300,
      'PGRST203',
      `Could not choose the best candidate function between: ${list.join(', ')}`,
      null,
      'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    );
  }
  if (named[0]) return { routine: named[0], wholeBody: false };
  return whole && { routine: whole, wholeBody: true };
}

function refuseShaping(fn: Routine, req: PlanRequest): void {
  const q = req.query;
  const shaped =
    q.where.length > 0 ||
    q.order.length > 0 ||
    q.range.limit !== undefined ||
    q.range.offset !== 0 ||
    q.select.some((s) => s.kind !== 'star');
  if (shaped)
    throw new RestError(
      400,
      'PGRST100',
      `Function public.${fn.name} does not return rows: select, filters, order, limit and offset do not apply`,
    );
}

export function rpcPlan(choice: RoutineChoice, input: RpcInput, req: PlanRequest): Plan {
  const fn = choice.routine;
  const p = new Params();
  let from: string;
  if (choice.wholeBody) {
    from = `${qualified(fn.name)}(${p.add(input.json, fn.args[0]?.type ?? 'json')})`;
  } else {
    const given = fn.args.filter((a) => input.names.includes(a.name));
    const call = `${qualified(fn.name)}(${given
      .map((a) => `${a.variadic ? 'variadic ' : ''}${ident(a.name)} := _args.${ident(a.name)}`)
      .join(', ')})`;
    const record = given.map((a) => `${ident(a.name)} ${a.type}`).join(', ');
    from =
      given.length > 0 ? `json_to_record(${p.add(input.json, 'json')}) as _args(${record}), ${call}` : call;
  }
  const minimal = req.prefer.return === 'minimal';
  const count = req.prefer.count !== undefined;
  const result = fn.result;

  if (result.kind !== 'rows') {
    refuseShaping(fn, req);
    let select: string;
    if (result.kind === 'void') select = 'null::bigint as total, 0 as page, null::text as body';
    else if (fn.returnsSet)
      select = `${count ? 'count(*)' : 'null::bigint'} as total, count(*)::int as page, coalesce(json_agg(_fn._v), '[]')::text as body`;
    else select = `null::bigint as total, 1 as page, coalesce(to_json(_fn._v)::text, 'null') as body`;
    return {
      statement: { text: `select ${select} from ${from} as _fn(_v)`, values: p.values },
      shape: result.kind === 'void' || minimal ? 'none' : 'scalar',
    };
  }

  const source = { name: fn.name, columns: result.columns };
  const ref = (name: string) => `_src.${ident(name)}`;
  const q = req.query;
  const where = new Conditions(p, source, ref).where(q.where);
  const rows = `select ${selectList(q.select, source, ref, '_src.*')} from _src where ${where}${orderBy(q.order, source, ref)}${paging(q.range, p)}`;
  // Materialized: the function runs once even when the rows are also counted.
  const text = `with _src as materialized (select _fn.* from ${from} as _fn) ${output({
    rows,
    total: count ? `(select count(*) from _src where ${where})` : undefined,
    body: !req.head && !minimal,
    stripNulls: req.accept.stripNulls,
  })}`;
  const shape = minimal ? 'none' : fn.returnsSet && !req.accept.singular ? 'rows' : 'object';
  return { statement: { text, values: p.values }, shape };
}
