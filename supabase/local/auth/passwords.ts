// bcrypt hashes as GoTrue stores them (cost 10, `$2a$`/`$2b$` strings in encrypted_password).
import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';

const COST = 10;
/** bcrypt reads only the first 72 bytes; a longer password would be silently cut. */
export const MAX_PASSWORD_BYTES = 72;

export function fitsBcrypt(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

// Compared against when there is no user (or no password), so a wrong email costs the same
// bcrypt work as a wrong password and timing does not reveal which accounts exist.
const dummyHash = hashPassword(randomUUID());

export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const against = hash ?? (await dummyHash);
  const matches = await bcrypt.compare(password, against);
  // bcrypt ignores bytes past 72; such a password was never accepted, so it never matches.
  return matches && hash != null && fitsBcrypt(password);
}
