#!/usr/bin/env bash
# Supervision benchmark: the same runtime (`spacetime serve`, vr_main) supervised by SpaceTime's manager and by
# supervisord (Debian `supervisor`), side by side in one run.
#   cold  = supervisor process start -> the game is READY (vr_main loaded, player spawned)
#   crash = kill -9 of the game      -> READY again, in a new process
# READY is read the way each supervisor exposes it: the manager's /health (200 only at READY); for supervisord,
# which has no readiness of its own, the game's /health polled from outside (player "pass", VRMain loaded).
# Usage: bench/supervision.sh [runs]   (needs curl and supervisord; builds Release first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
command -v supervisord >/dev/null || { echo "supervision.sh: supervisord is missing (apt-get install supervisor)" >&2; exit 2; }
dotnet build src/SpaceTime.Cli -c Release -v quiet -nologo >/dev/null
exe=$PWD/src/SpaceTime.Cli/bin/Release/net10.0/spacetime
manager_port=${MANAGER_PORT:-18590}
game_port=${GAME_PORT:-18580}
work=$(mktemp -d)
cleanup() {
  [ -n "${manager_pid:-}" ] && kill -TERM "$manager_pid" 2>/dev/null && wait "$manager_pid" 2>/dev/null
  [ -f "$work/supervisord.pid" ] && kill -TERM "$(cat "$work/supervisord.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export TELEMETRY_PORT=-1 DISCOVERY_PORT=0

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_until CMD...: polls every 10 ms, 60 s at most.
wait_until() {
  local deadline=$(($(now_ms) + 60000))
  until "$@" >/dev/null; do
    if (($(now_ms) > deadline)); then echo "supervision.sh: timed out waiting for: $*" >&2; exit 1; fi
    sleep 0.01
  done
}

# The game's pid when the manager's /health says READY (one response, so health and pid agree); fails otherwise.
manager_ready_pid() {
  local body
  body=$(curl -sf "http://127.0.0.1:$manager_port/health" 2>/dev/null) && grep -q '"overall_healthy":true' <<<"$body" &&
    sed -n 's/.*"godot_process":{"running":true,"pid":\([0-9]*\)}.*/\1/p' <<<"$body" | grep .
}
manager_ready() { manager_ready_pid >/dev/null; }
manager_ready_new_pid() { local pid && pid=$(manager_ready_pid) && [ "$pid" != "$1" ]; }

game_ready() {
  local body
  body=$(curl -sf "http://127.0.0.1:$game_port/health" 2>/dev/null) && grep -q '"player":{"status":"pass"' <<<"$body" && grep -q 'VRMain loaded' <<<"$body"
}
supervisord_game_pid() { local pid && pid=$(supervisorctl -c "$work/supervisord.conf" pid spacetime 2>/dev/null) && [ "$pid" -gt 0 ] && echo "$pid"; }
# Gone, or a zombie not yet reaped.
pid_gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

cat >"$work/supervisord.conf" <<CONF
[supervisord]
nodaemon=true
pidfile=$work/supervisord.pid
logfile=$work/supervisord.log
childlogdir=$work

[unix_http_server]
file=$work/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$work/supervisor.sock

[program:spacetime]
command=$exe serve --http-port $game_port --scene res://vr_main.tscn --data-dir $work/supervisord-data
autorestart=true
startsecs=1
stopasgroup=true
killasgroup=true
environment=TELEMETRY_PORT="-1",DISCOVERY_PORT="0"
CONF

results=()
for ((i = 1; i <= runs; i++)); do
  # SpaceTime manager
  start=$(now_ms)
  "$exe" manage --port "$manager_port" --godot-port "$game_port" --data-dir "$work/manager-data" >/dev/null 2>&1 &
  manager_pid=$!
  wait_until manager_ready
  cold=$(($(now_ms) - start))
  pid=$(manager_ready_pid)
  start=$(now_ms)
  kill -KILL "$pid"
  wait_until manager_ready_new_pid "$pid"
  crash=$(($(now_ms) - start))
  results+=("manager $cold $crash")
  kill -TERM "$manager_pid"
  wait "$manager_pid" || true
  manager_pid=

  # supervisord
  start=$(now_ms)
  supervisord -c "$work/supervisord.conf" >/dev/null 2>&1 &
  supervisord_pid=$!
  wait_until game_ready
  cold=$(($(now_ms) - start))
  pid=$(supervisord_game_pid)
  start=$(now_ms)
  kill -KILL "$pid"
  wait_until pid_gone "$pid"
  wait_until game_ready
  crash=$(($(now_ms) - start))
  results+=("supervisord $cold $crash")
  kill -TERM "$supervisord_pid"
  wait "$supervisord_pid" || true
done

printf '%s\n' "${results[@]}" | awk -v runs="$runs" '
  { cold[$1] = cold[$1] " " $2; crash[$1] = crash[$1] " " $3 }
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    printf "%d runs (median ms; all runs in brackets)\n", runs
    printf "%-12s %8s %8s\n", "supervisor", "cold", "crash"
    for (s in cold) printf "%-12s %8d %8d   cold [%s ]  crash [%s ]\n", s, median(cold[s]), median(crash[s]), cold[s], crash[s]
  }'
