#!/usr/bin/env bash
# The production HTTP path under load, side by side in one run (issue #13):
#   (a) nginx serving the game's /status JSON as a static file (plain HTTP on loopback)
#   (b) the game direct (`spacetime serve`, started by the manager)
#   (c) the manager's proxy /godot/status (YARP)
#   (d) nginx -> manager -> game: deploy/nginx/spacetime.conf (TLS) with /api/status
# closed-loop (wrk, 64 connections, as fast as they go); open-loop users (bench/users.mjs: 1,000 users, each on its
# own connection sending 1 request/s at its own phase, arriving over 2 s); the same 1,000 connections all opened and
# sending in the same instant, every second (autocannon: a thundering herd, for comparison); the seeds' per-endpoint
# p95 at 100 requests/s over (d); late and dropped ticks of the game's 90 Hz loop during each phase (from its
# /performance); and `spacetime up` -> READY (bench/startup.sh). Prints one table.
# Security as in production (GODOT_ENV=production: authentication with a JWT from `spacetime token issue`, bans, the
# scene whitelist, security headers, the audit log, the request gate) except the rate limits and connection caps,
# which are raised in a copy of the config and in the nginx site, because every benchmark connection is the one
# client 127.0.0.1.
# Usage: bench/http-load.sh [--short]   (--short: about a second per phase, 100 open-loop connections; for the test)
# Installs Debian wrk and nginx-light and npm autocannon (pinned, into bench/.tools) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

short=false
[ "${1:-}" = --short ] && short=true
if $short; then
  closed_s=1 open_s=2 open_connections=100 endpoint_s=1 warm_s=1 startup_runs=1 ramp_s=0.5 settle_s=0.5
else
  # Closed-loop phases are measured after 20 s of the same load: on two busy cores the JIT takes 10-15 s to tier the
  # hot paths up (the first 10 s ran at 40-60% of the steady rate).
  closed_s=10 open_s=15 open_connections=1000 endpoint_s=10 warm_s=20 startup_runs=5 ramp_s=2 settle_s=1
fi
closed_connections=64

AUTOCANNON_VERSION=9.0.0
bench_require_debian wrk:wrk nginx:nginx-light openssl:openssl
# A prefix of its own: `npm install --no-save` into test.sh's .tools would prune the tools installed there.
node_modules=$PWD/bench/.tools/node_modules
if ! grep -qs "\"version\": \"$AUTOCANNON_VERSION\"" "$node_modules/autocannon/package.json"; then
  npm install --prefix bench/.tools --no-save --no-audit --no-fund --loglevel=error "autocannon@$AUTOCANNON_VERSION" >/dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
# nginx's workers run as an unprivileged user when this runs as root: they read the static file and temp folders.
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# What a studio runs: the application published as the release package publishes it; --short (the test) and
# SPACETIME_EXE use an already built one.
if [ -n "${SPACETIME_EXE:-}" ] || $short; then
  exe=$(bench_exe)
  application="build output ($exe)"
else
  exe=$(bench_publish "$work/app")
  application="published linux-x64, ReadyToRun, as the release package"
fi

# Cold start first, on an otherwise idle installation: `spacetime up` -> the manager's /health says READY.
startup=$(PORT=$(free_port) GAME_PORT=$(free_port) SPACETIME_EXE=$exe bench/startup.sh "$startup_runs")
startup_ms=$(sed -n 's/.*median \([0-9]*\) ms.*/\1/p' <<<"$startup")

# The manager and its game, production settings, on free loopback ports.
manager_port=$(free_port)
game_port=$(free_port)
bench_config "$exe" "$work/config" production
# As docs/DEPLOYMENT.md says for nginx in front: its address is a trusted proxy, so clients are told apart.
python3 - "$work/config/production.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["trusted_proxies"] = ["127.0.0.1"]
json.dump(doc, open(sys.argv[1], "w"))
PY
run_env=(GODOT_ENV=production SPACETIME_CONFIG_DIR="$work/config" GODOT_ENABLE_HTTP_API=true
  JWT_SECRET_KEY="$(openssl rand -hex 32)" TELEMETRY_PORT=-1 DISCOVERY_PORT=0)
env "${run_env[@]}" "$exe" manage --port "$manager_port" --godot-port "$game_port" --data-dir "$work/data" >"$work/manage.log" 2>&1 &
pids+=($!)
wait_until 120 curl -sf "http://127.0.0.1:$manager_port/health"
read_token=$(env "${run_env[@]}" "$exe" token issue --role readonly --subject bench-read --data-dir "$work/data")
write_token=$(env "${run_env[@]}" "$exe" token issue --role developer --subject bench-write --data-dir "$work/data")

# nginx: the deploy kit's site and upstreams, moved to loopback ports, its per-client limits raised (see above).
nginx_port=$(free_port)
static_port=$(free_port)
prefix=$work/nginx
mkdir -p "$prefix/conf.d" "$prefix/spacetime/tls" "$work/static"
for temp in client_body proxy fastcgi uwsgi scgi; do mkdir -p "$prefix/temp/$temp" && chmod 777 "$prefix/temp/$temp"; done
sed -e "s/listen 80;/listen 127.0.0.1:$(free_port);/" -e "s/listen 443 ssl;/listen 127.0.0.1:$nginx_port ssl;/" \
  -e 's/rate=10r\/s/rate=1000000r\/s/' -e 's/burst=20 /burst=100000 /' -e 's/limit_conn spacetime_conn 10;/limit_conn spacetime_conn 60000;/' \
  deploy/nginx/spacetime.conf >"$prefix/conf.d/spacetime.conf"
for expected in "127.0.0.1:$nginx_port ssl" "rate=1000000r/s" "burst=100000 " "spacetime_conn 60000"; do
  grep -q "$expected" "$prefix/conf.d/spacetime.conf" || { echo "http-load.sh: deploy/nginx/spacetime.conf changed: could not set '$expected'" >&2; exit 1; }
done
sed -e "s/127.0.0.1:8090/127.0.0.1:$manager_port/" deploy/nginx/upstreams.conf >"$prefix/spacetime/upstreams.conf"
# An ECDSA P-256 key, as certbot issues by default since 2.0: 1,000 clients connecting at once cost 1,000 handshakes.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -keyout "$prefix/spacetime/tls/privkey.pem" -out "$prefix/spacetime/tls/fullchain.pem" 2>/dev/null
curl -sf -H "Authorization: Bearer $read_token" "http://127.0.0.1:$game_port/status" >"$work/static/status.json"
cat >"$prefix/nginx.conf" <<CONF
worker_processes auto;
pid $prefix/nginx.pid;
error_log $prefix/error.log;
events { worker_connections 8192; }
http {
    access_log $prefix/access.log;
    client_body_temp_path $prefix/temp/client_body;
    proxy_temp_path $prefix/temp/proxy;
    fastcgi_temp_path $prefix/temp/fastcgi;
    uwsgi_temp_path $prefix/temp/uwsgi;
    scgi_temp_path $prefix/temp/scgi;
    include conf.d/spacetime.conf;
    server {
        listen 127.0.0.1:$static_port;
        location = /status {
            default_type application/json;
            alias $work/static/status.json;
        }
    }
}
CONF
"$nginx" -c "$prefix/nginx.conf" -p "$prefix" -e "$prefix/error.log" -g "daemon off;" &
pids+=($!)
wait_until 15 curl -sf "http://127.0.0.1:$static_port/status"
wait_until 15 curl -skf -H "Authorization: Bearer $read_token" "https://127.0.0.1:$nginx_port/api/status"

# ticks late dropped, from the game's /performance ("? ? ?" when it does not report them).
ticks() {
  curl -sf -H "Authorization: Bearer $read_token" "http://127.0.0.1:$game_port/performance" |
    python3 -c 'import json, sys; d = json.load(sys.stdin); print(*(d.get(k, "?") for k in ("ticks", "late_ticks", "dropped_ticks")))' 2>/dev/null ||
    echo "? ? ?"
}

results=$work/results.tsv
# record KEY PATH LOAD COMMAND...: runs one phase (COMMAND prints "requests/s p50 p95 p99 errors non2xx codes" last) and
# appends its figures with the game's ticks, late and dropped ticks during the phase.
record() {
  local key=$1 path=$2 load=$3 before after figures
  shift 3
  before=$(ticks)
  figures=$("$@" | tail -n 1)
  after=$(ticks)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$path" "$load" "$figures" "$before" "$after" >>"$results"
}

auth=("Authorization: Bearer $read_token")
closed() { # URL [METHOD BODY]
  wrk -t2 -c"$closed_connections" -d"${warm_s}s" -H "${auth[0]}" "$1" >/dev/null
  wrk -t2 -c"$closed_connections" -d"${closed_s}s" -s bench/wrk-report.lua -H "${auth[0]}" "$1"
}
headers_json() { echo "{\"authorization\": \"Bearer ${BENCH_TOKEN:-$read_token}\"}"; }
users() { # URL SECONDS USERS RATE_PER_USER [--method M --body B]; BENCH_TOKEN names the token
  BENCH_HEADERS="$(headers_json)" node bench/users.mjs "$@" --ramp "$ramp_s" --settle "$settle_s" 2>>"$work/users.log"
}
herd() { # URL SECONDS CONNECTIONS: autocannon, every connection opened and sending at once, 1 request/s each
  BENCH_NODE_MODULES=$node_modules BENCH_HEADERS="$(headers_json)" node bench/open-loop.mjs "$1" "$2" "$3" --per-connection 1
}

static=http://127.0.0.1:$static_port/status
game=http://127.0.0.1:$game_port/status
manager=http://127.0.0.1:$manager_port/godot/status
edge=https://127.0.0.1:$nginx_port/api
closed_load="closed ${closed_connections} conns"
open_load="users ${open_connections} x 1 req/s"
: >"$results"
record a "nginx static file" "$closed_load" closed "$static"
record b "game direct" "$closed_load" closed "$game"
record c "manager /godot" "$closed_load" closed "$manager"
record d "nginx > manager > game" "$closed_load" closed "$edge/status"
record a "nginx static file" "$open_load" users "$static" "$open_s" "$open_connections" 1
record b "game direct" "$open_load" users "$game" "$open_s" "$open_connections" 1
record c "manager /godot" "$open_load" users "$manager" "$open_s" "$open_connections" 1
record d "nginx > manager > game" "$open_load" users "$edge/status" "$open_s" "$open_connections" 1
record d "nginx > manager > game" "herd ${open_connections} x 1 req/s" herd "$edge/status" "$open_s" "$open_connections"
record health "d: GET /health (game's)" "100 req/s" users "$edge/health" "$endpoint_s" 10 10
record status "d: GET /status" "100 req/s" users "$edge/status" "$endpoint_s" 10 10
record get-scene "d: GET /scene" "100 req/s" users "$edge/scene" "$endpoint_s" 10 10
BENCH_TOKEN=$write_token record post-scene "d: POST /scene (developer)" "100 req/s" users "$edge/scene" "$endpoint_s" 10 10 \
  --method POST --body '{"scene_path": "res://vr_main.tscn"}'

echo "SpaceTime HTTP load, $(date -u +%FT%TZ), $(nproc) cores, load average (1/5/15 min) before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "application: $application"
echo "production settings (trusted_proxies 127.0.0.1 for nginx); rate limits and connection caps raised in the config copy and the nginx site so the one benchmark client (127.0.0.1) is never refused;"
echo "authentication (readonly/developer JWT), bans, whitelist, headers and audit on. closed: wrk -t2, ${closed_s} s after ${warm_s} s warm-up;"
echo "users: bench/users.mjs, ${open_s} s after a ${ramp_s} s arrival ramp and ${settle_s} s; herd: autocannon $AUTOCANNON_VERSION, ${open_s} s;"
echo "per endpoint: ${endpoint_s} s at 100 req/s from 10 users. latencies in ms, from when each request was due."
sed 's/^users.mjs: /connections (users.mjs, in phase order): /' "$work/users.log"
python3 bench/http-load-table.py "$results" "$startup_ms" "$startup_runs"
