/** What the UI gets for contact groups (PigeonServices.groups). */
import type { Accessor } from 'solid-js';
import type { Result } from '../../domain/result.ts';
import type { ContactGroup } from '../../domain/types.ts';

export interface GroupsApi {
  list(): Accessor<ContactGroup[]>;
  add(input: { name: string; description?: string; color?: string }): Promise<Result<ContactGroup>>;
  update(
    id: string,
    patch: { name?: string; description?: string; color?: string | null },
  ): Promise<Result<ContactGroup>>;
  remove(id: string): Promise<Result>;
}
