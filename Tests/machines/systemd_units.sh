#!/usr/bin/env bash
# The units scripts/install-systemd writes, run as systemd would run them, on a
# machine (or CI container) where systemd is not PID 1: each Exec line of each unit
# as its User=, Group= and SupplementaryGroups=, with only its EnvironmentFile= and
# Environment= settings, output appended to its StandardOutput= file, in the
# target's order. What this cannot show is the sandbox itself (ProtectSystem= and
# friends need systemd); `systemd-analyze verify` checks those lines.
#
# Checks: the stack answers; each process runs as its unit's user; the socket is
# 0660 for nginx's group; a job completes; ExecReload (scripts/reload, as the service
# user) puts a new host in front without a failed request; `gauntlet doctor` as the
# service user passes.
#
# Needs root. Usage: Tests/machines/systemd_units.sh BINARY
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/checks.sh"
BIN=${1:?usage: systemd_units.sh BINARY}

STATE=$(mktemp -d /tmp/gauntlet-units.XXXXXX)
chmod 755 "$STATE"
UNITS="$STATE/units"
started=()  # pids to stop, last first
cleanup() {
    local i
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do stop_pid "${started[i]}"; done
    stop_pidfile "$STATE/run/host.pid"
    stop_pidfile "$STATE/nginx/nginx.pid"
    stack_pg_stop "$STATE"
    if [ ${#problems[@]} -eq 0 ]; then rm -rf "$STATE"; else echo "logs kept in $STATE/log"; fi
}
stop_pid() {
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
}
trap cleanup EXIT

# key UNIT KEY — every value of KEY= in the unit, one per line.
key() { sed -n "s/^$2=//p" "$UNITS/$1"; }

# unit_exec UNIT KEY [background] — runs each KEY= command line of UNIT as systemd
# would; a background one's pid goes to `started`.
unit_exec() {
    local unit=$1 which=$2 background=${3:-} user group extra line output
    user=$(key "$unit" User) group=$(key "$unit" Group) extra=$(key "$unit" SupplementaryGroups)
    output=$(key "$unit" StandardOutput | sed 's/^append://')
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        # shellcheck disable=SC2046  # the unit's words, as systemd splits them (no quotes in ours)
        set -- $line
        local as=()
        if [ -n "$user" ]; then
            as=(runuser -u "$user" ${group:+-g "$group"} ${extra:+-G "$extra"} --)
        fi
        local environment=()
        while IFS= read -r file; do
            while IFS= read -r -d '' setting; do environment+=("$setting"); done < <(
                env -i bash -c 'set -a; source "$1"; env -0' _ "$file" | grep -zvE '^(PWD|SHLVL|_)=')
        done < <(key "$unit" EnvironmentFile)
        environment+=($(key "$unit" Environment))
        if [ -n "$background" ]; then
            (close_inherited_fds; exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${environment[@]}" "${as[@]}" "$@") \
                </dev/null >>"${output:-/dev/null}" 2>&1 &
            started+=($!)
        else
            env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${environment[@]}" "${as[@]}" "$@" </dev/null >>"${output:-/dev/null}" 2>&1
        fi
    done < <(key "$unit" "$which")
}

log "scripts/install-systemd --binary … --dest $UNITS"
GAUNTLET_VAR="$STATE" GAUNTLET_PG_PORT=$(free_port 55800) GAUNTLET_PORT=$(free_port 18800) \
    "$ROOT/scripts/install-systemd" --binary "$BIN" --dest "$UNITS" >"$STATE/install.log" 2>&1 ||
    { cat "$STATE/install.log"; die "scripts/install-systemd failed"; }
GAUNTLET_PG_PORT=$(sed -n 's/^export GAUNTLET_PG_PORT="\(.*\)"/\1/p' "$STATE/stack.env")
GAUNTLET_PORT=$(sed -n 's/^export GAUNTLET_PORT="\(.*\)"/\1/p' "$STATE/stack.env")

log "starting the units in gauntlet.target's order"
unit_exec gauntlet-postgresql.service ExecStart background
for _ in $(seq 1 100); do [ -S "$STATE/pg/run/.s.PGSQL.$GAUNTLET_PG_PORT" ] && break; sleep 0.1; done
unit_exec gauntlet-postgresql.service ExecStartPost
unit_exec gauntlet-host.service ExecStartPre
unit_exec gauntlet-host.service ExecStart background
for _ in $(seq 1 100); do [ -S "$STATE/run/api.sock" ] && break; sleep 0.1; done
unit_exec gauntlet-nginx.service ExecStartPre
unit_exec gauntlet-nginx.service ExecStart
for role in worker timer runner; do unit_exec "gauntlet-$role.service" ExecStart background; done
BASE="http://127.0.0.1:$GAUNTLET_PORT"
wait_ready "$BASE/api/ready" 30 || problems+=("ready")

check "/api/ready answers through nginx" curl -fsS -o /dev/null "$BASE/api/ready"
for role in host worker timer runner; do
    check "the $role runs as $(key "gauntlet-$role.service" User)" \
        test "$(ps -o user= -p "$(cat "$STATE/run/$role.pid")" | tr -d ' ')" = "$(key "gauntlet-$role.service" User)"
done
check "PostgreSQL runs as postgres" test "$(ps -o user= -p "$(head -1 "$STATE/pg/data/postmaster.pid")" | tr -d ' ')" = postgres
check "the socket is 0660 for $NGINX_GROUP" test "$(stat -c '%a %G' "$STATE/run/api.sock")" = "660 $NGINX_GROUP"

job=$(as_postgres "$PG_BIN/psql" -h "$STATE/pg/run" -p "$GAUNTLET_PG_PORT" -U postgres -d gauntlet -qAtX \
    -c "select (enqueue_job(null, 'NOOP')).job_id")
for _ in $(seq 1 100); do
    status=$(as_postgres "$PG_BIN/psql" -h "$STATE/pg/run" -p "$GAUNTLET_PG_PORT" -U postgres -d gauntlet -qAtX \
        -c "select status from bot_jobs where id = '$job'")
    [ "$status" = COMPLETED ] && break
    sleep 0.1
done
check "the worker completes a job" test "$status" = COMPLETED

log "ExecReload of gauntlet-host under requests"
before=$(cat "$STATE/run/host.pid")
failed=0 total=0
( for _ in $(seq 1 400); do curl -s -o /dev/null -w '%{http_code}\n' "$BASE/api/health"; done ) >"$STATE/codes" &
load=$!
sleep 0.2
unit_exec gauntlet-host.service ExecReload
wait "$load"
total=$(wc -l <"$STATE/codes") failed=$(grep -vc '^200$' "$STATE/codes" || true)
after=$(cat "$STATE/run/host.pid")
started+=("$after")
echo "  $total requests during the reload, $failed not 200; host $before -> $after"
check "a new host took over" test "$after" != "$before"
check "the old host is gone" bash -c "! kill -0 $before 2>/dev/null"
check "no request failed during the reload" test "$failed" = 0

doctor=$(env -i bash -c 'set -a; source "$1"; exec runuser -u "$2" -- "$3" doctor' _ \
    "$STATE/systemd.env" "$(key gauntlet-host.service User)" "$STATE/bin/gauntlet" 2>&1) || true
check "gauntlet doctor as the service user passes" grep -q "7/7 checks without a failure" <<<"$doctor"

[ ${#problems[@]} -eq 0 ] || echo "$doctor"
checks_verdict "systemd units"
