#!/usr/bin/env bash
# The test command of the README: sets up what the tests need on a fresh Debian/Ubuntu machine (idempotent)
# and runs every test: `cargo test --all-targets --all-features`, the doctests, and the examples (every
# feature on, so the tower-sessions store's tests and example run too; one build serves all three).
#
#   scripts/test.sh               set up, then run all tests and examples
#   scripts/test.sh --setup-only  only install / start what the tests need
#
# Set-up: Debian's postgresql and python3-pymongo (apt, only when missing and only as root; otherwise the
# PostgreSQL oracle / the pymongo client test is skipped loudly), the node packages of oracle/ (`npm ci`,
# only when missing or stale), and a private PostgreSQL cluster started by oracle/pg_start.sh. With SQLMONGO_REQUIRE_ORACLES=1 (CI sets it) a missing
# oracle tool makes the run fail instead of being skipped.
set -euo pipefail

cd "$(dirname "$0")/.."
root="$(pwd)"
setup_only=0
[ "${1:-}" = "--setup-only" ] && setup_only=1

say() { echo "==> $*" >&2; }
require="${SQLMONGO_REQUIRE_ORACLES:-0}"

# --- a C compiler (Rust's linker, and the build of mimalloc, the binary's allocator) ------------------
if ! command -v cc >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing gcc (apt-get): cc links Rust binaries and compiles mimalloc"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null
  else
    say "WARNING: no C compiler (cc); the build will fail"
  fi
fi

# --- PostgreSQL (server + psql) ------------------------------------------------------------------
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
if ! have_pg; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing postgresql (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
  else
    say "WARNING: PostgreSQL is not installed and this user cannot apt-get it; the PostgreSQL oracle will be skipped"
  fi
fi

# --- pymongo (a real MongoDB client for tests/wire.rs against `sqlmongo serve`) ------------------------
have_pymongo() { python3 -c 'import pymongo' >/dev/null 2>&1 || /usr/bin/python3 -c 'import pymongo' >/dev/null 2>&1; }
if ! have_pymongo; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing python3-pymongo (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3-pymongo >/dev/null
  else
    say "WARNING: pymongo is not installed and this user cannot apt-get it; the pymongo client test will be skipped"
  fi
fi

# --- util-linux `script` (a pseudo-terminal for tests/repl_pty.rs) -----------------------------------
if ! command -v script >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing bsdutils (apt-get) for \`script\`"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends bsdutils >/dev/null
  else
    say "WARNING: \`script\` is not installed; the REPL terminal test will be skipped"
  fi
fi

# --- node + npm (the mingo oracle and the Node driver client) -------------------------------------------
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing nodejs and npm (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
fi

# --- node packages: the mingo oracle, the Node driver client, Express + express-session + connect-mongo ---
if command -v npm >/dev/null 2>&1; then
  if [ ! -d oracle/node_modules/mingo ] || [ ! -d oracle/node_modules/connect-mongo ] || [ oracle/package-lock.json -nt oracle/node_modules/.package-lock.json ]; then
    say "npm ci in oracle/"
    (cd oracle && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
else
  say "WARNING: npm not found; the mingo oracle will be skipped"
fi

# --- start PostgreSQL and export its settings for the tests -----------------------------------------
if have_pg; then
  if pg_env="$(oracle/pg_start.sh)"; then
    eval "$pg_env"
    say "PostgreSQL oracle database: $PGHOST port $PGPORT"
  elif [ "$require" = "1" ]; then
    say "ERROR: could not start PostgreSQL"; exit 1
  else
    say "WARNING: could not start PostgreSQL; the PostgreSQL oracle will be skipped"
  fi
fi

[ "$setup_only" = "1" ] && exit 0

# --- tests -------------------------------------------------------------------------------------------
say "cargo test --all-targets --all-features"
cargo test --all-targets --all-features

say "cargo test --doc --all-features"
cargo test --doc --all-features

# --- examples ----------------------------------------------------------------------------------------
# `--profile test`: the binaries `cargo test` just built (the dev profile would build the crate once more).
shopt -s nullglob
for ex in examples/*.rs; do
  name="$(basename "$ex" .rs)"
  # A server that runs until stopped: tests/sessions_axum.rs drives it with HTTP requests.
  [ "$name" = axum_sessions ] && continue
  say "example: cargo run --example $name"
  cargo run --quiet --profile test --all-features --example "$name" >/dev/null
done
for sql in examples/*.sql; do
  say "example: sqlmongo run $sql"
  cargo run --quiet --profile test --all-features -- run "$sql" >/dev/null
done
say "all tests passed ($root)"
