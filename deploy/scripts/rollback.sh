#!/usr/bin/env bash
# Rolls a deploy.sh installation back: points PREFIX/current at an earlier release, restarts the service and
# waits for the manager's /health. --quick goes back to PREFIX/previous (the release that ran before).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: rollback.sh (--quick | --to VERSION | --list) [options]
  --quick              go back to the previous release (PREFIX/previous)
  --to VERSION         go back to this installed release
  --list               list installed releases and exit
  --prefix DIR         install root (default /opt/spacetime)
  --restart-cmd CMD    restarts the service (default: systemctl restart spacetime)
  --health-url URL     the manager's health endpoint (default http://127.0.0.1:8090/health)
  --timeout SECONDS    how long to wait for health (default 120)
Exit codes: 0 rolled back and healthy, 1 failed, 2 bad usage.
USAGE
}

log() { echo "rollback.sh: $*" >&2; }
die() { log "$*"; exit 1; }

prefix=/opt/spacetime
restart_cmd="systemctl restart spacetime"
health_url=http://127.0.0.1:8090/health
timeout=120
mode=""
to=""
while (($# > 0)); do
  case $1 in
    --quick) mode=quick; shift ;;
    --to) mode=to; to=${2:?--to needs a value}; shift 2 ;;
    --list) mode=list; shift ;;
    --prefix) prefix=${2:?--prefix needs a value}; shift 2 ;;
    --restart-cmd) restart_cmd=${2:?--restart-cmd needs a value}; shift 2 ;;
    --health-url) health_url=${2:?--health-url needs a value}; shift 2 ;;
    --timeout) timeout=${2:?--timeout needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) log "unknown argument '$1'"; usage >&2; exit 2 ;;
  esac
done
[[ -n $mode ]] || { usage >&2; exit 2; }
[[ $timeout =~ ^[1-9][0-9]*$ ]] || { log "--timeout must be a positive number"; exit 2; }
[[ -L $prefix/current ]] || die "no deploy.sh installation in '$prefix' (no current link)"
current=$(basename "$(readlink "$prefix/current")")

if [[ $mode == list ]]; then
  find "$prefix/releases" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' | sort | while read -r name; do
    marker=""
    [[ $name == "$current" ]] && marker=" (current)"
    [[ -L $prefix/previous && $name == $(basename "$(readlink "$prefix/previous")") ]] && marker=" (previous)"
    echo "$name$marker"
  done
  exit 0
fi

if [[ $mode == quick ]]; then
  [[ -L $prefix/previous ]] || die "no previous release recorded in '$prefix': use --to VERSION (see --list)"
  to=$(basename "$(readlink "$prefix/previous")")
fi
[[ -x $prefix/releases/$to/spacetime ]] || die "release '$to' is not installed in $prefix/releases"
[[ $to != "$current" ]] || die "release '$to' is already current"
command -v curl >/dev/null || die "curl is required"

ln -sfn "releases/$to" "$prefix/.current.new" && mv -Tf "$prefix/.current.new" "$prefix/current"
ln -sfn "releases/$current" "$prefix/.previous.new" && mv -Tf "$prefix/.previous.new" "$prefix/previous"
log "current -> $to (previous -> $current); restarting: $restart_cmd"
bash -c "$restart_cmd" || die "the restart command failed"
deadline=$((SECONDS + timeout))
while ((SECONDS < deadline)); do
  if [[ $(curl --silent --output /dev/null --max-time 5 --write-out '%{http_code}' "$health_url" || true) == 200 ]]; then
    log "$to is healthy"
    echo "$to"
    exit 0
  fi
  sleep 2
done
die "$to did not become healthy within ${timeout}s ($health_url)"
