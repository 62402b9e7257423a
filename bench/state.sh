#!/usr/bin/env bash
# Authenticated GET /status with the security state embedded (SQLite in the data dir) vs in Redis, side by side in
# one run: two Release `spacetime serve` processes, one per backend, each hit with wrk using a JWT (signature,
# revocation, idle clock and the shared rate-limit buckets are all on the path; limits set high enough never to bite).
# Usage: bench/state.sh [seconds] [connections]   (installs Debian `wrk` and `redis-server` when missing)
set -euo pipefail

# The load generator and the Redis server come from Debian; install them when missing, as test.sh does.
missing=()
for tool in wrk:wrk redis-server:redis-server; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
if ((${#missing[@]} > 0)); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cd "$(dirname "$0")/.."
seconds=${1:-15}
connections=${2:-16}
dotnet build src/SpaceTime.Cli -c Release -v quiet -nologo >/dev/null
exe=src/SpaceTime.Cli/bin/Release/net10.0/spacetime
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# The shipped test environment, with limits that never bite and the production idle timeout (so idle clocks are kept).
mkdir -p "$work/config"
cp src/SpaceTime.Cli/bin/Release/net10.0/config/* "$work/config/"
python3 - "$work/config/security_test.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["authentication"]["session_timeout_minutes"] = 120
doc["rate_limiting"].update(global_requests_per_minute=100000000, default_requests_per_minute=100000000, ban_after_violations=1000000)
json.dump(doc, open(path, "w"))
PY

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" --daemonize no >/dev/null &
pids+=($!)
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.05; done

start_serve() { # name, extra env...
  local name=$1 port
  shift
  port=$(free_port)
  env "$@" GODOT_ENV=test SPACETIME_CONFIG_DIR="$work/config" TELEMETRY_PORT=0 DISCOVERY_PORT=0 \
    "$exe" serve --http-port "$port" --data-dir "$work/$name" >"$work/$name.log" 2>&1 &
  pids+=($!)
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.05; done
  echo "$port"
}

embedded_port=$(start_serve embedded)
redis_port_http=$(start_serve redis REDIS_URL="redis://127.0.0.1:$redis_port")
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
