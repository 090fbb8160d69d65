#!/usr/bin/env bash
# Starts (or reuses) a private PostgreSQL cluster for the PostgreSQL differential test and prints the
# connection settings as shell `export` lines:   eval "$(oracle/pg_start.sh)"
#
# The cluster lives in $SQLMONGO_PG_DIR (default: /tmp/sqlmongo-pg-$USER), listens on a unix socket in that
# directory and on 127.0.0.1:$SQLMONGO_PG_PORT (default 54329; the next free port is taken if that one is
# used by something else). PostgreSQL refuses to run as root, so as root the cluster belongs to the
# `postgres` system user (created by Debian's postgresql package). Idempotent: a running cluster is reused.
# Needs Debian's postgresql server package (initdb / pg_ctl under /usr/lib/postgresql/<version>/bin).
set -euo pipefail

log() { echo "pg_start: $*" >&2; }

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir="$d"; break; fi
done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then bindir="$(dirname "$(command -v initdb)")"; fi
if [ -z "$bindir" ]; then
  log "initdb/pg_ctl not found: install the postgresql package (apt-get install -y postgresql)"
  exit 1
fi

me="$(id -un)"
if [ "$(id -u)" = "0" ]; then
  owner=postgres
  if ! id -u "$owner" >/dev/null 2>&1; then log "as root, the 'postgres' user is needed"; exit 1; fi
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  owner="$me"
  as_owner() { "$@"; }
fi

dir="${SQLMONGO_PG_DIR:-/tmp/sqlmongo-pg-$me}"
data="$dir/data"
port="${SQLMONGO_PG_PORT:-54329}"

mkdir -p "$dir"
chown "$owner" "$dir" 2>/dev/null || true
chmod 700 "$dir"

if [ ! -f "$data/PG_VERSION" ]; then
  log "initdb in $data"
  as_owner "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || as_owner "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
fi

running_port=""
if as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  running_port="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || true)"
fi

if [ -n "$running_port" ]; then
  port="$running_port"
else
  rm -f "$data/postmaster.pid"
  # take the first port from $port on that nobody listens on
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port=$((port + 1)); else break; fi
  done
  log "starting PostgreSQL ($bindir) on port $port"
  as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC" \
    start >&2 || { tail -20 "$dir/server.log" >&2; exit 1; }
fi

# a database for the tests (idempotent)
if ! "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='sqlmongo_oracle'" | grep -q 1; then
  "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE sqlmongo_oracle" >&2
fi

echo "export PGHOST='$dir'"
echo "export PGPORT='$port'"
echo "export PGUSER=postgres"
echo "export PGDATABASE=sqlmongo_oracle"
echo "export SQLMONGO_PSQL='$bindir/psql'"
