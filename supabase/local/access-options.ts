// Who may reach `npm start` and `npm run backend`, from the environment:
//   PIGEON_DEMO_PASSWORD  the demo account's password (required beyond loopback while the
//                         demo account exists; supabase/local/exposure.ts)
//   PIGEON_CORS_ORIGINS   comma-separated web origins allowed to call the API besides the app
//                         on the same host (any origin on loopback when unset)
import { DEFAULT_DEMO_PASSWORD, DEMO_EMAIL } from './exposure.ts';
import type { StackOptions } from './stack.ts';

export function accessOptions(
  env: NodeJS.ProcessEnv = process.env,
): Pick<StackOptions, 'demoPassword' | 'corsOrigins'> {
  const origins = env.PIGEON_CORS_ORIGINS?.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return {
    ...(env.PIGEON_DEMO_PASSWORD ? { demoPassword: env.PIGEON_DEMO_PASSWORD } : {}),
    ...(origins?.length ? { corsOrigins: origins } : {}),
  };
}

/** The demo login line `npm start` and `npm run backend` print (never a password of the user's own). */
export function demoLoginBanner(opts: ReturnType<typeof accessOptions>): string {
  return `  Demo login:       ${DEMO_EMAIL} / ${opts.demoPassword ? '(PIGEON_DEMO_PASSWORD)' : DEFAULT_DEMO_PASSWORD}`;
}
