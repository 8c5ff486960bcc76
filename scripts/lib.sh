# Shared by scripts/up, down, test, bench and reload: where things live and how
# to start and stop one Gauntlet stack (PostgreSQL, host, nginx) in a state
# directory. A stack's state directory holds everything it writes:
#   pg/data pg/run   the private cluster and its socket
#   run/             api.sock, host.pid
#   nginx/           rendered nginx.conf, pid, temp files
#   log/             postgres.log, host.log, nginx-error.log
#   bin/gauntlet     the binary the stack runs (a copy, so rebuilding never
#                    touches a running executable)
# Sourced, not run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN=/usr/lib/postgresql/15/bin
# nginx's workers run as this dedicated system user and group; the host's FastCGI
# socket is 0660 for the group (GAUNTLET_SOCKET_GROUP), so no other local user can
# reach the host past nginx. stack_nginx_user creates them.
NGINX_USER=gauntlet-web
NGINX_GROUP=gauntlet-web
[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the Debian packages whose marker file or command is missing.
# Arguments are "marker:package" pairs; apt-get update runs at most once.
ensure_packages() {
    local missing=() pair marker package
    for pair in "$@"; do
        marker=${pair%%:*} package=${pair#*:}
        if [[ $marker == /* ]]; then [ -e "$marker" ] && continue
        else command -v "$marker" >/dev/null 2>&1 && continue; fi
        missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building and running the stack needs.
BASE_PACKAGES=(
    "$PG_BIN/postgres:postgresql-15"
    "/usr/include/postgresql/libpq-fe.h:libpq-dev"
    "/usr/include/fcgiapp.h:libfcgi-dev"
    "cgi-fcgi:libfcgi-bin"
    "/usr/include/zstd.h:libzstd-dev"
    "nginx:nginx"
    "curl:curl"
    "jq:jq"
    "pkg-config:pkg-config"
    "/usr/share/javascript/chart.js/chart.min.js:libjs-chart.js"
)

ensure_swift() {
    command -v swift >/dev/null 2>&1 || die "Swift 6 is required (expected at /opt/swift/usr/bin/swift)"
}

# A TCP port nothing listens on, starting from $1.
free_port() {
    local port=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    echo "$port"
}

# PostgreSQL refuses to run as root: the cluster belongs to `postgres`, which
# must be able to reach the state directory.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# stack_env STATE PGPORT HTTPPORT — the variables every gauntlet process
# reads, exported and saved as STATE/stack.env for reload and psql.
stack_env() {
    stack_env_worker "$1" "host=$1/pg/run port=$2 dbname=gauntlet user=postgres"
    cat >>"$1/stack.env" <<ENV
export GAUNTLET_PG_PORT="$2"
export GAUNTLET_PORT="$3"
export GAUNTLET_SOCKET="$1/run/api.sock"
export GAUNTLET_SOCKET_GROUP="$NGINX_GROUP"
export GAUNTLET_PG_LISTEN="${GAUNTLET_PG_LISTEN:-}"
ENV
    source "$1/stack.env"
    stack_admin_token "$1"
}

# stack_env_worker STATE URL — what every process needs (the checkout, the state
# directory, the database): the whole of a stack that is only a worker (scripts/up
# --role worker, its database another machine's), the start of every other.
stack_env_worker() {
    mkdir -p "$1"
    cat >"$1/stack.env" <<ENV
export GAUNTLET_ROOT="$ROOT"
export GAUNTLET_VAR="$1"
export GAUNTLET_DATABASE_URL="$2"
ENV
    source "$1/stack.env"
}

# stack_load_env STATE — the settings of a stack that scripts/up started.
stack_load_env() {
    [ -f "$1/stack.env" ] || die "no stack in $1 (start it with scripts/up)"
    source "$1/stack.env"
    stack_admin_token "$1"
}

# stack_admin_token STATE — exports GAUNTLET_ADMIN_TOKEN: the caller's if set,
# else the stack's own (STATE/admin-token, mode 600, made on first use). The
# token is never printed.
stack_admin_token() {
    if [ -z "${GAUNTLET_ADMIN_TOKEN:-}" ]; then
        if [ ! -s "$1/admin-token" ]; then
            (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$1/admin-token")
        fi
        GAUNTLET_ADMIN_TOKEN=$(cat "$1/admin-token")
    fi
    export GAUNTLET_ADMIN_TOKEN
}

# build_release — release build of the gauntlet binary; prints its path.
build_release() {
    mkdir -p "$ROOT/var/log"
    (cd "$ROOT" && swift build -c release --product gauntlet >"$ROOT/var/log/build.log" 2>&1) || {
        tail -30 "$ROOT/var/log/build.log" >&2
        die "the release build failed (full log: var/log/build.log)"
    }
    echo "$(cd "$ROOT" && swift build -c release --show-bin-path)/gauntlet"
}

# stack_pg_init STATE — the cluster's directories, data and client rules, made on
# first use (scripts/up, scripts/test, scripts/install-systemd).
stack_pg_init() {
    local state=$1
    mkdir -p "$state/pg/run" "$state/log"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$state/pg" "$state/pg/run"
        touch "$state/log/postgres.log" && chown postgres:postgres "$state/log/postgres.log"
        as_postgres test -x "$state/pg" ||
            die "the postgres user cannot reach $state; put the project (or GAUNTLET_VAR) on a world-traversable path"
    fi
    if [ ! -f "$state/pg/data/PG_VERSION" ]; then
        as_postgres "$PG_BIN/initdb" -D "$state/pg/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
    fi
    stack_pg_hba "$state"
    [ -n "${GAUNTLET_PG_LISTEN:-}" ] && stack_pg_tls "$state"
    return 0
}

# stack_pg_hba STATE — who may connect how. Local tools and processes (the socket,
# loopback) are trusted, as initdb --auth=trust had it; gauntlet_worker, the role of
# workers on other machines, only over TLS with its SCRAM password (when the cluster
# listens beyond loopback, GAUNTLET_PG_LISTEN), and nobody else from off the machine.
stack_pg_hba() {
    local remote="# no TLS: GAUNTLET_PG_LISTEN is unset, so no remote worker"
    [ -n "${GAUNTLET_PG_LISTEN:-}" ] && remote="hostssl all  gauntlet_worker  all   scram-sha-256"
    cat >"$1/pg/pg_hba.conf" <<HBA
# Written by scripts/lib.sh (stack_pg_hba); edits are overwritten.
local   all  all                    trust
$remote
host    all  gauntlet_worker  all   reject
host    all  all  127.0.0.1/32      trust
host    all  all  ::1/128           trust
host    all  all  all               reject
HBA
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$1/pg/pg_hba.conf"
    return 0
}

# stack_pg_tls STATE — a self-signed certificate for the addresses in
# GAUNTLET_PG_LISTEN (remade when they change); remote workers verify the server
# with it (sslmode=verify-full sslrootcert=STATE/pg/tls/server.crt).
stack_pg_tls() {
    local dir="$1/pg/tls" san="DNS:$(hostname),IP:127.0.0.1" address
    for address in ${GAUNTLET_PG_LISTEN//,/ }; do
        if [[ $address =~ ^[0-9.]+$ || $address == *:* ]]; then san+=",IP:$address"; else san+=",DNS:$address"; fi
    done
    [ -f "$dir/server.crt" ] && [ "$(cat "$dir/san" 2>/dev/null)" = "$san" ] && return 0
    ensure_packages "openssl:openssl"
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
        -subj "/CN=gauntlet-postgresql" -addext "subjectAltName=$san" \
        -keyout "$dir/server.key" -out "$dir/server.crt" 2>/dev/null || die "openssl could not make $dir/server.crt"
    echo "$san" >"$dir/san"
    chmod 600 "$dir/server.key"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
    return 0
}

# stack_pg_options STATE PORT [throwaway] — the server's settings as postgres
# options: pg_ctl passes them here, deploy/systemd's unit on its command line.
# GAUNTLET_PG_LISTEN (comma-separated addresses) opts in to TCP beyond loopback,
# with TLS. A throwaway cluster (tests, benchmarks) trades durability for speed.
stack_pg_options() {
    local state=$1 port=$2 throwaway=${3:-}
    local options="-c port=$port -c unix_socket_directories=$state/pg/run"
    options+=" -c listen_addresses=127.0.0.1${GAUNTLET_PG_LISTEN:+,$GAUNTLET_PG_LISTEN}"
    options+=" -c hba_file=$state/pg/pg_hba.conf -c password_encryption=scram-sha-256"
    options+=" -c max_connections=200 -c shared_buffers=256MB"
    if [ -n "${GAUNTLET_PG_LISTEN:-}" ]; then
        options+=" -c ssl=on -c ssl_cert_file=$state/pg/tls/server.crt -c ssl_key_file=$state/pg/tls/server.key"
        options+=" -c ssl_min_protocol_version=TLSv1.2"
    fi
    [ -n "$throwaway" ] && options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    echo "$options"
}

# stack_pg_start STATE PORT [throwaway] — creates the cluster on first use. A running
# cluster keeps its settings: changing GAUNTLET_PG_LISTEN takes scripts/down first.
stack_pg_start() {
    local state=$1 port=$2 throwaway=${3:-}
    stack_pg_init "$state"
    if as_postgres "$PG_BIN/pg_ctl" -D "$state/pg/data" status >/dev/null 2>&1; then
        return 0
    fi
    (close_inherited_fds; as_postgres "$PG_BIN/pg_ctl" -D "$state/pg/data" -l "$state/log/postgres.log" -w -t 30 \
        -o "$(stack_pg_options "$state" "$port" "$throwaway")" start >/dev/null)
    as_postgres "$PG_BIN/psql" -h "$state/pg/run" -p "$port" -U postgres -d postgres -qAt \
        -c "select 1 from pg_database where datname = 'gauntlet'" | grep -q 1 ||
        as_postgres "$PG_BIN/createdb" -h "$state/pg/run" -p "$port" -U postgres gauntlet
}

# stack_worker_access STATE — the password of gauntlet_worker (the role workers on
# other machines use; migration 0019), kept in STATE/worker.pgpass (mode 600, libpq's
# passfile format) to copy to them. Only a SCRAM verifier reaches the server, so the
# password is in no statement or log.
stack_worker_access() {
    local state=$1 password verifier
    if [ ! -s "$state/worker.pgpass" ]; then
        password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
        (umask 077 && printf '*:*:gauntlet:gauntlet_worker:%s\n' "$password" >"$state/worker.pgpass")
    fi
    verifier=$(cut -d: -f5 "$state/worker.pgpass" | tr -d '\n' | python3 -c '
import base64, hashlib, hmac, os, sys
password, salt, rounds = sys.stdin.read().encode(), os.urandom(16), 4096
salted = hashlib.pbkdf2_hmac("sha256", password, salt, rounds)
client = hmac.new(salted, b"Client Key", "sha256").digest()
server = hmac.new(salted, b"Server Key", "sha256").digest()
b64 = lambda b: base64.b64encode(b).decode()
print(f"SCRAM-SHA-256${rounds}:{b64(salt)}${b64(hashlib.sha256(client).digest())}:{b64(server)}")')
    as_postgres "$PG_BIN/psql" -h "$state/pg/run" -p "$GAUNTLET_PG_PORT" -U postgres -d gauntlet -qX \
        -c "alter role gauntlet_worker password '$verifier'" >/dev/null
}

stack_pg_stop() {
    local state=$1
    [ -f "$state/pg/data/postmaster.pid" ] || return 0
    as_postgres "$PG_BIN/pg_ctl" -D "$state/pg/data" -m fast -w stop >/dev/null 2>&1 || true
}

# stack_install_binary STATE BUILT — copy the built binary into the stack, via
# a rename so a running host keeps its own (now unlinked) file.
stack_install_binary() {
    mkdir -p "$1/bin"
    cp "$2" "$1/bin/gauntlet.new"
    mv -f "$1/bin/gauntlet.new" "$1/bin/gauntlet"
}

# stack_install STATE [BINARY] — a release build of this checkout into the stack, or
# BINARY, built elsewhere (scripts/up and install-systemd --binary).
stack_install() {
    mkdir -p "$1"
    if [ -n "${2:-}" ]; then
        [ -x "$2" ] || die "--binary $2 is not an executable"
        stack_install_binary "$1" "$2"
    else
        ensure_swift
        log "building (release)"
        stack_install_binary "$1" "$(build_release)"
    fi
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# close_inherited_fds — closes every descriptor above 2 of the current shell
# process. Every process the scripts start (host, worker, timer, nginx,
# PostgreSQL) is started in a subshell that calls this first, then execs:
#   ( close_inherited_fds; exec CMD... ) </dev/null >>LOG 2>&1 &
# so a daemon never keeps what its caller had open (a lock file, a pipe of the
# shell that ran scripts/reload) for its lifetime. The redirections of the
# subshell are applied before it runs, so stdin/stdout/stderr stay as given.
close_inherited_fds() {
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        # -L: the glob's own directory descriptor is listed but already closed.
        if [ "$fd" -gt 2 ] && [ -L "/proc/$BASHPID/fd/$fd" ]; then exec {fd}>&-; fi
    done
}

# stack_host_start STATE — starts a host, or replaces the running one
# (zero-downtime: the new host takes the socket, then retires the old one).
stack_host_start() {
    local state=$1 old=""
    stack_nginx_user  # the socket's group must exist before the host binds
    mkdir -p "$state/run" "$state/log"
    pid_alive "$state/run/host.pid" && old=$(cat "$state/run/host.pid")
    (close_inherited_fds; exec setsid "$state/bin/gauntlet" host ${old:+--replace}) </dev/null >>"$state/log/host.log" 2>&1 &
    local new=$! i
    for i in $(seq 1 100); do
        if pid_alive "$state/run/host.pid" && [ "$(cat "$state/run/host.pid")" = "$new" ]; then return 0; fi
        kill -0 "$new" 2>/dev/null || die "the host exited at start; see $state/log/host.log"
        sleep 0.05
    done
    die "the host did not take over within 5 s; see $state/log/host.log"
}

# stack_daemon_start STATE ROLE — `gauntlet ROLE` (worker, timer, runner) on the
# installed binary, writing var/run/ROLE.pid; a running one is stopped first
# (a worker finishes or releases its jobs).
stack_daemon_start() {
    local state=$1 role=$2
    stop_pidfile "$state/run/$role.pid" 30
    mkdir -p "$state/run" "$state/log"
    (close_inherited_fds; exec setsid "$state/bin/gauntlet" "$role") </dev/null >>"$state/log/$role.log" 2>&1 &
    local pid=$! i
    for i in $(seq 1 100); do
        pid_alive "$state/run/$role.pid" && return 0
        kill -0 "$pid" 2>/dev/null || die "the $role exited at start; see $state/log/$role.log"
        sleep 0.05
    done
    die "the $role wrote no pidfile within 5 s; see $state/log/$role.log"
}

# stack_nginx_user — the workers' system user and group, created once.
stack_nginx_user() {
    getent group "$NGINX_GROUP" >/dev/null || groupadd --system "$NGINX_GROUP"
    id -u "$NGINX_USER" >/dev/null 2>&1 ||
        useradd --system --gid "$NGINX_GROUP" --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$NGINX_USER"
}

# stack_nginx_conf STATE PORT — renders nginx/nginx.conf into STATE/nginx (for
# scripts/up and for deploy/systemd's gauntlet-nginx.service).
stack_nginx_conf() {
    local state=$1 port=$2
    stack_nginx_user
    mkdir -p "$state/nginx/tmp" "$state/log"
    sed -e "s|@PREFIX@|$state/nginx|g" -e "s|@PORT@|$port|g" -e "s|@WEB@|$ROOT/web|g" \
        -e "s|@SOCKET@|$state/run/api.sock|g" -e "s|@USER@|$NGINX_USER|g" -e "s|@GROUP@|$NGINX_GROUP|g" \
        "$ROOT/nginx/nginx.conf" >"$state/nginx/nginx.conf"
}

stack_nginx_start() {
    local state=$1 port=$2 conf="$1/nginx/nginx.conf"
    stack_nginx_conf "$state" "$port"
    if pid_alive "$state/nginx/nginx.pid"; then
        nginx -p "$state/nginx" -c "$conf" -e "$state/log/nginx-error.log" -s reload
    else
        (close_inherited_fds; exec nginx -p "$state/nginx" -c "$conf" -e "$state/log/nginx-error.log")
    fi
}

# stop_pidfile FILE [SECONDS] — TERM, wait (default 10 s), then KILL.
stop_pidfile() {
    pid_alive "$1" || return 0
    local pid i
    pid=$(cat "$1")
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 $((${2:-10} * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

stack_stop() {
    local state=$1
    stop_pidfile "$state/nginx/nginx.pid"
    stop_pidfile "$state/run/timer.pid"
    stop_pidfile "$state/run/runner.pid" 30  # flattens, reports and releases its jobs
    stop_pidfile "$state/run/worker.pid" 30  # finishes or releases its jobs
    stop_pidfile "$state/run/host.pid"
    stack_pg_stop "$state"
}

# wait_ready URL SECONDS — until the URL answers 200.
wait_ready() {
    local i
    for i in $(seq 1 $(($2 * 10))); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
