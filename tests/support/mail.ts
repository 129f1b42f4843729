// Reading the local stack's mail catcher (/_mail.json) as a user reads their inbox.
export interface CaughtMail {
  id: number;
  to: string;
  subject: string;
  body: string;
  kind: string;
  created_at: string;
}

export async function mailsTo(apiUrl: string, to: string): Promise<CaughtMail[]> {
  const res = await fetch(`${apiUrl}/_mail.json?to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`/_mail.json answered ${res.status}`);
  return (await res.json()) as CaughtMail[];
}

/** The newest mail to `to` of this kind; fails when there is none. */
export async function lastMail(apiUrl: string, to: string, kind: string): Promise<CaughtMail> {
  const mail = (await mailsTo(apiUrl, to)).find((m) => m.kind === kind);
  if (!mail) throw new Error(`no ${kind} mail to ${to}`);
  return mail;
}

/** The first link in a mail's text. */
export function linkIn(mail: CaughtMail): string {
  const match = /https?:\/\/\S+/.exec(mail.body);
  if (!match) throw new Error(`no link in the mail "${mail.subject}"`);
  return match[0];
}
