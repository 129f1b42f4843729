/**
 * The account API over supabase-js's auth client: /recover mails the reset link, whose
 * /verify redirect lands on the app's reset page with a session in the URL fragment (read
 * here, not by supabase-js's detectSessionInUrl, so the page decides when), and PUT /user
 * changes the password, with the current one when the sign-in is not recent.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { checkEmail } from '../../domain/field-checks.ts';
import type { Result } from '../../domain/result.ts';
import type { AccountApi } from './api.ts';

export interface AccountDeps {
  client: SupabaseClient;
  online(): boolean;
  /** The app's reset page, where the mailed link lands (…/reset-password). */
  resetUrl: string;
}

const OK: Result = { ok: true, value: undefined };

export function createAccountApi(deps: AccountDeps): AccountApi {
  const { client } = deps;
  const failed = (message: string): Result => ({
    ok: false,
    error: deps.online() ? message : "You're offline: this needs a connection.",
  });

  return {
    async requestPasswordReset(email) {
      const checked = checkEmail(email);
      if (!checked.ok) return checked;
      if (checked.value === '') return { ok: false, error: 'Email: required' };
      const { error } = await client.auth.resetPasswordForEmail(checked.value, { redirectTo: deps.resetUrl });
      return error ? failed(error.message) : OK;
    },

    async openResetLink(fragment) {
      const params = new URLSearchParams(fragment.replace(/^#/, ''));
      const accessToken = params.get('access_token');
      const refreshToken = params.get('refresh_token');
      if (params.get('error') || !accessToken || !refreshToken) {
        return {
          ok: false,
          error: `This reset link cannot be used: ${params.get('error_description') ?? 'it is incomplete'}. Ask for a new one.`,
        };
      }
      const { error } = await client.auth.setSession({
        access_token: accessToken,
        refresh_token: refreshToken,
      });
      return error ? failed(error.message) : OK;
    },

    async changePassword(newPassword, currentPassword) {
      const { error } = await client.auth.updateUser({
        password: newPassword,
        ...(currentPassword ? { current_password: currentPassword } : {}),
      });
      return error ? failed(error.message) : OK;
    },
  };
}
