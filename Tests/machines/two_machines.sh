#!/usr/bin/env bash
# Two "machines" on one (issue 13 §4, docs/scaling.md): machine A runs the stack with
# PostgreSQL also listening on a private link (GAUNTLET_PG_LISTEN: TLS, SCRAM) and a
# worker of its own; machine B is a network namespace joined to A by a veth pair, whose
# only way to the database is that link, as the gauntlet_worker role, started the way
# an operator would: scripts/up --role worker --database-url …
#
# Checks: B is refused without TLS, with a wrong password and as any other role, and
# may not read the tables; then 1,000 no-op jobs and the starter pack's 20 baseline
# backtests are shared by A and B, each completed exactly once, over a TLS session
# from B's address; /api/scheduler/status shows both workers RUNNING.
#
# Needs root (ip netns). Usage: Tests/machines/two_machines.sh BINARY
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/checks.sh"
BIN=${1:?usage: two_machines.sh BINARY}
ensure_packages "ip:iproute2" "openssl:openssl"

NS="gauntlet-b$$" LINK_A="gxa$$" LINK_B="gxb$$"
ADDR_A=10.231.77.1 ADDR_B=10.231.77.2
STATE=$(mktemp -d /tmp/gauntlet-machines.XXXXXX)
chmod 755 "$STATE"
B="$STATE/machine-b"
cleanup() {
    stop_pidfile "$B/run/worker.pid" 30
    stack_stop "$STATE" || true
    ip netns del "$NS" 2>/dev/null || true
    ip link del "$LINK_A" 2>/dev/null || true
    if [ ${#problems[@]} -eq 0 ]; then rm -rf "$STATE"; else echo "logs kept in $STATE/log and $B/log"; fi
}
trap cleanup EXIT

log "machine B: network namespace $NS, link $ADDR_A <-> $ADDR_B"
ip netns add "$NS"
ip link add "$LINK_A" type veth peer name "$LINK_B"
ip link set "$LINK_B" netns "$NS"
ip addr add "$ADDR_A/30" dev "$LINK_A" && ip link set "$LINK_A" up
ip netns exec "$NS" ip addr add "$ADDR_B/30" dev "$LINK_B"
ip netns exec "$NS" ip link set "$LINK_B" up
ip netns exec "$NS" ip link set lo up

log "machine A: the stack, PostgreSQL also on $ADDR_A"
export GAUNTLET_PG_LISTEN=$ADDR_A
stack_env "$STATE" "$(free_port 55900)" "$(free_port 18900)"
stack_install_binary "$STATE" "$BIN"
stack_pg_start "$STATE" "$GAUNTLET_PG_PORT" throwaway
"$STATE/bin/gauntlet" migrate >/dev/null
stack_worker_access "$STATE"
stack_host_start "$STATE"
stack_nginx_start "$STATE" "$GAUNTLET_PORT"
wait_ready "http://127.0.0.1:$GAUNTLET_PORT/api/ready" 30 || die "machine A's stack is not ready; see $STATE/log"
psql_a() { as_postgres "$PG_BIN/psql" -h "$STATE/pg/run" -p "$GAUNTLET_PG_PORT" -U postgres -d gauntlet -qAtX "$@"; }

# What the operator copies to machine B: the server's certificate and the passfile.
mkdir -p "$B"
cp "$STATE/pg/tls/server.crt" "$B/server.crt"
install -m 600 "$STATE/worker.pgpass" "$B/worker.pgpass"
REMOTE="host=$ADDR_A port=$GAUNTLET_PG_PORT dbname=gauntlet user=gauntlet_worker"
URL="$REMOTE sslmode=verify-full sslrootcert=$B/server.crt passfile=$B/worker.pgpass"
on_b() { ip netns exec "$NS" "$@"; }
psql_b() { on_b psql -qAtX "$@" 2>&1; }

log "machine B's access"
check "B reaches A over TLS as gauntlet_worker" \
    test "$(psql_b "$URL" -c "select ssl from pg_stat_ssl where pid = pg_backend_pid()")" = t
check "B is refused without TLS" \
    bash -c "! ip netns exec $NS psql -qAtX '$REMOTE sslmode=disable passfile=$B/worker.pgpass' -c 'select 1' >/dev/null 2>&1"
check "B is refused with a wrong password" \
    bash -c "! PGPASSWORD=wrong ip netns exec $NS psql -qAtX '$REMOTE sslmode=require' -c 'select 1' >/dev/null 2>&1"
check "B is refused as postgres" \
    bash -c "! ip netns exec $NS psql -qAtX 'host=$ADDR_A port=$GAUNTLET_PG_PORT dbname=gauntlet user=postgres sslmode=require' -c 'select 1' >/dev/null 2>&1"
check "gauntlet_worker may not read bots" \
    bash -c "ip netns exec $NS psql -qAtX '$URL' -c 'select count(*) from bots' 2>&1 | grep -q 'permission denied'"

log "workers: one on A (local socket), one on B (scripts/up --role worker)"
stack_daemon_start "$STATE" worker
on_b env GAUNTLET_VAR="$B" "$ROOT/scripts/up" --role worker --binary "$BIN" --database-url "$URL" >"$STATE/log/up-b.log" 2>&1 ||
    { cat "$STATE/log/up-b.log"; die "scripts/up --role worker failed on machine B"; }
WORKER_A="$(hostname):$(cat "$STATE/run/worker.pid")"
WORKER_B="$(hostname):$(cat "$B/run/worker.pid")"

log "jobs: 1,000 no-ops and the starter pack's baselines"
# The no-ops first, so both idle workers race for them (A's local socket is faster).
psql_a -c "select count(*) from enqueue_jobs('NOOP', array(select '{}'::jsonb from generate_series(1, 1000)))" >/dev/null
curl -fsS -X POST -H "Content-Type: application/json" -d '{}' \
    "http://127.0.0.1:$GAUNTLET_PORT/api/bots/starter-pack" >/dev/null
for _ in $(seq 1 1800); do
    [ "$(psql_a -c "select count(*) from bot_jobs where status in ('QUEUED', 'RUNNING')")" = 0 ] && break
    sleep 0.1
done

echo
echo "jobs per worker (A = $WORKER_A, B = $WORKER_B):"
psql_a -F' ' -c "select case worker_id when '$WORKER_A' then 'A' when '$WORKER_B' then 'B' else worker_id end,
                        job_type, status, count(*)
                   from bot_jobs group by 1, 2, 3 order by 1, 2, 3" | sed 's/^/  /'
echo
check "every job completed" test "$(psql_a -c "select count(*) from bot_jobs where status <> 'COMPLETED'")" = 0
check "1,020 jobs in all" test "$(psql_a -c "select count(*) from bot_jobs")" = 1020
check "each completed exactly once (one COMPLETED transition per job)" \
    test "$(psql_a -c "select count(*) from bot_jobs j
                        where (select count(*) from job_run_events e where e.job_id = j.id and e.to_status = 'COMPLETED') <> 1")" = 0
check "B completed no-ops" \
    test "$(psql_a -c "select count(*) > 0 from bot_jobs where worker_id = '$WORKER_B' and job_type = 'NOOP'")" = t
check "B completed baseline backtests" \
    test "$(psql_a -c "select count(*) > 0 from bot_jobs where worker_id = '$WORKER_B' and job_type = 'BACKTEST_BASELINE'")" = t
check "A completed jobs" test "$(psql_a -c "select count(*) > 0 from bot_jobs where worker_id = '$WORKER_A'")" = t
check "B's sessions come from $ADDR_B over TLS" \
    test "$(psql_a -c "select bool_and(s.ssl) and bool_and(a.client_addr = '$ADDR_B') and count(*) > 0
                         from pg_stat_activity a join pg_stat_ssl s using (pid) where a.usename = 'gauntlet_worker'")" = t
status=$(curl -fsS "http://127.0.0.1:$GAUNTLET_PORT/api/scheduler/status")
check "/api/scheduler/status shows A and B RUNNING" \
    test "$(jq -r --arg a "$WORKER_A" --arg b "$WORKER_B" \
        '[.workers[] | select((.workerId == $a or .workerId == $b) and .state == "RUNNING")] | length' <<<"$status")" = 2

checks_verdict "two machines"
