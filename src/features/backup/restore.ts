/**
 * A restore's writes: the records a plan adds are inserted (in batches, through the local
 * writes pushes wait for, as an import's), the fields it changes are edited, each stamped as
 * any edit (src/features/shared/edit.ts), so they sync and merge like the user's own.
 */
import type { RxCollection } from 'rxdb';
import type { BackupCollection, BackupRecord } from '../../domain/backup.ts';
import type { RestorePlan, RestoreStep } from '../../domain/backup-plan.ts';
import { CAMPAIGN_SERVER_DEFAULTS } from '../../domain/campaign-commands.ts';
import type { Result } from '../../domain/result.ts';
import { editDocument, insertDocuments } from '../shared/edit.ts';
import type { Scope } from '../shared/scope.ts';
import type { RestoreOutcome } from './api.ts';

/** Records per storage write: big enough to be quick, small enough to let the page paint. */
const BATCH = 1_000;

// biome-ignore lint/suspicious/noExplicitAny: the four collections, each its own document type.
type AnyCollection = RxCollection<any>;

export async function applyRestore(scope: Scope, plan: RestorePlan): Promise<Result<RestoreOutcome>> {
  const adds = plan.steps.filter((step) => step.kind === 'add');
  const changes = plan.steps.filter((step) => step.kind === 'change');
  try {
    await scope.writes.run(async () => {
      for (let start = 0; start < adds.length; start += BATCH) {
        const batch = adds.slice(start, start + BATCH);
        for (const [collection, steps] of byCollection(batch)) {
          await insertDocuments(
            scope.db[collection] as AnyCollection,
            steps.map((step) => newDocument(scope.workspace.id, step)),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    });
    for (const step of changes) {
      const edited = await editDocument(
        scope,
        scope.db[step.collection] as AnyCollection,
        step.id,
        (current) => ({
          ...current,
          ...changedValues(step),
        }),
      );
      if (!edited.ok) return { ok: false, error: `${step.label}: ${edited.error}` };
    }
  } catch (err) {
    return { ok: false, error: `The restore stopped: ${(err as Error).message}` };
  }
  return { ok: true, value: { added: adds.length, changed: changes.length } };
}

function byCollection(steps: readonly RestoreStep[]): Map<BackupCollection, RestoreStep[]> {
  const out = new Map<BackupCollection, RestoreStep[]>();
  for (const step of steps) {
    const list = out.get(step.collection) ?? [];
    list.push(step);
    out.set(step.collection, list);
  }
  return out;
}

/** A whole new document of the record; the server's own fields at their defaults. */
function newDocument(
  workspaceId: string,
  step: RestoreStep,
): Record<string, unknown> & { id: string; workspace_id: string } {
  const doc = { ...step.record, workspace_id: workspaceId };
  switch (step.collection) {
    case 'contacts': {
      const { opted_out } = step.record as BackupRecord<'contacts'>;
      return { ...doc, opted_out_at: opted_out ? new Date().toISOString() : null };
    }
    case 'campaigns':
      return { ...doc, ...CAMPAIGN_SERVER_DEFAULTS };
    default:
      return doc;
  }
}

/** The fields a change writes; an opt-out it sets carries its time. */
function changedValues(step: RestoreStep): Record<string, unknown> {
  const record = step.record as unknown as Record<string, unknown>;
  const values = Object.fromEntries(step.fields.map((field) => [field, record[field]]));
  if ('opted_out' in values) values.opted_out_at = values.opted_out ? new Date().toISOString() : null;
  return values;
}
