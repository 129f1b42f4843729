/** Message templates of the current workspace. */
import type { RxDocument } from 'rxdb';
import { map, of, switchMap } from 'rxjs';
import { v4 as uuidv4 } from 'uuid';
import { domainOf, type TemplateDoc } from '../../db/documents.ts';
import { checkCategory, checkLanguage, checkTemplateBody, checkText } from '../../domain/field-checks.ts';
import type { Result } from '../../domain/result.ts';
import type { Template } from '../../domain/types.ts';
import { editDocument, insertDocument, removeDocument } from '../shared/edit.ts';
import { liveDocument } from '../shared/queries.ts';
import { toAccessor } from '../shared/reactive.ts';
import { awaitScope, NO_SCOPE, type ScopeSource } from '../shared/scope.ts';
import type { TemplatesApi } from './api.ts';

type TemplateFields = Pick<Template, 'name' | 'body' | 'language' | 'category'>;

export function createTemplatesApi(source: ScopeSource): TemplatesApi {
  const templates$ = source.scope$.pipe(
    switchMap((scope) =>
      scope
        ? scope.db.templates
            .find({ selector: { workspace_id: scope.workspace.id }, sort: [{ name: 'asc' }] })
            .$.pipe(map((docs) => docs.map((doc) => domainOf<Template>(doc))))
        : of([]),
    ),
  );

  return {
    list: () => toAccessor<Template[]>(templates$, []),

    get: (id) => liveDocument<Template>(source, (db) => db.templates, id),

    async add(input) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const fields = checkTemplate(input);
      if (!fields.ok) return fields;
      const doc = await insertDocument(scope.db.templates, {
        id: uuidv4(),
        workspace_id: scope.workspace.id,
        name: '',
        body: '',
        language: 'en',
        category: 'marketing',
        ...fields.value,
      });
      return { ok: true, value: domainOf<Template>(doc) };
    },

    async update(id, patch) {
      const scope = await awaitScope(source);
      if (!scope) return NO_SCOPE;
      const fields = checkTemplate(patch);
      if (!fields.ok) return fields;
      return saved(
        await editDocument(scope, scope.db.templates, id, (current) => ({
          ...current,
          ...fields.value,
        })),
      );
    },

    async remove(id) {
      const scope = await awaitScope(source);
      return scope ? removeDocument(scope, scope.db.templates, id) : NO_SCOPE;
    },
  };
}

function checkTemplate(input: Partial<TemplateFields>): Result<Partial<TemplateFields>> {
  const out: Partial<TemplateFields> = {};
  if (input.name !== undefined) {
    const name = checkText('Name', input.name, { min: 1, max: 200 });
    if (!name.ok) return name;
    out.name = name.value;
  }
  if (input.body !== undefined) {
    const body = checkTemplateBody(input.body);
    if (!body.ok) return body;
    out.body = body.value;
  }
  if (input.language !== undefined) {
    const language = checkLanguage(input.language);
    if (!language.ok) return language;
    out.language = language.value;
  }
  if (input.category !== undefined) {
    const category = checkCategory(input.category);
    if (!category.ok) return category;
    out.category = category.value;
  }
  return { ok: true, value: out };
}

function saved(result: Result<RxDocument<TemplateDoc>>): Result<Template> {
  return result.ok ? { ok: true, value: domainOf<Template>(result.value) } : result;
}
