// Rows of the server as stored documents and back (src/db/documents.ts).
import { describe, expect, test } from 'vitest';
import { storedProperties } from '../../src/db/collections.ts';
import { documentToRow, rowToDocument, toDomain, type WorkspaceDoc } from '../../src/db/documents.ts';
import type { Workspace } from '../../src/domain/types.ts';

const row = {
  id: 'a0a0a0a0-0000-4000-8000-000000000001',
  workspace_id: 'a0a0a0a0-0000-4000-8000-000000000001',
  name: 'Acme',
  default_country: 'GB',
  time_zone: 'Europe/London',
  stop_keywords: ['STOP'],
  created_at: '2026-01-01T00:00:00+00:00',
  _modified: '2026-11-23T10:00:00.123456+00:00',
  _deleted: false,
};

describe('rowToDocument', () => {
  test('keeps the stored columns, renames _modified and drops the others', () => {
    const doc = rowToDocument<WorkspaceDoc>(storedProperties('workspaces'), row);
    expect(doc).toEqual({
      id: row.id,
      workspace_id: row.workspace_id,
      name: 'Acme',
      default_country: 'GB',
      time_zone: 'Europe/London',
      server_modified: '2026-11-23T10:00:00.123456+00:00',
      _deleted: false,
    });
  });

  test('a deleted row is a deleted document', () => {
    expect(
      rowToDocument<WorkspaceDoc>(storedProperties('workspaces'), { ...row, _deleted: true })._deleted,
    ).toBe(true);
  });
});

describe('documentToRow and toDomain', () => {
  const doc = rowToDocument<WorkspaceDoc>(storedProperties('workspaces'), row);

  test('a pushed row leaves the server version out (the server stamps its own)', () => {
    const pushed = documentToRow(doc);
    expect(pushed).not.toHaveProperty('server_modified');
    expect(pushed).not.toHaveProperty('_modified');
    expect(pushed).toMatchObject({ id: row.id, name: 'Acme', _deleted: false });
  });

  test('the UI gets the row shape of src/domain/types.ts back', () => {
    const workspace: Workspace = toDomain<Workspace>(doc);
    expect(workspace).toEqual({
      id: row.id,
      workspace_id: row.workspace_id,
      name: 'Acme',
      default_country: 'GB',
      time_zone: 'Europe/London',
      _modified: row._modified,
      _deleted: false,
    });
    const { server_modified: _, ...neverPushed } = doc;
    expect(toDomain<Workspace>(neverPushed)).not.toHaveProperty('_modified');
  });
});
