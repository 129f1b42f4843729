#!/usr/bin/env bash
# `npm test`: typecheck, lint, then every test. Backend tests run on PGlite, and on
# PostgreSQL 15 too when its binaries are here (always in CI, which installs them). The e2e
# tests build the app once and drive Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if [ -x /usr/lib/postgresql/15/bin/initdb ] || [ "${CI:-}" = true ]; then
    TEST_DATABASE_URL="$(bash tests/backend/postgres-server.sh)"
    export TEST_DATABASE_URL
  else
    echo "note: PostgreSQL 15 not installed; backend tests run on PGlite only" >&2
  fi
fi
npx tsc --noEmit -p tsconfig.json
# The service worker again, against the WebWorker lib alone (no DOM globals).
npx tsc --noEmit -p sw/tsconfig.json
npx biome check .
# The layout's import rules: no import cycle, each layer imports only those below it
# (.dependency-cruiser.cjs).
npm run --silent lint:deps
npx vitest run "$@"
