#!/usr/bin/env bash
# Installs a SpaceTime release on this host and switches to it only if it becomes healthy:
#   PREFIX/releases/VERSION/   the published files (spacetime executable, config/, project/)
#   PREFIX/current  -> releases/VERSION   (what the service runs: /opt/spacetime/current/spacetime)
#   PREFIX/previous -> releases/OLD       (what rollback.sh --quick goes back to)
# After the switch it restarts the service and polls the manager's /health (200 = game READY); when that
# does not happen in time it switches back, restarts again and exits 1.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: deploy.sh [options] SOURCE
  SOURCE               a published release: a folder holding the spacetime executable, or a .tar.gz of one
  --version V          release name (default: the SOURCE name without .tar.gz)
  --prefix DIR         install root (default /opt/spacetime)
  --restart-cmd CMD    restarts the service (default: systemctl restart spacetime)
  --health-url URL     the manager's health endpoint (default http://127.0.0.1:8090/health)
  --timeout SECONDS    how long the new release has to become healthy (default 120)
  --keep N             releases kept on disk, current and previous included (default 5)
Exit codes: 0 deployed, 1 failed (rolled back when possible), 2 bad usage.
USAGE
}

log() { echo "deploy.sh: $*" >&2; }
die() { log "$*"; exit 1; }

prefix=/opt/spacetime
restart_cmd="systemctl restart spacetime"
health_url=http://127.0.0.1:8090/health
timeout=120
keep=5
version=""
source=""
while (($# > 0)); do
  case $1 in
    --version) version=${2:?--version needs a value}; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a value}; shift 2 ;;
    --restart-cmd) restart_cmd=${2:?--restart-cmd needs a value}; shift 2 ;;
    --health-url) health_url=${2:?--health-url needs a value}; shift 2 ;;
    --timeout) timeout=${2:?--timeout needs a value}; shift 2 ;;
    --keep) keep=${2:?--keep needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -*) log "unknown option '$1'"; usage >&2; exit 2 ;;
    *) [[ -z $source ]] || { log "one SOURCE only"; exit 2; }; source=$1; shift ;;
  esac
done
[[ -n $source ]] || { usage >&2; exit 2; }
[[ $timeout =~ ^[1-9][0-9]*$ ]] || { log "--timeout must be a positive number"; exit 2; }
[[ $keep =~ ^[2-9]$|^[1-9][0-9]+$ ]] || { log "--keep must be 2 or more (current and previous)"; exit 2; }
[[ -e $source ]] || die "release '$source' does not exist"
if [[ -z $version ]]; then
  version=$(basename "$source")
  version=${version%.tar.gz}
fi
[[ $version =~ ^[A-Za-z0-9._+-]+$ ]] || { log "version '$version' may hold letters, digits, '.', '_', '+' and '-' only"; exit 2; }
command -v curl >/dev/null || die "curl is required"

releases="$prefix/releases"
target="$releases/$version"
[[ ! -e $target ]] || die "release $version is already installed in $target (choose another --version)"
mkdir -p "$releases"

# Unpack or copy next to the final place, check it, then move it in: a half-copied release is never current.
incoming=$(mktemp -d "$releases/.incoming.XXXXXX")
trap 'rm -rf "$incoming"' EXIT
if [[ -f $source ]]; then
  tar -C "$incoming" -xzf "$source" || die "'$source' is not a readable .tar.gz"
else
  cp -a "$source/." "$incoming/"
fi
[[ -x $incoming/spacetime ]] || die "'$source' holds no spacetime executable: not a published SpaceTime release"
chmod 755 "$incoming"
mv "$incoming" "$target"

# switch NAME VERSION: atomically points PREFIX/NAME at releases/VERSION.
switch() {
  ln -sfn "releases/$2" "$prefix/.$1.new"
  mv -Tf "$prefix/.$1.new" "$prefix/$1"
}

healthy() {
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if [[ $(curl --silent --output /dev/null --max-time 5 --write-out '%{http_code}' "$health_url" || true) == 200 ]]; then
      return 0
    fi
    sleep 2
  done
  return 1
}

old=""
[[ -L $prefix/current ]] && old=$(basename "$(readlink "$prefix/current")")
switch current "$version"
log "current -> $version${old:+ (was $old)}; restarting: $restart_cmd"
if bash -c "$restart_cmd" && healthy; then
  [[ -n $old && $old != "$version" ]] && switch previous "$old"
  log "$version is healthy ($health_url)"
else
  log "$version did not become healthy within ${timeout}s"
  if [[ -n $old ]]; then
    switch current "$old"
    bash -c "$restart_cmd" || true
    if healthy; then
      # The failed release goes, so the same version can be deployed again once fixed.
      rm -rf "${target:?}"
      log "rolled back to $old, which is healthy; removed the failed release $version"
    else
      log "rolled back to $old, which is NOT healthy either"
    fi
  fi
  exit 1
fi

# Keep the newest releases, never current or previous.
protect=("$version" "$old")
mapfile -d '' -t installed < <(find "$releases" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@\t%f\0' | sort -rnz | cut -z -f2-)
for ((i = keep; i < ${#installed[@]}; i++)); do
  name=${installed[i]}
  [[ " ${protect[*]} " == *" $name "* ]] && continue
  rm -rf "${releases:?}/$name"
  log "removed old release $name"
done
echo "$version"
