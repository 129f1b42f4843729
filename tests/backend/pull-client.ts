// A test client of the pull_rows RPC: pages a workspace's contacts from a checkpoint.
import type { Backend, MintedUser } from './harness.ts';

export interface Checkpoint {
  modified: string;
  id: string;
}

interface Page {
  rows: { id: string; _modified: string; name: string }[];
  horizon: string;
}

export async function workspaceOf(backend: Backend, userId: string): Promise<string> {
  const [m] = await backend.db.query<{ workspace_id: string }>(
    'select workspace_id from public.workspace_members where user_id = $1',
    [userId],
  );
  return m!.workspace_id;
}

export function puller(user: MintedUser, ws: string) {
  async function pull(after?: Checkpoint): Promise<Page> {
    const { data, error } = await user.client.rpc('pull_rows', {
      p_table: 'contacts',
      p_workspace_id: ws,
      p_after_modified: after?.modified ?? null,
      p_after_id: after?.id ?? null,
      p_limit: 100,
    });
    if (error) throw new Error(error.message);
    return data as Page;
  }
  /** Pulls until a page comes back empty; returns the names seen and the new checkpoint. */
  async function drain(from?: Checkpoint): Promise<{ names: string[]; checkpoint: Checkpoint | undefined }> {
    let checkpoint = from;
    const names: string[] = [];
    for (;;) {
      const page = await pull(checkpoint);
      if (page.rows.length === 0) return { names, checkpoint };
      names.push(...page.rows.map((r) => r.name));
      const last = page.rows[page.rows.length - 1]!;
      checkpoint = { modified: last._modified, id: last.id };
    }
  }
  return { drain };
}

/** An insert of one contact, as a parameterised query for pg or backend.db. */
export function contactInsert(ws: string, name: string, phone: string) {
  return {
    // No id: the database derives it from workspace and phone.
    text: 'insert into public.contacts (workspace_id, phone, name) values ($1, $2, $3)',
    values: [ws, phone, name],
  };
}
