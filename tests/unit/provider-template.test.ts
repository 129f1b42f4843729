import { expect, test } from 'vitest';
import {
  fillParameters,
  isApprovedFor,
  parameterCount,
  templatesFor,
} from '../../src/domain/provider-template.ts';
import type { Template } from '../../src/domain/types.ts';

test('parameters are counted by the highest {{n}} and filled in place', () => {
  const body = 'Hello {{1}}, your order {{ 2 }} ships {{2}} today';
  expect(parameterCount(body)).toBe(2);
  expect(parameterCount('No parameters, {{name}} is Pigeon syntax')).toBe(0);
  expect(fillParameters(body, ['Ana', '#42'])).toBe('Hello Ana, your order #42 ships #42 today');
  expect(fillParameters(body, ['Ana'])).toBe('Hello Ana, your order {{ 2 }} ships {{2}} today');
});

test('only an APPROVED Meta template of the same channel may be sent', () => {
  const base: Template = {
    id: 't',
    workspace_id: 'w',
    name: 'hello',
    body: 'Hi {{1}}',
    language: 'en',
    category: 'utility',
    updated_at: '2026-12-03T00:00:00Z',
    _modified: '2026-12-03T00:00:00Z',
    _deleted: false,
    provider: 'meta',
    channel_id: 'c1',
    provider_status: 'APPROVED',
  };
  expect(isApprovedFor(base, 'c1')).toBe(true);
  expect(isApprovedFor(base, 'c2')).toBe(false);
  expect(isApprovedFor({ ...base, provider_status: 'PENDING' }, 'c1')).toBe(false);
  expect(isApprovedFor({ ...base, provider: null, channel_id: null }, 'c1')).toBe(false);
});

test("a campaign offers a Meta channel's approved templates only, and Pigeon's own elsewhere", () => {
  const own = { id: 'own', provider: null, channel_id: null, provider_status: null } as Template;
  const approved = { id: 'a', provider: 'meta', channel_id: 'm', provider_status: 'APPROVED' } as Template;
  const pending = { id: 'p', provider: 'meta', channel_id: 'm', provider_status: 'PENDING' } as Template;
  const other = { id: 'o', provider: 'meta', channel_id: 'm2', provider_status: 'APPROVED' } as Template;
  const all = [own, approved, pending, other];
  expect(templatesFor(all, { id: 'm', provider: 'meta' }).map((t) => t.id)).toEqual(['a']);
  expect(templatesFor(all, { id: 'w', provider: 'whapi' }).map((t) => t.id)).toEqual(['own']);
  expect(templatesFor(all, undefined).map((t) => t.id)).toEqual(['own']);
});
