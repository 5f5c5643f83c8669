#!/usr/bin/env bash
# A private PostgreSQL server for the `postgres` target: one clone, one server.
#
#   scripts/postgres_server.sh start   install (Debian `postgresql`) if missing, create the
#                                      cluster on first use, start it, create role + database
#   scripts/postgres_server.sh stop
#
# Settings (the `postgres` target in profiles.yml reads the same variables):
#   OPT_OUT_PG_DATA (/tmp/opt_out_postgres): the cluster's folder, which holds its socket too
#   OPT_OUT_PG_PORT (54329)  OPT_OUT_PG_USER (opt_out)  OPT_OUT_PG_DATABASE (opt_out)
#
# No network and no password: the server listens on a Unix socket in its own folder
# (owner-only), and lets in the operating-system account that started it, as the role
# (peer authentication). So `dbt build --target postgres` needs no secret and nothing set.
# A cluster belongs to the clone that created it (OPT_OUT_PG_DATA/opt_out_clone): another
# clone is refused, and told to set OPT_OUT_PG_DATA to a server of its own; once that clone
# is gone (no dbt_project.yml there any more), the next clone to start it takes it over.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077

PORT=${OPT_OUT_PG_PORT:-54329}
ROLE=${OPT_OUT_PG_USER:-opt_out}
DB=${OPT_OUT_PG_DATABASE:-opt_out}
DATA=${OPT_OUT_PG_DATA:-/tmp/opt_out_postgres}
CLONE=$(pwd -P)

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

server_user() {
    if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi
}

# The clone a cluster belongs to; refuse another's.
claim() {
    local owner_file="$DATA/opt_out_clone" owner
    owner=$(cat "$owner_file" 2>/dev/null || true)
    if [ -n "$owner" ] && [ "$owner" != "$CLONE" ] && [ ! -e "$owner/dbt_project.yml" ]; then
        # Its clone is gone (a fresh clone of the same warehouse): this one takes it over.
        echo "postgres_server.sh: the server in $DATA belonged to the clone at $owner, which is gone; it is now this clone's." >&2
        owner=""
    fi
    if [ -n "$owner" ] && [ "$owner" != "$CLONE" ]; then
        echo "postgres_server.sh: the PostgreSQL server in $DATA belongs to the clone at $owner;" \
             "give this clone its own by setting OPT_OUT_PG_DATA (say /tmp/opt_out_postgres_$(basename "$CLONE")) for make and dbt alike." >&2
        exit 1
    fi
    [ -n "$owner" ] || printf '%s\n' "$CLONE" > "$owner_file"
}

# Socket only, peer authentication: the account that runs this script logs in as the role;
# the server's own account as itself (administration).
write_access_rules() {
    local me admin
    me=$(id -un)
    admin=$(server_user)
    printf 'local all all peer map=opt_out\n' > "$DATA/pg_hba.conf"
    {
        printf 'opt_out %s %s\n' "$admin" "$admin"
        printf 'opt_out %s %s\n' "$me" "$ROLE"
    } > "$DATA/pg_ident.conf"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$DATA/pg_hba.conf" "$DATA/pg_ident.conf"; fi
}

start() {
    install_if_missing
    local bin
    bin=$(pg_bin)
    if [ -s "$DATA/PG_VERSION" ]; then claim; fi
    if [ ! -s "$DATA/PG_VERSION" ]; then
        mkdir -p "$DATA"
        if [ "$(id -u)" = 0 ]; then chown postgres: "$DATA"; fi
        as_server_user "$bin/initdb" --pgdata="$DATA" --auth=peer --encoding=UTF8 --locale=C.UTF-8 >/dev/null
        claim
    fi
    write_access_rules
    if as_server_user "$bin/pg_ctl" status --pgdata="$DATA" >/dev/null 2>&1; then
        as_server_user "$bin/pg_ctl" reload --pgdata="$DATA" >/dev/null
    else
        as_server_user "$bin/pg_ctl" start --pgdata="$DATA" --wait --log="$DATA/server.log" \
            -o "-c listen_addresses='' -c port=$PORT -c unix_socket_directories=$DATA -c unix_socket_permissions=0700 -c fsync=on" >/dev/null
    fi
    # The role and database are created once. Login is by peer only: no password.
    PGOPTIONS="-c client_min_messages=warning" as_server_user "$bin/psql" --host="$DATA" --port="$PORT" --dbname=postgres --quiet \
        --no-psqlrc --set=ON_ERROR_STOP=1 --set=role="$ROLE" --set=db="$DB" <<'SQL'
select format('create role %I login', :'role')
where not exists (select from pg_roles where rolname = :'role') \gexec
select format('alter role %I password null', :'role') \gexec
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
    echo "PostgreSQL for this clone: socket in $DATA (database $DB, role $ROLE; no network, no password)"
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
