#!/usr/bin/env bash
# A private PostgreSQL server for the `postgres` target, on loopback only.
#
#   scripts/postgres_server.sh start   install (Debian `postgresql`) if missing, create the
#                                      cluster on first use, start it, create role + database
#   scripts/postgres_server.sh stop
#
# Settings (the `postgres` target in profiles.yml reads the same variables):
#   OPT_OUT_PG_PORT (54329)  OPT_OUT_PG_USER (opt_out)  OPT_OUT_PG_DATABASE (opt_out)
#   OPT_OUT_PG_DATA (/tmp/opt_out_postgres, the cluster's folder)
#   OPT_OUT_PG_PASSWORD: the role's password. When unset, one is generated on first start and
#   kept (owner-only) in warehouse/postgres.password, which `make` and the tests read.
# Connections need the password (scram-sha-256) and come over 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077

PORT=${OPT_OUT_PG_PORT:-54329}
ROLE=${OPT_OUT_PG_USER:-opt_out}
DB=${OPT_OUT_PG_DATABASE:-opt_out}
DATA=${OPT_OUT_PG_DATA:-/tmp/opt_out_postgres}
PASSWORD_FILE=warehouse/postgres.password

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

# initdb and the server refuse to run as root: run them as the `postgres` account then.
as_server_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_if_missing() {
    if [ -z "$(pg_bin)" ]; then
        echo "PostgreSQL not found: installing the Debian package postgresql" >&2
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    fi
}

password() {
    if [ -n "${OPT_OUT_PG_PASSWORD:-}" ]; then
        printf '%s' "$OPT_OUT_PG_PASSWORD"
        return
    fi
    mkdir -p warehouse
    if [ ! -s "$PASSWORD_FILE" ]; then
        head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$PASSWORD_FILE"
    fi
    cat "$PASSWORD_FILE"
}

start() {
    install_if_missing
    local bin
    bin=$(pg_bin)
    if [ ! -s "$DATA/PG_VERSION" ]; then
        mkdir -p "$DATA"
        [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
        as_server_user "$bin/initdb" --pgdata="$DATA" --auth-local=peer --auth-host=scram-sha-256 \
            --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_server_user "$bin/pg_ctl" status --pgdata="$DATA" >/dev/null 2>&1; then
        as_server_user "$bin/pg_ctl" start --pgdata="$DATA" --wait --log="$DATA/server.log" \
            -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DATA -c fsync=on" >/dev/null
    fi
    local pw
    pw=$(password)
    # The role and database are created once; the password is (re)set every start.
    PGOPTIONS="-c client_min_messages=warning" as_server_user "$bin/psql" --host="$DATA" --port="$PORT" --dbname=postgres --quiet \
        --no-psqlrc --set=ON_ERROR_STOP=1 --set=role="$ROLE" --set=db="$DB" --set=pw="$pw" <<'SQL'
select format('create role %I login', :'role')
where not exists (select from pg_roles where rolname = :'role') \gexec
select format('alter role %I password %L', :'role', :'pw') \gexec
select format('create database %I owner %I', :'db', :'role')
where not exists (select from pg_database where datname = :'db') \gexec
select format('grant pg_read_server_files to %I', :'role') \gexec
SQL
    # Landed rows are read through file_fdw (python -m opt_out_io load-landing), never stored as loaded.
    PGOPTIONS="-c client_min_messages=warning" as_server_user "$bin/psql" --host="$DATA" --port="$PORT" --dbname="$DB" --quiet \
        --no-psqlrc --set=ON_ERROR_STOP=1 --set=role="$ROLE" <<'SQL'
create extension if not exists file_fdw;
create server if not exists landing_files foreign data wrapper file_fdw;
select format('grant usage on foreign server landing_files to %I', :'role') \gexec
SQL
    echo "PostgreSQL listening on 127.0.0.1:$PORT (database $DB, role $ROLE)"
}

stop() {
    local bin
    bin=$(pg_bin)
    [ -n "$bin" ] && [ -s "$DATA/PG_VERSION" ] || return 0
    as_server_user "$bin/pg_ctl" stop --pgdata="$DATA" --mode=fast --wait >/dev/null 2>&1 || true
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
