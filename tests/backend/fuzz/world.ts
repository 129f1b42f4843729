/**
 * Runs a step list against three Node devices of one workspace (app-devices.ts: the app's own
 * services, RxDB in memory) and the server (service-role writes, as another member or the
 * webhook path would), then settles and checks convergence and the merge model (model.ts).
 *
 * Devices live across runs (opening them is the slow part); each run works on records of its
 * own (new phone numbers, new ids), so runs do not see each other's records.
 */
import bcrypt from 'bcryptjs';
import type { RxStorage, RxStorageInstance } from 'rxdb';
import { userDatabaseName } from '../../../src/db/database.ts';
import { contactId } from '../../../src/domain/ids.ts';
import { type Device, type DeviceOptions, openDevice } from '../app-devices.ts';
import type { Backend, TestUser } from '../harness.ts';
import { MergeModel } from './model.ts';
import { DEVICES, describeStep, FIELDS, type Kind, SLOTS, type Step, TABLE } from './steps.ts';

type Doc = Record<string, unknown> & { _deleted: boolean; _rev: string; updated_at: string };
type AnyInstance = RxStorageInstance<Doc, unknown, unknown>;

interface FuzzDevice {
  device: Device;
  /** The RxDB storage instances the device opened, by database and collection. */
  instances: Map<string, AnyInstance>;
  options: DeviceOptions;
}

export interface Failure {
  message: string;
}

const META = new Set(['_meta', '_rev', '_attachments', 'server_modified']);

export class FuzzWorld {
  /** Milliseconds spent per kind of step (and in the final settle), for tuning. */
  readonly spent = new Map<string, number>();
  private devices: FuzzDevice[] = [];
  private runs = 0;
  workspaceId = '';

  constructor(
    private readonly backend: Backend,
    private readonly user: TestUser,
  ) {}

  async open(): Promise<void> {
    // Runs sign devices in again and again: the user's password is stored at bcrypt's lowest
    // cost (4, which GoTrue reads from the hash like any other) instead of 10, whose ~0.1 s of
    // JavaScript per sign-in would stall the in-process server and every device with it.
    await this.backend.db.query('update auth.users set encrypted_password = $1 where id = $2', [
      bcrypt.hashSync(this.user.password, 4),
      this.user.id,
    ]);
    for (let i = 0; i < DEVICES; i++) this.devices.push(await this.openOne());
    for (const d of this.devices) this.workspaceId = await this.signIn(d);
  }

  async close(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.device.close()));
  }

  private async openOne(reopen?: FuzzDevice): Promise<FuzzDevice> {
    const instances = reopen?.instances ?? new Map<string, AnyInstance>();
    const options: DeviceOptions = reopen?.options ?? {
      wrapStorage: (storage) => capturing(storage, instances),
    };
    const device = await openDevice(this.backend, options);
    return {
      device,
      instances,
      options: { ...options, prefix: device.prefix, storage: device.storage, network: device.network },
    };
  }

  private async signIn(d: FuzzDevice): Promise<string> {
    const result = await d.device.services.signIn(this.user.email, this.user.password);
    if (!result.ok) return '';
    for (let i = 0; i < 200 && !d.device.services.workspace(); i++) await sleep(20);
    return d.device.services.workspace()?.id ?? '';
  }

  /** Runs `steps` on fresh records; resolves with what went wrong, or undefined. */
  async run(steps: readonly Step[]): Promise<Failure | undefined> {
    const run = new Run(this, this.runs++);
    try {
      for (const [index, step] of steps.entries()) {
        try {
          const started = Date.now();
          await run.step(step, index);
          this.spend(step.t, started);
        } catch (err) {
          return { message: `step ${index} (${describeStep(step)}) threw: ${(err as Error).stack ?? err}` };
        }
      }
      const started = Date.now();
      const failure = await run.finish();
      this.spend('finish', started);
      return failure;
    } finally {
      // Whatever happened, the next run starts with every device online and signed in.
      await this.reset();
    }
  }

  spend(what: string, since: number): void {
    this.spent.set(what, (this.spent.get(what) ?? 0) + Date.now() - since);
  }

  private async reset(): Promise<void> {
    // A run's records are its own: dropping them from the server keeps a fresh sign-in's first
    // pull as short in the ten-thousandth run as in the first. With triggers off (replica role),
    // so no realtime event wakes a pull; the devices keep their copies, which no run reads again.
    await this.backend.db.transaction(async (tx) => {
      await tx.query('set local session_replication_role = replica');
      for (const table of Object.values(TABLE)) {
        await tx.query(`delete from public.${table} where workspace_id = $1`, [this.workspaceId]);
      }
    });
    for (const d of this.devices) {
      d.device.network.set(true);
      if (d.device.services.session().status !== 'signed-in') await this.signIn(d);
    }
  }

  fuzzDevice(index: number): FuzzDevice {
    const d = this.devices[index];
    if (!d) throw new Error(`no device ${index}`);
    return d;
  }

  allDevices(): readonly FuzzDevice[] {
    return this.devices;
  }

  get db(): Backend['db'] {
    return this.backend.db;
  }

  /**
   * Nothing under way that could still change a device: each is signed in, online and idle (no
   * replication running or waiting to retry after an error) with nothing pending, and the
   * realtime server has delivered every change of the workspace (none left in its queue).
   */
  async quiet(): Promise<boolean> {
    for (const { device } of this.devices) {
      const { services } = device;
      if (services.session().status !== 'signed-in') return false;
      if (services.sync.state() !== 'idle' || services.sync.pending() !== 0) return false;
    }
    // This workspace's changes only: other worlds may run beside this one on the same server.
    const [queue] = await this.backend.db.query<{ empty: boolean }>(
      `select not exists (
         select 1 from _realtime_local.changes where coalesce(record, old_record) ->> 'workspace_id' = $1
       ) as empty`,
      [this.workspaceId],
    );
    return queue?.empty === true;
  }

  async restart(index: number): Promise<void> {
    const old = this.fuzzDevice(index);
    await old.device.close();
    this.devices[index] = await this.openOne(old);
  }

  async signInDevice(index: number): Promise<void> {
    await this.signIn(this.fuzzDevice(index));
  }

  /** A device's stored document (deleted ones too), read from its storage as RxDB holds it. */
  async read(d: FuzzDevice, table: Kind, id: string): Promise<Doc | undefined> {
    const instance = d.instances.get(`${userDatabaseName(d.device.prefix, this.user.id)}|${TABLE[table]}`);
    if (!instance || d.device.services.session().status !== 'signed-in') return undefined;
    try {
      const [doc] = await instance.findDocumentsById([id], true);
      return doc;
    } catch {
      return undefined; // closed meanwhile (a sign-out)
    }
  }
}

function capturing(
  storage: RxStorage<unknown, unknown>,
  into: Map<string, AnyInstance>,
): RxStorage<unknown, unknown> {
  return {
    ...storage,
    async createStorageInstance(params) {
      const instance = await storage.createStorageInstance(params);
      into.set(`${params.databaseName}|${params.collectionName}`, instance as unknown as AnyInstance);
      return instance;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const height = (doc: Doc | undefined) => (doc ? Number.parseInt(doc._rev, 10) : 0);

/** One run: its records, the model, the steps' effects. */
class Run {
  private readonly model = new MergeModel();
  private readonly ids: Record<Kind, (string | undefined)[]>;
  private readonly log: string[] = [];

  constructor(
    private readonly world: FuzzWorld,
    private readonly number: number,
  ) {
    const ws = world.workspaceId;
    this.ids = {
      contacts: Array.from({ length: SLOTS }, (_, slot) => contactId(ws, this.phone(slot))),
      groups: [],
      templates: [],
      campaigns: [],
    };
  }

  private phone(slot: number): string {
    // +44 74xx xxxxxx: UK mobile numbers, a pair per run.
    return `+4474${String(((this.number * SLOTS + slot) % 1e8) + 1e7)
      .padStart(8, '0')
      .slice(-8)}`;
  }

  private token(field: string, index: number): unknown {
    const base = `${field[0]}${this.number}x${index}`;
    if (field === 'email') return `${base}@fuzz.example`;
    if (field === 'tags') return [base];
    return base;
  }

  async step(step: Step, index: number): Promise<void> {
    const w = this.world;
    // A signed-out device has no data to edit (its services would wait for a sign-in).
    if ('device' in step && !['network', 'sign-in', 'restart'].includes(step.t)) {
      if (w.fuzzDevice(step.device).device.services.session().status !== 'signed-in') return;
    }
    switch (step.t) {
      case 'network':
        w.fuzzDevice(step.device).device.network.set(step.up);
        return;
      case 'wait':
        await sleep(step.ms);
        return;
      case 'restart':
        await w.restart(step.device);
        return;
      case 'sign-out': {
        const d = w.fuzzDevice(step.device).device;
        if (d.services.session().status === 'signed-in') await d.services.signOut();
        return;
      }
      case 'sign-in':
        if (w.fuzzDevice(step.device).device.services.session().status !== 'signed-in') {
          await w.signInDevice(step.device);
        }
        return;
      case 'create':
        return this.create(step.device, step.kind, step.slot, index);
      case 'edit':
        return this.edit(
          step.device,
          step.kind,
          step.slot,
          step.field,
          step.clear ? '' : this.token(step.field, index),
        );
      case 'delete':
        return this.remove(step.device, step.kind, step.slot);
      case 'tag':
        return this.tag(step.device, step.slot, step.add, index);
      case 'import':
        return this.importRows(step.device, step.slots, index);
      case 'server-edit':
        return this.serverEdit(step.kind, step.slot, step.field, this.token(step.field, index));
      case 'server-delete':
        return this.serverDelete(step.kind, step.slot);
      case 'server-create':
        return this.serverCreate(step.slot, index);
    }
  }

  /** Writes through a device's services and tells the model what the write did. */
  private async onDevice(
    device: number,
    table: Kind,
    id: string | undefined,
    write: () => Promise<{ ok: boolean; value?: unknown }>,
    /** `clean`: no other write landed between the reads, so `before` is what this write overwrote. */
    record: (id: string, before: Doc | undefined, after: Doc, clean: boolean) => void,
  ): Promise<string | undefined> {
    const d = this.world.fuzzDevice(device);
    const before = id ? await this.world.read(d, table, id) : undefined;
    const result = await write();
    if (!result.ok) return undefined;
    const written = id ?? (result.value as { id: string }).id;
    const after = await this.world.read(d, table, written);
    if (!after) throw new Error(`${table} ${written}: written on device ${device} but not stored there`);
    const clean = height(after) === height(before) + 1;
    if (!clean) {
      // Another write (a pull, a merge) landed between the reads: what this step did alone
      // is not known, so the model does not judge what it cannot tell.
      this.model.unsure(table, written, 'deleted');
      this.model.unsure(table, written, 'tags');
    } else {
      this.model.event(table, written, after._deleted, Date.parse(after.updated_at));
    }
    record(written, before, after, clean);
    this.log.push(`device ${device} wrote ${table} ${written}`);
    return written;
  }

  private async create(device: number, kind: Kind, slot: number, index: number): Promise<void> {
    const services = this.world.fuzzDevice(device).device.services;
    const name = this.token('name', index) as string;
    const creation = (id: string, before: Doc | undefined, after: Doc) => {
      for (const field of FIELDS[kind])
        this.model.edit(`device ${device}`, kind, id, field, after[field], before?.[field]);
    };
    if (kind === 'contacts') {
      const tag = `t${this.number}x${index}`;
      let existing = false;
      await this.onDevice(
        device,
        kind,
        this.ids.contacts[slot],
        async () => {
          const result = await services.contacts.add({ phone: this.phone(slot), name, tags: [tag] });
          existing = result.ok && result.existing;
          // An existing contact is left as it was: no write.
          return existing ? { ok: false } : result;
        },
        (id, before, after) => {
          creation(id, before, after);
          this.tagsChanged(id, before, after);
        },
      );
      return;
    }
    if (this.ids[kind][slot] !== undefined) {
      return this.edit(device, kind, slot, 'name', name);
    }
    const write = () =>
      kind === 'groups'
        ? services.groups.add({ name })
        : kind === 'templates'
          ? services.templates.add({ name, body: `b${name}`, language: 'en', category: 'marketing' })
          : services.campaigns.createDraft({ name });
    const id = await this.onDevice(device, kind, undefined, write, creation);
    if (id) this.ids[kind][slot] = id;
  }

  private tagsChanged(id: string, before: Doc | undefined, after: Doc): void {
    const was = new Set((before?.tags as string[] | undefined) ?? []);
    const now = new Set(after.tags as string[]);
    for (const tag of was) if (!now.has(tag)) this.model.tagRemoved(id, tag);
    for (const tag of now) if (!was.has(tag)) this.model.tagAdded(id, tag);
  }

  private async edit(device: number, kind: Kind, slot: number, field: string, value: unknown): Promise<void> {
    const id = this.ids[kind][slot];
    if (!id) return;
    const services = this.world.fuzzDevice(device).device.services;
    const patch = { [field]: value };
    const write = () =>
      kind === 'contacts'
        ? services.contacts.update(id, patch)
        : kind === 'groups'
          ? services.groups.update(id, patch)
          : kind === 'templates'
            ? services.templates.update(id, patch)
            : services.campaigns.updateDraft(id, patch);
    await this.onDevice(device, kind, id, write, (_, before, after, clean) => {
      // A pull that landed between the reads may have been what this edit overwrote.
      if (!clean) this.model.unsure(kind, id, field);
      this.model.edit(`device ${device}`, kind, id, field, after[field], before?.[field]);
    });
  }

  private async remove(device: number, kind: Kind, slot: number): Promise<void> {
    const id = this.ids[kind][slot];
    if (!id) return;
    const services = this.world.fuzzDevice(device).device.services;
    await this.onDevice(
      device,
      kind,
      id,
      () => services[kind].remove(id),
      () => {},
    );
  }

  private async tag(device: number, slot: number, add: boolean, index: number): Promise<void> {
    const id = this.ids.contacts[slot];
    const d = this.world.fuzzDevice(device);
    if (!id) return;
    const current = await this.world.read(d, 'contacts', id);
    if (!current || current._deleted) return;
    const tags = current.tags as string[];
    if (!add && tags.length === 0) return;
    const next = add
      ? [...tags, `t${this.number}x${index}`]
      : tags.filter((t) => t !== tags[index % tags.length]);
    await this.onDevice(
      device,
      'contacts',
      id,
      () => d.device.services.contacts.update(id, { tags: next }),
      (_, before, after) => this.tagsChanged(id, before, after),
    );
  }

  private async importRows(device: number, slots: number[], index: number): Promise<void> {
    const d = this.world.fuzzDevice(device);
    const services = d.device.services;
    const unique = [...new Set(slots)];
    const rows = unique.map((slot, i) => ({
      slot,
      name: `i${this.number}x${index}r${i}`,
      notes: `o${this.number}x${index}r${i}`,
    }));
    const csv = `phone,name,notes\n${rows.map((r) => `${this.phone(r.slot)},${r.name},${r.notes}`).join('\n')}\n`;
    const ids = unique.map((slot) => this.ids.contacts[slot] as string);
    const before = await Promise.all(ids.map((id) => this.world.read(d, 'contacts', id)));
    const file = new File([csv], 'fuzz.csv', { type: 'text/csv' });
    const preview = await services.imports.preview(file);
    if (!preview.ok) return;
    const run = services.imports.start(
      file,
      { mapping: preview.value.mapping, group_ids: [], tags: [], existing: 'fill' },
      () => {},
    );
    const report = await run.done;
    if (!report.ok) return;
    for (const [i, id] of ids.entries()) {
      const was = before[i];
      const after = await this.world.read(d, 'contacts', id);
      const row = rows[i];
      if (!after || !row) continue;
      if (height(after) === height(was)) continue; // unchanged
      if (height(after) !== height(was) + 1) {
        this.model.unsure('contacts', id, 'deleted');
        this.model.unsure('contacts', id, 'tags');
      } else {
        this.model.event('contacts', id, after._deleted, Date.parse(after.updated_at));
      }
      const created = !was || was._deleted;
      for (const field of FIELDS.contacts) {
        const mine = field === 'name' ? row.name : field === 'notes' ? row.notes : undefined;
        if (created || after[field] === mine)
          this.model.edit(`device ${device}`, 'contacts', id, field, after[field], was?.[field]);
      }
      if (created) this.tagsChanged(id, was, after);
    }
  }

  private async serverEdit(kind: Kind, slot: number, field: string, value: unknown): Promise<void> {
    const id = this.ids[kind][slot];
    if (!id) return;
    const [row] = await this.world.db.query<{ old: unknown; at: string }>(
      `update public.${TABLE[kind]} t set ${field} = $1, updated_at = ${NOW}
         from (select id, ${field} as old from public.${TABLE[kind]} where id = $2 for update) o
        where t.id = o.id and not t._deleted
        returning o.old, t.updated_at as at`,
      [value, id],
    );
    if (!row) return;
    this.model.event(kind, id, false, Date.parse(row.at));
    this.model.edit('server', kind, id, field, value, row.old);
    this.log.push(`server wrote ${kind} ${id}`);
  }

  private async serverDelete(kind: Kind, slot: number): Promise<void> {
    const id = this.ids[kind][slot];
    if (!id) return;
    const [row] = await this.world.db.query<{ at: string }>(
      `update public.${TABLE[kind]} set _deleted = true, updated_at = ${NOW} where id = $1 and not _deleted returning updated_at as at`,
      [id],
    );
    if (row) this.model.event(kind, id, true, Date.parse(row.at));
  }

  private async serverCreate(slot: number, index: number): Promise<void> {
    const id = this.ids.contacts[slot] as string;
    const name = this.token('name', index) as string;
    const [row] = await this.world.db.query<{ at: string }>(
      `insert into public.contacts (id, workspace_id, phone, name, updated_at) values ($1, $2, $3, $4, ${NOW})
       on conflict do nothing returning updated_at as at`,
      [id, this.world.workspaceId, this.phone(slot), name],
    );
    if (!row) return;
    this.model.event('contacts', id, false, Date.parse(row.at));
    for (const field of FIELDS.contacts)
      this.model.edit('server', 'contacts', id, field, field === 'name' ? name : '', undefined);
  }

  /** All online and signed in, settled; then every device equals the server, and the model holds. */
  async finish(): Promise<Failure | undefined> {
    const w = this.world;
    for (const d of w.allDevices()) d.device.network.set(true);
    const signingIn = Date.now();
    for (const [i, d] of w.allDevices().entries()) {
      if (d.device.services.session().status !== 'signed-in') await w.signInDevice(i);
    }
    w.spend('finish: sign-in', signingIn);
    // Live replication alone must get there: realtime wakes pulls, pushes retry after backoff.
    // Settled once every device equals the server. A device that differs while everything is
    // quiet (see quiet()) for QUIET_MS missed a change: nothing is left that would bring it, so
    // that fails at once, however loaded the machine. SETTLE_MS only bounds a run that never
    // gets quiet (a replication retrying for ever).
    const settling = Date.now();
    const until = settling + SETTLE_MS;
    let quietSince: number | undefined;
    let differences = await this.differences();
    while (differences.length > 0) {
      if (Date.now() > until) {
        const errors = w
          .allDevices()
          .map(
            (d, i) =>
              `device ${i}: ${d.device.services.sync.state()}, last error: ${d.device.services.sync.lastError() ?? 'none'}`,
          );
        differences.unshift(`not settled within ${SETTLE_MS} ms (replications kept running):`, ...errors);
        break;
      }
      if (!(await w.quiet())) quietSince = undefined;
      else if (quietSince === undefined) quietSince = Date.now();
      else if (Date.now() - quietSince > QUIET_MS) {
        differences.unshift(
          `a change was missed: for ${QUIET_MS} ms every device was idle with nothing pending and the server had no realtime change left to deliver, yet:`,
        );
        break;
      }
      await sleep(POLL_MS);
      differences = await this.differences();
    }
    w.spend('finish: settle', settling);
    const problems = [...this.model.problems, ...differences];
    if (differences.length === 0) {
      const server = await this.serverRows();
      for (const kind of Object.keys(this.ids) as Kind[]) {
        for (const id of this.model.ids(kind)) problems.push(...this.model.check(id, server[kind].get(id)));
      }
    }
    return problems.length > 0 ? { message: problems.join('\n') } : undefined;
  }

  /** The server's rows of this run's records, by kind and id: one query for all four tables. */
  private async serverRows(): Promise<Record<Kind, Map<string, Record<string, unknown>>>> {
    const kinds = Object.keys(this.ids) as Kind[];
    const rows = await this.world.db.query<{ kind: Kind; row: Record<string, unknown> }>(
      kinds
        .map(
          (kind, i) =>
            `select '${kind}' as kind, to_jsonb(t) as row from public.${TABLE[kind]} t where id = any($${i + 1}::uuid[])`,
        )
        .join(' union all '),
      kinds.map((kind) => this.model.ids(kind)),
    );
    const byKind = Object.fromEntries(kinds.map((kind) => [kind, new Map()])) as Record<
      Kind,
      Map<string, Record<string, unknown>>
    >;
    for (const { kind, row } of rows) byKind[kind].set(String(row.id), row);
    return byKind;
  }

  /** Where a device's documents differ from the server's rows, or still wait to sync. */
  private async differences(): Promise<string[]> {
    const out: string[] = [];
    const server = await this.serverRows();
    for (const kind of Object.keys(this.ids) as Kind[]) {
      const rows = server[kind];
      for (const id of this.model.ids(kind)) {
        const row = rows.get(id);
        for (const [i, d] of this.world.allDevices().entries()) {
          const doc = await this.world.read(d, kind, id);
          if (!row && !doc) continue;
          if (!row || !doc) {
            out.push(
              `device ${i} ${kind} ${id}: ${row ? 'missing on the device' : 'never reached the server'}`,
            );
            continue;
          }
          for (const key of Object.keys(doc)) {
            if (META.has(key)) continue;
            if (!sameValue(doc[key], row[key])) {
              out.push(
                `device ${i} ${kind} ${id}.${key}: ${JSON.stringify(doc[key])} ≠ server ${JSON.stringify(row[key])}`,
              );
            }
          }
        }
      }
    }
    for (const [i, d] of this.world.allDevices().entries()) {
      const pending = d.device.services.sync.pending();
      if (pending !== 0) out.push(`device ${i}: ${pending} changes still pending`);
    }
    return out;
  }
}

/** How long the devices may keep replicating at the end of a run before it fails. */
const SETTLE_MS = 60_000;
/**
 * How long everything must be quiet before a difference counts as a missed change: longer than
 * what the app may be waiting for while it shows idle with nothing pending: the realtime pull
 * throttle (src/sync/engine.ts, 250 ms), a reconnect's restart (whose stop lets a push under
 * way answer, src/sync/push-window.ts), the re-pull of rows the server held back behind a
 * running transaction (src/sync/held-pull.ts, backing off to 2 s). A 1 s window failed seed 338
 * under a load of 28 with no lost change found. Only a settle that differs waits this long.
 */
const QUIET_MS = 2_500;
/** How often the settle compares the devices with the server. */
const POLL_MS = 25;

const NOW = `to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && TIMESTAMP.test(a) && TIMESTAMP.test(b)) {
    return Date.parse(a) === Date.parse(b);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}
