#!/usr/bin/env bash
# Measures `spacetime up` (the manager supervising the game): process start -> the manager's GET /health answers 200
# (game READY: vr_main loaded, player spawned).
# Usage: bench/startup.sh [runs]   (needs curl; builds Release first unless SPACETIME_EXE names the executable;
# PORT and GAME_PORT choose the ports)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
runs=${1:-10}
exe=$(bench_exe)
port=${PORT:-18490}
game_port=${GAME_PORT:-18480}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
times=()
for ((i = 1; i <= runs; i++)); do
  start=$(date +%s%N)
  TELEMETRY_PORT=0 DISCOVERY_PORT=0 "$exe" up --port "$port" --godot-port "$game_port" --data-dir "$data" >/dev/null 2>&1 &
  pid=$!
  deadline=$((start + 30000000000))
  until body=$(curl -sf "http://127.0.0.1:$port/health") && grep -q '"overall_healthy":true' <<<"$body"; do
    if (($(date +%s%N) > deadline)); then echo "run $i: not ready within 30 s" >&2; kill "$pid"; exit 1; fi
    sleep 0.01
  done
  end=$(date +%s%N)
  times+=($(((end - start) / 1000000)))
  kill -TERM "$pid"
  wait "$pid" || true
done
printf '%s\n' "${times[@]}" | sort -n | awk -v runs="$runs" '{a[NR]=$1; s+=$1} END {printf "spacetime up -> healthy with player spawned, %d runs: min %d ms, median %d ms, max %d ms, mean %.0f ms\n", runs, a[1], a[int((NR+1)/2)], a[NR], s/NR}'
