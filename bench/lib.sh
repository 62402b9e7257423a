# shellcheck shell=bash
# Helpers shared by the HTTP benchmarks in bench/ (state.sh, http-load.sh). Source it after `cd` to the repository root.

# bench_require_debian TOOL:PACKAGE...: installs the Debian packages whose tool is missing, as test.sh does.
bench_require_debian() {
  local missing=() tool sudo=""
  for tool in "$@"; do
    command -v "${tool%%:*}" >/dev/null || [ -x "/usr/sbin/${tool%%:*}" ] || missing+=("${tool##*:}")
  done
  ((${#missing[@]} == 0)) && return 0
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# bench_exe: builds the Release CLI once and prints the `spacetime` executable; SPACETIME_EXE names an already built one
# (the tests pass theirs, so a benchmark run from a test does not rebuild).
bench_exe() {
  if [ -n "${SPACETIME_EXE:-}" ]; then
    echo "$SPACETIME_EXE"
    return
  fi
  dotnet build src/SpaceTime.Cli -c Release -v quiet -nologo >/dev/null
  echo "$PWD/src/SpaceTime.Cli/bin/Release/net10.0/spacetime"
}

# bench_publish DIR: publishes the CLI into DIR the way the release package does (`spacetime package build`: Release,
# linux-x64, framework-dependent, so ReadyToRun) and prints its `spacetime`.
bench_publish() {
  dotnet publish src/SpaceTime.Cli -c Release -r linux-x64 --self-contained false -o "$1" -v quiet -nologo >/dev/null
  echo "$1/spacetime"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_until SECONDS CMD...: polls CMD every 20 ms until it succeeds; fails the benchmark at the deadline.
wait_until() {
  local deadline=$(($(now_ms) + $1 * 1000))
  shift
  until "$@" >/dev/null 2>&1; do
    if (($(now_ms) > deadline)); then
      echo "${0##*/}: timed out waiting for: $*" >&2
      exit 1
    fi
    sleep 0.02
  done
}

# bench_config EXE DIR ENVIRONMENT: the shipped config folder copied to DIR with rate limits and connection caps
# raised so that the benchmark's one client (every connection comes from 127.0.0.1) is never refused; everything else as shipped:
# authentication, bans, the scene whitelist, security headers and the audit log stay on.
bench_config() {
  mkdir -p "$2"
  cp "$(dirname "$1")"/config/* "$2/"
  python3 - "$2/security_$3.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
limits = doc["rate_limiting"]
limits.update(global_requests_per_minute=100000000, default_requests_per_minute=100000000, ban_after_violations=1000000)
# Endpoints turned off (0) stay off; the others are raised.
limits["per_endpoint_limits"] = {k: (0 if v == 0 else 100000000) for k, v in limits.get("per_endpoint_limits", {}).items()}
doc["authentication"]["session_timeout_minutes"] = 120
json.dump(doc, open(path, "w"))
PY
  # The load generator is one address holding up to 1,000 connections: the connection caps (per client, and in all)
  # are raised for it too. The request gate (max_concurrent_requests and its queue) stays as shipped.
  python3 - "$2/$3.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc.setdefault("http_api", {}).update(max_connections=4096, max_connections_per_client=4096)
json.dump(doc, open(path, "w"))
PY
}
