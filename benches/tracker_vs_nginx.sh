#!/usr/bin/env bash
# The tracking endpoint against nginx's empty_gif (access log on), side by side on loopback
# with the same load: wrk -t2 -c64 -d10s --latency over TOKENS (10,000) tokens of sent
# emails, as real traffic has (a wrk Lua script walks the list), several alternating rounds.
#
# Prints per round and as medians: requests/s, p99 latency and server CPU per request
# (utime+stime from /proc before/after), then guestmail/nginx ratios. After each guestmail
# round it sends SIGTERM and checks the store: nothing lost or dropped, no failed commit,
# and one open stored per token (each token's repeats within open_dedup_seconds are one
# client's replays: counted once).
#
# Usage: benches/tracker_vs_nginx.sh            (ROUNDS=3 DURATION=10s TOKENS=10000 by default)
#        ENGINE=postgres benches/tracker_vs_nginx.sh   (the opens go into PostgreSQL: a private
#        instance started with tests/harness/postgres.sh, a fresh database per round)
# Targets: issue 11, guestmail >= nginx's req/s with SQLite, p99 no worse; issue 14, at least
# 0.75x nginx's req/s with PostgreSQL.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
TOKENS=${TOKENS:-10000}
DURATION=${DURATION:-10s}
NGINX_PORT=${NGINX_PORT:-18081}
GM_PORT=${GM_PORT:-18082}
CONNS=64
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/tracker-bench.XXXXXX)
CLK_TCK=$(getconf CLK_TCK)

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
if ! need wrk || ! need nginx; then
    echo "installing wrk and nginx from Debian..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

echo "building the release binary..." >&2
(cd "$ROOT" && cargo build --release --quiet --bin guestmail --example tracker_bench_db)
GM="$ROOT/target/release/guestmail"
DBTOOL="$ROOT/target/release/examples/tracker_bench_db"

ENGINE=${ENGINE:-sqlite}
PG_PORT=${PG_PORT:-18083}
PG="$ROOT/tests/harness/postgres.sh"

NGINX_PID=""
GM_PID=""
cleanup() {
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
    [ -n "$GM_PID" ] && kill "$GM_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    if [ "$ENGINE" = postgres ]; then bash "$PG" stop "$WORK/pg" >/dev/null 2>&1 || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$ENGINE" = postgres ]; then
    # The server runs as the OS user postgres, which must be able to enter the scratch dir.
    chmod o+x "$WORK"
    mkdir -p "$WORK/pg"
    bash "$PG" start "$WORK/pg" "$PG_PORT" >/dev/null
    PG_URL=$(bash "$PG" url "$WORK/pg")
fi

# A fresh store for one round: a SQLite file, or a new PostgreSQL database.
fresh_db() {
    if [ "$ENGINE" = postgres ]; then
        E2E_PG_ADMIN=1 bash "$PG" psql "$WORK/pg" -q -c "CREATE DATABASE $1 OWNER guestmail" >/dev/null
        echo "${PG_URL%/*}/$1"
    else
        echo "$WORK/$1.db"
    fi
}

# utime+stime, in clock ticks, of the given pids (all threads of each).
cpu_ticks() {
    local total=0 pid
    for pid in "$@"; do
        # Fields 14 and 15 after the ")" that closes the command name.
        local t
        t=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
        total=$((total + t))
    done
    echo "$total"
}

# wrk's output -> "reqs_per_s p99_ms total_requests non2xx"
parse_wrk() {
    awk '
        /Requests\/sec:/ { rps = $2 }
        /^ +99%/ {
            v = $2; unit = v; gsub(/[0-9.]/, "", unit); gsub(/[a-z]/, "", v)
            p99 = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v
        }
        / requests in / { total = $1 }
        /Non-2xx or 3xx responses:/ { non2xx = $5 }
        END { printf "%s %s %s %s\n", rps, p99, total, (non2xx == "" ? 0 : non2xx) }
    ' "$1"
}

wait_port() {
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}

start_nginx() {
    mkdir -p "$WORK/nginx"
    cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log $WORK/nginx/access.log;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location /o/ { empty_gif; add_header Cache-Control no-store; }
    }
}
EOF
    "$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
    NGINX_PID=$!
    wait_port "$NGINX_PORT"
}

RESULTS="$WORK/results"
: >"$RESULTS"
# wrk walks the token list: each request the next token (each wrk thread its own walk).
cat >"$WORK/tokens.lua" <<'EOF'
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local i = math.random(#tokens)
request = function()
    i = i % #tokens + 1
    return wrk.format("GET", "/o/" .. tokens[i] .. ".gif")
end
EOF

run_nginx_round() {
    local round=$1 workers before after
    : >"$WORK/nginx/access.log"
    workers=$(pgrep -P "$NGINX_PID" | tr '\n' ' ')
    # shellcheck disable=SC2086
    before=$(cpu_ticks $workers)
    TOKENS_FILE="$WORK/tokens.txt" wrk -t2 -c$CONNS -d"$DURATION" --latency -s "$WORK/tokens.lua" \
        "http://127.0.0.1:$NGINX_PORT/" >"$WORK/wrk.out"
    # shellcheck disable=SC2086
    after=$(cpu_ticks $workers)
    read -r rps p99 total non2xx < <(parse_wrk "$WORK/wrk.out")
    local us logged
    us=$(awk -v t=$((after - before)) -v n="$total" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
    logged=$(wc -l <"$WORK/nginx/access.log")
    printf "nginx     round %d: %9.0f req/s  p99 %7.2f ms  %6s us CPU/req  (%s answers, %s logged)\n" \
        "$round" "$rps" "$p99" "$us" "$total" "$logged"
    echo "nginx $rps $p99 $us" >>"$RESULTS"
}

run_guestmail_round() {
    local round=$1 db before after
    db=$(fresh_db "gm_$1")
    "$DBTOOL" seed "$db" "$TOKENS" >"$WORK/tokens.txt"
    "$GM" --db "$db" tracker --listen "127.0.0.1:$GM_PORT" --workers "${GM_WORKERS:-0}" ${GM_QUEUE:+--queue "$GM_QUEUE"} >"$WORK/gm.out" 2>"$WORK/gm.err" &
    GM_PID=$!
    wait_port "$GM_PORT"
    before=$(cpu_ticks "$GM_PID")
    TOKENS_FILE="$WORK/tokens.txt" wrk -t2 -c$CONNS -d"$DURATION" --latency -s "$WORK/tokens.lua" \
        "http://127.0.0.1:$GM_PORT/" >"$WORK/wrk.out"
    after=$(cpu_ticks "$GM_PID")
    kill -TERM "$GM_PID"
    wait "$GM_PID"
    GM_PID=""
    read -r rps p99 total non2xx < <(parse_wrk "$WORK/wrk.out")
    local ok=$((total - non2xx)) us
    us=$(awk -v t=$((after - before)) -v n="$total" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
    read -r opens _open_count _human < <("$DBTOOL" count "$db")
    local field
    field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$WORK/gm.out"; }
    local queued replays dropped lost failed delay
    queued=$(field queued); replays=$(field replays); dropped=$(field dropped)
    lost=$(field lost); failed=$(field failed_commits); delay=$(field max_delay_ms)
    printf "guestmail round %d: %9.0f req/s  p99 %7.2f ms  %6s us CPU/req  (%s answers 200; store: %s opens, %s queued, %s replays, %s dropped)\n" \
        "$round" "$rps" "$p99" "$us" "$ok" "$opens" "$queued" "$replays" "$dropped"
    local verdict="OK" expect=$((ok < TOKENS ? ok : TOKENS))
    if [ "${lost:-0}" != 0 ] || [ "${failed:-0}" != 0 ] || [ "${dropped:-0}" != 0 ]; then verdict="LOST OPENS"; fi
    if [ "$opens" -lt "$expect" ] || [ "$opens" -gt "$TOKENS" ]; then verdict="MISMATCH"; fi
    echo "          store check: nothing lost or dropped, one open per token ($expect expected): $verdict; longest request-to-commit: $delay ms"
    echo "guestmail $rps $p99 $us" >>"$RESULTS"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $TOKENS tokens; store: $ENGINE"
"$DBTOOL" seed "$(fresh_db tokens)" "$TOKENS" >"$WORK/tokens.txt"
start_nginx
for round in $(seq 1 "$ROUNDS"); do
    run_nginx_round "$round"
    run_guestmail_round "$round"
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$RESULTS" | median; }
n_rps=$(col nginx 2)
n_p99=$(col nginx 3)
n_cpu=$(col nginx 4)
g_rps=$(col guestmail 2)
g_p99=$(col guestmail 3)
g_cpu=$(col guestmail 4)
echo
echo "medians over $ROUNDS rounds (wrk -t2 -c$CONNS -d$DURATION --latency, $TOKENS tokens):"
printf "  nginx empty_gif + access log: %9.0f req/s  p99 %7.2f ms  %6.2f us CPU/req\n" "$n_rps" "$n_p99" "$n_cpu"
printf "  guestmail tracker + %-9s %9.0f req/s  p99 %7.2f ms  %6.2f us CPU/req\n" "$ENGINE:" "$g_rps" "$g_p99" "$g_cpu"
target=1; [ "$ENGINE" = postgres ] && target=0.75
awk -v gr="$g_rps" -v nr="$n_rps" -v gp="$g_p99" -v np="$n_p99" -v gc="$g_cpu" -v nc="$n_cpu" -v t="$target" 'BEGIN {
    printf "  ratio guestmail/nginx: req/s %.2fx (target >= %s), p99 %.2fx, CPU/req %.2fx\n", gr / nr, t, gp / np, gc / nc
}'
