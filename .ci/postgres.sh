#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the test suite and print its DSN.
#
# Debian's `postgresql` package is installed when missing; the server runs as the
# `postgres` user (initdb refuses root) from a temporary directory, listening on
# 127.0.0.1 only. fsync stays on, so durability figures measured against it hold.
# Running the script again while a server answers on the port does nothing but print
# the DSN, so CI steps and developers can call it freely.
#
#   bash .ci/postgres.sh                      # prints postgresql://postgres@127.0.0.1:54329/postgres
#   ORDER_CANCELLATION_PG_PORT=5433 bash .ci/postgres.sh
set -euo pipefail

PORT="${ORDER_CANCELLATION_PG_PORT:-54329}"
HOST=127.0.0.1
DSN="postgresql://postgres@${HOST}:${PORT}/postgres"

log() { printf '%s\n' "postgres.sh: $*" >&2; }

answers() {
    # pg_isready comes with the client package; fall back to a bare TCP probe.
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$HOST" -p "$PORT" -U postgres -d postgres -t 2
    else
        (exec 3<>"/dev/tcp/${HOST}/${PORT}") 2>/dev/null
    fi
}

if answers; then
    log "a server already answers on ${HOST}:${PORT}; nothing to do."
    echo "$DSN"
    exit 0
fi

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

bindir() {
    # The newest server installed by Debian's packages (15 on Debian 12).
    find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null \
        | sort -V | tail -n 1
}

BIN="$(bindir)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    log "installing Debian's postgresql package..."
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    BIN="$(bindir)"
fi
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    log "no initdb found under /usr/lib/postgresql/*/bin after installing; check apt's output."
    exit 1
fi

DIR="$(mktemp -d "${TMPDIR:-/tmp}/order-cancellation-pg.XXXXXX")"
START="'$BIN/initdb' -D '$DIR/data' -A trust -U postgres -E UTF8 --no-locale >'$DIR/initdb.log' &&
  '$BIN/pg_ctl' -D '$DIR/data' -l '$DIR/server.log' -w -t 60 start \
    -o \"-k '$DIR' -c listen_addresses=$HOST -p $PORT -c fsync=on -c max_connections=200\" >/dev/null"

if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root: hand the directory to the postgres user.
    if ! id postgres >/dev/null 2>&1; then
        log "no 'postgres' user; the postgresql package creates it. Install the package."
        exit 1
    fi
    chown postgres "$DIR"
    su postgres -s /bin/sh -c "$START"
else
    sh -c "$START"
fi

for _ in $(seq 1 60); do
    if answers; then
        log "server ready on ${HOST}:${PORT} (data in $DIR/data, log $DIR/server.log, fsync on)."
        log "stop it with: su postgres -s /bin/sh -c \"'$BIN/pg_ctl' -D '$DIR/data' -m fast stop\""
        echo "$DSN"
        exit 0
    fi
    sleep 0.5
done
log "the server did not answer within 30 s; see $DIR/server.log"
exit 1
