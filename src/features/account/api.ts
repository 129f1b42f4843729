// The signed-in user's own account: password reset by mail and password change.
import type { Result } from '../../domain/result.ts';

export interface AccountApi {
  /** Mails a reset link when the address has an account; the answer is the same either way. */
  requestPasswordReset(email: string): Promise<Result>;
  /**
   * Signs in from the reset link's landing (the URL fragment /verify redirected with);
   * an error naming why when the link was used or expired.
   */
  openResetLink(fragment: string): Promise<Result>;
  /** Without the current password, only right after signing in (or opening a reset link). */
  changePassword(newPassword: string, currentPassword?: string): Promise<Result>;
}
