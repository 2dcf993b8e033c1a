#!/usr/bin/env bash
# Find or start PostGIS, create the registry database (UTF-8, C.UTF-8 ctype) and its two
# roles, and write the URLs config/settings.py reads:
#   .local/database_admin_url  the administrator (creates roles, extensions, test databases)
#   .local/database_owner_url  registry_owner: owns the database and its tables; migrations
#   .local/database_url        registry_app: what the server and its commands log in as
# The server: 1. $DATABASE_URL if set (an administrator's URL);  2. one answering on
# 127.0.0.1:5432;  3. else a project-local cluster under .local/pg on port 5433.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .local
DB_NAME=${DB_NAME:-registry}
OWNER=${DATABASE_OWNER_ROLE:-registry_owner}
APP=${DATABASE_APP_ROLE:-registry_app}
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
echo "$url" > .local/database_admin_url

admin_url="${url%/*}/postgres"
name="${url##*/}"
server="${url%/*}"            # scheme://user[:pw]@host:port
hostpart="${server#*@}"       # host:port

# A password per role, made once (trust auth ignores it; md5/scram servers need it).
password() {
  local file=".local/db_$1_password"
  [ -s "$file" ] || (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$file")
  cat "$file"
}
owner_pw=$(password owner); app_pw=$(password app)

psql -q -v ON_ERROR_STOP=1 "$admin_url" <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB', '$OWNER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$OWNER') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', '$APP')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$APP') \gexec
ALTER ROLE "$OWNER" PASSWORD '$owner_pw';
ALTER ROLE "$APP" PASSWORD '$app_pw' NOSUPERUSER NOCREATEDB NOCREATEROLE;
SELECT format('CREATE DATABASE %I OWNER %I TEMPLATE template0 ENCODING ''UTF8'' LC_COLLATE ''C.UTF-8'' LC_CTYPE ''C.UTF-8''', '$name', '$OWNER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$name') \gexec
ALTER DATABASE "$name" OWNER TO "$OWNER";
REVOKE ALL ON DATABASE "$name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE "$name" TO "$APP";
SQL

# Extensions need the administrator; tables made before the roles existed go to the owner.
psql -q -v ON_ERROR_STOP=1 "$url" <<SQL
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;
DO \$\$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
             AND pg_get_userbyid(c.relowner) <> '$OWNER'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
  LOOP
    EXECUTE format('ALTER %s %I OWNER TO %I',
                   CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                  WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                   r.relname, '$OWNER');
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> '$OWNER'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO %I', r.fn, '$OWNER');
  END LOOP;
END \$\$;
SQL

echo "postgres://$OWNER:$owner_pw@$hostpart/$name" > .local/database_owner_url
echo "postgres://$APP:$app_pw@$hostpart/$name" > .local/database_url
chmod 600 .local/database_*url
echo "database: $hostpart/$name (owner $OWNER, app $APP)"
