/** What the UI gets for message templates (PigeonServices.templates). */
import type { Accessor } from 'solid-js';
import type { Result } from '../../domain/result.ts';
import type { Template } from '../../domain/types.ts';

export interface TemplatesApi {
  list(): Accessor<Template[]>;
  get(id: Accessor<string | undefined>): Accessor<Template | undefined>;
  add(input: Pick<Template, 'name' | 'body' | 'language' | 'category'>): Promise<Result<Template>>;
  update(
    id: string,
    patch: Partial<Pick<Template, 'name' | 'body' | 'language' | 'category'>>,
  ): Promise<Result<Template>>;
  remove(id: string): Promise<Result>;
}
