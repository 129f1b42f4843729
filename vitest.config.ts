import { defineConfig } from 'vitest/config';

// Backend tests run on PGlite always, and again on PostgreSQL when TEST_DATABASE_URL is set
// (CI starts one: see .ci/run and tests/backend/postgres-server.sh).
const withPostgres = Boolean(process.env.TEST_DATABASE_URL);

// The app tests run each simulated device in its own module graph (tests/backend/app-devices.ts);
// rxdb must then be loaded by vitest, not by Node's cache, to be loaded anew per device.
const perDeviceModules = { deps: { inline: [/\/node_modules\/rxdb\//] } };

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
          server: perDeviceModules,
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
                server: perDeviceModules,
                testTimeout: 60_000,
                hookTimeout: 120_000,
              },
            },
          ]
        : []),
      {
        test: {
          // Chromium against the built app (built once: tests/e2e/global-setup.ts) and a fresh
          // backend per file. One file at a time, and after the other projects (groupOrder),
          // so timings are not skewed by backend tests on the same two cores.
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          // *.pg.e2e.test.ts need PostgreSQL (concurrent writers).
          exclude: withPostgres ? [] : ['tests/e2e/**/*.pg.e2e.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
