import { defineConfig } from 'vitest/config';

// Backend tests run on PGlite always, and again on PostgreSQL when TEST_DATABASE_URL is set
// (CI starts one: see .ci/run and tests/backend/postgres-server.sh).
const withPostgres = Boolean(process.env.TEST_DATABASE_URL);

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'src/**/*.test.ts', 'supabase/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'backend-pglite',
          include: ['tests/backend/**/*.test.ts'],
          // *.pg.test.ts need concurrent connections, which PGlite (one connection) has not.
          exclude: ['tests/backend/**/*.pg.test.ts'],
          env: { PIGEON_TEST_DB: 'pglite' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      ...(withPostgres
        ? [
            {
              test: {
                name: 'backend-postgres',
                include: ['tests/backend/**/*.test.ts'],
                env: { PIGEON_TEST_DB: 'postgres' },
                testTimeout: 60_000,
                hookTimeout: 120_000,
              },
            },
          ]
        : []),
    ],
  },
});
