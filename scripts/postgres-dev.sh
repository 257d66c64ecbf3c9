#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on this machine, for development and CI (Debian bookworm, root).
#
#   scripts/postgres-dev.sh up     install Debian's postgresql-15 (once), create the cluster (once),
#                                  start it; idempotent: a running cluster is left as it is. Prints
#                                  the connection URL and writes it to $DIR/url.
#   scripts/postgres-dev.sh down   stop the cluster and delete it (data, socket, URL file)
#   scripts/postgres-dev.sh url    prints the URL of the running cluster; exit 1 when it is down
#   scripts/postgres-dev.sh restart  pg_ctl restart -m fast of the running cluster (every session
#                                  is ended, the server comes back on the same port and socket);
#                                  for the database-restart test, on a cluster of its own
#                                  (FLOWSERV_PG_DEV_DIR): never restart a cluster others use
#
# The cluster runs as user `postgres` with `initdb -A trust` (anyone on this machine may connect:
# test data only), listens on a Unix socket in $DIR/socket and on 127.0.0.1 at the first free port
# in 55432–55439. fsync stays on (the store's durability is part of what the tests measure).
# Tests read the URL from FLOWSERV_TEST_DATABASE_URL, else from $DIR/url
# (test/support/postgres.ts).
#
# Environment (optional): FLOWSERV_PG_DEV_DIR (default /tmp/flowserv-postgres-dev).
set -euo pipefail

readonly VERSION=15
readonly BIN="/usr/lib/postgresql/$VERSION/bin"
readonly DIR="${FLOWSERV_PG_DEV_DIR:-/tmp/flowserv-postgres-dev}"
readonly DATA="$DIR/data"
readonly SOCKET="$DIR/socket"
readonly URL_FILE="$DIR/url"
readonly LOG_FILE="$DIR/postgres.log"
readonly FIRST_PORT=55432
readonly LAST_PORT=55439

log() { printf 'postgres-dev: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_postgres() { runuser -u postgres -- "$@"; }

install_packages() {
  [[ -x "$BIN/initdb" && -x "$BIN/pg_ctl" ]] && return 0
  [[ $EUID -eq 0 ]] || die "installing postgresql-$VERSION needs root"
  log "installing postgresql-$VERSION"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "postgresql-$VERSION" >/dev/null 2>&1; then
    log 'apt-get install failed; running apt-get update and retrying'
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "postgresql-$VERSION" >/dev/null
  fi
  [[ -x "$BIN/initdb" ]] || die "postgresql-$VERSION installed but $BIN/initdb is missing"
}

is_running() { [[ -d "$DATA" ]] && as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

# The port the running cluster listens on (from its postmaster.pid, line 4).
running_port() { sed -n 4p "$DATA/postmaster.pid"; }

url_for() { printf 'postgresql://postgres@%s:%s/postgres\n' "$(printf '%s' "$SOCKET" | sed 's|/|%2F|g')" "$1"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

init_cluster() {
  [[ -f "$DATA/PG_VERSION" ]] && return 0
  install -d -o postgres -g postgres -m 0755 "$DIR" "$SOCKET"
  rm -rf "$DATA"
  log "initdb $DATA"
  as_postgres "$BIN/initdb" -D "$DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
}

start_cluster() {
  local port
  for ((port = FIRST_PORT; port <= LAST_PORT; port++)); do
    port_in_use "$port" && continue
    log "starting on port $port (socket in $SOCKET)"
    if as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$LOG_FILE" -w -t 60 start \
      -o "-p $port -k $SOCKET -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null; then
      return 0
    fi
    log "start on port $port failed; trying the next port (log: $LOG_FILE)"
  done
  die "no free port in $FIRST_PORT-$LAST_PORT or the server does not start; see $LOG_FILE"
}

cmd_up() {
  install_packages
  if ! is_running; then
    init_cluster
    start_cluster
  fi
  local url
  url="$(url_for "$(running_port)")"
  as_postgres "$BIN/psql" -q -X -d "$url" -c 'SELECT 1' >/dev/null || die "cluster started but does not answer at $url"
  printf '%s\n' "$url" >"$URL_FILE.tmp"
  chmod 0644 "$URL_FILE.tmp"
  mv -f "$URL_FILE.tmp" "$URL_FILE"
  printf '%s\n' "$url"
}

cmd_down() {
  if is_running; then
    log 'stopping'
    as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  fi
  rm -rf "$DIR"
}

cmd_restart() {
  is_running || die "not running (scripts/postgres-dev.sh up)"
  log 'restarting (fast)'
  # pg_ctl restart reuses the options of the last start (postmaster.opts): same port, same socket.
  as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$LOG_FILE" -m fast -w -t 60 restart >/dev/null
}

cmd_url() {
  is_running || die "not running (scripts/postgres-dev.sh up)"
  url_for "$(running_port)"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  url) cmd_url ;;
  restart) cmd_restart ;;
  *) die "usage: $0 up|down|url|restart" ;;
esac
