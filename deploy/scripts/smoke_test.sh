#!/usr/bin/env bash
# Smoke test of a running SpaceTime through its manager: health, authentication enforced, status READY,
# scene loaded, player spawned, metrics of the manager and of the game. Ends with "N passed, N failed".
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: smoke_test.sh [--url URL] [--token TOKEN] [--insecure] [--timeout SECONDS]
  --url URL          the manager (default http://127.0.0.1:8090)
  --token TOKEN      a readonly-or-better bearer token (default: $SPACETIME_TOKEN, then $API_TOKEN)
  --insecure         accept a self-signed TLS certificate
  --timeout SECONDS  per request (default 10)
Exit codes: 0 all checks passed, 1 a check failed, 2 bad usage.
USAGE
}

url=http://127.0.0.1:8090
token=${SPACETIME_TOKEN:-${API_TOKEN:-}}
timeout=10
curl_tls=()
while (($# > 0)); do
  case $1 in
    --url) url=${2:?--url needs a value}; shift 2 ;;
    --token) token=${2:?--token needs a value}; shift 2 ;;
    --insecure) curl_tls=(--insecure); shift ;;
    --timeout) timeout=${2:?--timeout needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "smoke_test.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -n $token ]] || { echo "smoke_test.sh: no token: pass --token or set SPACETIME_TOKEN" >&2; exit 2; }
[[ $timeout =~ ^[1-9][0-9]*$ ]] || { echo "smoke_test.sh: --timeout must be a positive number" >&2; exit 2; }
command -v curl >/dev/null || { echo "smoke_test.sh: curl is required" >&2; exit 1; }
url=${url%/}

passed=0
failed=0
body=""
status=""

# request PATH [auth]: sets $status and $body; a connection failure is status 000.
request() {
  local args=(--silent --show-error --max-time "$timeout" "${curl_tls[@]}" --output - --write-out '\n%{http_code}')
  local out headers=""
  # The token goes to curl on stdin, never in its argv (which every local user can read with ps).
  if [[ ${2:-} == auth ]]; then
    args+=(--header @-)
    headers="Authorization: Bearer $token"
  fi
  out=$(printf '%s\n' "$headers" | curl "${args[@]}" "$url$1" 2>/dev/null) || true
  status=${out##*$'\n'}
  body=${out%$'\n'*}
  [[ $status =~ ^[0-9]{3}$ ]] || status=000
}

# expect NAME PATH auth|anon STATUS [PATTERN]: one check, PASS or FAIL.
expect() {
  local name=$1 path=$2 auth=$3 want=$4 pattern=${5:-}
  request "$path" "$auth"
  if [[ $status == "$want" ]] && { [[ -z $pattern ]] || grep -Eq -- "$pattern" <<<"$body"; }; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name: expected HTTP $want${pattern:+ matching $pattern}, got HTTP $status: ${body:0:200}"
    failed=$((failed + 1))
  fi
}

expect "health answers 200 and is overall healthy" /health anon 200 '"overall_healthy": *true'
expect "status without a token is refused" /status anon 401
expect "status with the token is READY" /status auth 200 '"state": *"READY"'
expect "the game has a scene loaded" /godot/scene auth 200 '"status": *"loaded"'
expect "the player has spawned" /godot/state/player auth 200 '"spawned": *true'
expect "manager metrics report healthy" /metrics auth 200 '^spacetime_health_status 1'
expect "game metrics report the simulation rate" /godot/metrics auth 200 '^spacetime_fps_current [0-9]'

echo "$passed passed, $failed failed"
((failed == 0))
