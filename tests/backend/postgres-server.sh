#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on 127.0.0.1:${PGPORT:-54329} with trust auth,
# for the backend tests. Prints the admin URL. Idempotent: reuses a running one.
set -euo pipefail
PGPORT="${PGPORT:-54329}"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
DIR="${PGDATA_DIR:-/tmp/pigeon-pg-$PGPORT}"
URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"

if [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL 15 binaries not found in $PGBIN; installing postgresql-15" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
fi
if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then echo "$URL"; exit 0; fi

# initdb refuses to run as root: run the cluster as the postgres system user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
rm -rf "$DIR"; mkdir -p "$DIR"
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-p $PGPORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c wal_level=logical -c fsync=off" start >/dev/null
echo "$URL"
