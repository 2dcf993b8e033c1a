#!/usr/bin/env bash
# Find or start PostGIS, create the registry database (UTF-8, C.UTF-8 ctype) and
# write its URL to .local/database_url, which config/settings.py reads.
#   1. $DATABASE_URL if set;  2. a server answering on 127.0.0.1:5432;
#   3. else a project-local cluster under .local/pg on port 5433.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .local
DB_NAME=${DB_NAME:-registry}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ -n "${DATABASE_URL:-}" ]; then
  url=$DATABASE_URL
elif "$PGBIN/pg_isready" -q -h 127.0.0.1 -p 5432; then
  url="postgres://postgres@127.0.0.1:5432/$DB_NAME"
else
  data="$PWD/.local/pg"
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "initialising a project-local PostgreSQL cluster in $data"
    mkdir -p "$data"; [ "$(id -u)" -eq 0 ] && chown postgres "$data" "$PWD/.local"
    as_pg "$PGBIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p 5433; then
    as_pg "$PGBIN/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p 5433 -k $data -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  url="postgres://postgres@127.0.0.1:5433/$DB_NAME"
fi
echo "$url" > .local/database_url

# Create the database when missing, from template0 with a UTF-8 ctype.
admin_url="${url%/*}/postgres"
name="${url##*/}"
if ! psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1; then
  psql -q "$admin_url" -c "CREATE DATABASE \"$name\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
fi
echo "database: $url"
