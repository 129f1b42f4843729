/** Contact groups of the current workspace. */

import type { RxDocument } from 'rxdb';
import { map, of, switchMap } from 'rxjs';
import { v4 as uuidv4 } from 'uuid';
import { domainOf, type GroupDoc } from '../../db/documents.ts';
import { checkColor, checkText } from '../../domain/field-checks.ts';
import type { Result } from '../../domain/result.ts';
import type { ContactGroup } from '../../domain/types.ts';
import { editDocument, insertDocument, removeDocument } from '../shared/edit.ts';
import { toAccessor } from '../shared/reactive.ts';
import { awaitScope, NO_SCOPE, type ScopeSource } from '../shared/scope.ts';
import type { GroupsApi } from './api.ts';

type GroupFields = Pick<ContactGroup, 'name' | 'description' | 'color'>;

export function createGroupsApi(source: ScopeSource): GroupsApi {
  const groups$ = source.scope$.pipe(
    switchMap((scope) =>
      scope
        ? scope.db.contact_groups
            .find({ selector: { workspace_id: scope.workspace.id }, sort: [{ name: 'asc' }] })
            .$.pipe(map((docs) => docs.map((doc) => domainOf<ContactGroup>(doc))))
        : of([]),
    ),
  );

  return {
    list: () => toAccessor<ContactGroup[]>(groups$, []),

    async add(input) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const fields = checkGroup({ description: '', color: null, ...input });
      if (!fields.ok) return fields;
      const doc = await insertDocument(scope.db.contact_groups, {
        id: uuidv4(),
        workspace_id: scope.workspace.id,
        name: '',
        description: '',
        color: null,
        ...fields.value,
      });
      return { ok: true, value: domainOf<ContactGroup>(doc) };
    },

    async update(id, patch) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const fields = checkGroup(patch);
      if (!fields.ok) return fields;
      return saved(
        await editDocument(scope, scope.db.contact_groups, id, (current) => ({
          ...current,
          ...fields.value,
        })),
      );
    },

    async remove(id) {
      const scope = await awaitScope(source);
      return scope ? removeDocument(scope, scope.db.contact_groups, id) : NO_SCOPE;
    },
  };
}

function checkGroup(input: Partial<GroupFields>): Result<Partial<GroupFields>> {
  const out: Partial<GroupFields> = {};
  if (input.name !== undefined) {
    const name = checkText('Name', input.name, { min: 1, max: 100 });
    if (!name.ok) return name;
    out.name = name.value;
  }
  if (input.description !== undefined) {
    const description = checkText('Description', input.description, { max: 1000 });
    if (!description.ok) return description;
    out.description = description.value;
  }
  if (input.color !== undefined) {
    const color = checkColor(input.color);
    if (!color.ok) return color;
    out.color = color.value;
  }
  return { ok: true, value: out };
}

function saved(result: Result<RxDocument<GroupDoc>>): Result<ContactGroup> {
  return result.ok ? { ok: true, value: domainOf<ContactGroup>(result.value) } : result;
}
