#!/usr/bin/env bash
# Authenticated GET /status with the security state embedded (SQLite in the data dir) vs in Redis, side by side in
# one run: two Release `spacetime serve` processes, one per backend, each hit with wrk using a JWT (signature,
# revocation, idle clock and the shared rate-limit buckets are all on the path; limits set high enough never to bite).
# Usage: bench/state.sh [seconds] [connections]   (installs Debian `wrk` and `redis-server` when missing)
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
# The load generator and the Redis server come from Debian; installed when missing, as test.sh does.
bench_require_debian wrk:wrk redis-server:redis-server
seconds=${1:-15}
connections=${2:-16}
exe=$(bench_exe)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The shipped test environment, with limits that never bite and the production idle timeout (so idle clocks are kept).
bench_config "$exe" "$work/config" test

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" --daemonize no >/dev/null &
pids+=($!)
wait_until 30 redis-cli -p "$redis_port" ping

# start_serve NAME [ENV...]: starts one `spacetime serve` and sets served_port. Not in $(...): its pid must reach pids,
# or the cleanup leaves the server running.
start_serve() {
  local name=$1 port
  shift
  port=$(free_port)
  env "$@" GODOT_ENV=test SPACETIME_CONFIG_DIR="$work/config" TELEMETRY_PORT=0 DISCOVERY_PORT=0 \
    "$exe" serve --http-port "$port" --data-dir "$work/$name" >"$work/$name.log" 2>&1 &
  pids+=($!)
  wait_until 60 curl -sf "http://127.0.0.1:$port/health"
  served_port=$port
}

start_serve embedded
embedded_port=$served_port
start_serve redis REDIS_URL="redis://127.0.0.1:$redis_port"
redis_port_http=$served_port
embedded_token=$(GODOT_ENV=test SPACETIME_CONFIG_DIR="$work/config" "$exe" token issue --role readonly --subject bench --data-dir "$work/embedded")
redis_token=$(REDIS_URL="redis://127.0.0.1:$redis_port" GODOT_ENV=test SPACETIME_CONFIG_DIR="$work/config" "$exe" token issue --role readonly --subject bench --data-dir "$work/redis")

run() { # label, port, token, connections
  local out
  curl -sf -H "Authorization: Bearer $3" "http://127.0.0.1:$2/status" | grep -q '"state":"'"$5"'"' || { echo "$1: /status does not report storage.state $5" >&2; exit 1; }
  wrk -t"$(( $4 < 2 ? 1 : 2 ))" -c"$4" -d3s -H "Authorization: Bearer $3" "http://127.0.0.1:$2/status" >/dev/null # warm-up (JIT, connections)
  out=$(wrk -t"$(( $4 < 2 ? 1 : 2 ))" -c"$4" -d"${seconds}s" --latency -H "Authorization: Bearer $3" "http://127.0.0.1:$2/status")
  grep -q "Non-2xx" <<<"$out" && { echo "$1: non-2xx answers:" >&2; echo "$out" >&2; exit 1; }
  awk -v label="$1" -v c="$4" '
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^Requests\/sec/ {rps=$2}
    END {printf "| %-8s | %3d | %10.0f | %8s | %8s |\n", label, c, rps, p50, p99}' <<<"$out"
}

echo "authenticated GET /status, ${seconds} s per row, wrk with 1 thread for 1 connection, else 2"
echo "| state    | connections | requests/s | p50 | p99 |"
echo "|---|---|---|---|---|"
for c in 1 "$connections"; do
  run embedded "$embedded_port" "$embedded_token" "$c" embedded
  run redis "$redis_port_http" "$redis_token" "$c" redis
done
