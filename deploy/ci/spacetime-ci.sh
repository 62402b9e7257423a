#!/usr/bin/env bash
# The SpaceTime steps of a game repository's pipeline, shared by the GitHub Actions workflow and the GitLab CI template
# (deploy/ci/), so both stay thin and run the same commands. See docs/CI.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: spacetime-ci.sh STEP [STEP...]
Steps, in pipeline order:
  install   install the spacetime .NET tool (dotnet tool install SpaceTime.Cli) into SPACETIME_TOOL_PATH
  lint      validate every scene, resource and project.godot: JUnit report, and GitHub annotations under GitHub Actions
  test      start the manager and `spacetime serve` headless on the project, wait until READY, run health-check
  build     build the signed release package (spacetime package build) into SPACETIME_DIST_DIR
  verify    verify the release package against SPACETIME_PUBLIC_KEY (spacetime package verify)
  deploy    verify, then run the package's scripts/deployment/deploy.sh with SPACETIME_DEPLOY_ARGS
Environment (all optional unless a step says so):
  SPACETIME_TOOL_SOURCE     extra NuGet source (folder feed or URL) holding SpaceTime.Cli
  SPACETIME_TOOL_VERSION    the SpaceTime.Cli version to install (default: the newest the sources have)
  SPACETIME_TOOL_PATH       where the tool goes (default .spacetime/tool)
  SPACETIME_PROJECT_DIR     the Godot project (default: the first folder holding project.godot)
  SPACETIME_SCENE           the scene to load for the health check (default: the project's run/main_scene)
  SPACETIME_REPORTS_DIR     reports and logs (default reports)
  SPACETIME_MANAGER_PORT, SPACETIME_GAME_PORT, SPACETIME_TELEMETRY_PORT   (default 8090, 8080, 8081)
  SPACETIME_READY_TIMEOUT   seconds the game has to become READY (default 120)
  SPACETIME_VERSION         release version (default: the tag without a leading v: CI_COMMIT_TAG or GITHUB_REF_NAME)
  SPACETIME_SOURCE_DIR      the SpaceTime checkout to package (default .); SPACETIME_BINARIES an already-published app
  SPACETIME_SIGNING_KEY     the release signing key (build): a file, or the armored key itself (a CI secret)
  SPACETIME_PASSPHRASE_FILE or SPACETIME_PASSPHRASE   its passphrase, in a file or as text
  SPACETIME_PUBLIC_KEY      the trusted release public key (verify, deploy): a file, or the armored key itself
  SPACETIME_DEPLOY_ARGS     options for the package's deploy.sh (deploy), e.g. "--prefix /opt/spacetime"
  SPACETIME_DIST_DIR        release output folder (default dist)
Exit codes: 0 every step passed, 1 a step failed, 2 bad usage.
USAGE
}

die() { echo "spacetime-ci: $*" >&2; exit 1; }
log() { echo "spacetime-ci: $*"; }

TOOL_PATH=${SPACETIME_TOOL_PATH:-.spacetime/tool}
REPORTS=${SPACETIME_REPORTS_DIR:-reports}
DIST=${SPACETIME_DIST_DIR:-dist}

# The installed tool, or spacetime on PATH (a runner image that ships it).
spacetime_bin() {
  if [ -x "$TOOL_PATH/spacetime" ]; then
    echo "$TOOL_PATH/spacetime"
  elif type -P spacetime >/dev/null; then
    # type -P: the file on PATH, never this script's own spacetime function.
    type -P spacetime
  else
    die "spacetime is not installed: run the install step first (or put spacetime on PATH)"
  fi
}

spacetime() {
  local bin
  bin=$(spacetime_bin)
  "$bin" "$@"
}

project_dir() {
  if [ -n "${SPACETIME_PROJECT_DIR:-}" ]; then
    [ -f "$SPACETIME_PROJECT_DIR/project.godot" ] || die "SPACETIME_PROJECT_DIR=$SPACETIME_PROJECT_DIR holds no project.godot"
    echo "$SPACETIME_PROJECT_DIR"
    return
  fi
  local found
  found=$(find . -maxdepth 3 -name project.godot -not -path '*/.*/*' | LC_ALL=C sort | head -n 1)
  [ -n "$found" ] || die "no project.godot in this repository (set SPACETIME_PROJECT_DIR)"
  dirname "$found"
}

release_version() {
  local version=${SPACETIME_VERSION:-${CI_COMMIT_TAG:-}}
  if [ -z "$version" ] && [ "${GITHUB_REF_TYPE:-}" = tag ]; then
    version=${GITHUB_REF_NAME:-}
  fi
  [ -n "$version" ] || die "no release version: set SPACETIME_VERSION or run on a tag"
  echo "${version#v}"
}

step_install() {
  if [ -x "$TOOL_PATH/spacetime" ]; then
    log "spacetime already installed in $TOOL_PATH: $("$TOOL_PATH/spacetime" --version)"
    return
  fi
  local args=(tool install SpaceTime.Cli --tool-path "$TOOL_PATH")
  [ -z "${SPACETIME_TOOL_SOURCE:-}" ] || args+=(--add-source "$SPACETIME_TOOL_SOURCE")
  [ -z "${SPACETIME_TOOL_VERSION:-}" ] || args+=(--version "$SPACETIME_TOOL_VERSION")
  log "dotnet ${args[*]}"
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet "${args[@]}"
  log "installed $("$TOOL_PATH/spacetime" --version)"
}

step_lint() {
  local project status=0
  project=$(project_dir)
  mkdir -p "$REPORTS"
  # Every scene, resource and project file of the repository, not only the project's own (hidden folders are skipped).
  spacetime scenes validate --format junit --output "$REPORTS/scenes.junit.xml" . || status=$?
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    # Workflow commands on standard output become annotations on the files; the exit status is the JUnit run's.
    spacetime scenes validate --format github . || true
  fi
  [ "$status" -eq 0 ] || die "scenes validate found errors in $project or elsewhere (report: $REPORTS/scenes.junit.xml)"
  log "scenes valid (report: $REPORTS/scenes.junit.xml)"
}

main_scene() {
  local project=$1
  if [ -n "${SPACETIME_SCENE:-}" ]; then
    echo "$SPACETIME_SCENE"
    return
  fi
  sed -n 's/^run\/main_scene="\(.*\)"$/\1/p' "$project/project.godot" | head -n 1
}

KEY_FILE=""
MANAGER_PID=""
stop_manager() {
  [ -n "$MANAGER_PID" ] || return 0
  if kill -0 "$MANAGER_PID" 2>/dev/null; then
    kill -TERM "$MANAGER_PID" 2>/dev/null || true
    local waited=0
    while kill -0 "$MANAGER_PID" 2>/dev/null && [ "$waited" -lt 300 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -KILL "$MANAGER_PID" 2>/dev/null || true
  fi
  wait "$MANAGER_PID" 2>/dev/null || true
  MANAGER_PID=""
}

step_test() {
  local project scene manager_port game_port telemetry_port timeout data deadline bin status=0
  project=$(cd "$(project_dir)" && pwd)
  scene=$(main_scene "$project")
  [ -n "$scene" ] || die "$project/project.godot names no run/main_scene (set SPACETIME_SCENE)"
  manager_port=${SPACETIME_MANAGER_PORT:-8090}
  game_port=${SPACETIME_GAME_PORT:-8080}
  telemetry_port=${SPACETIME_TELEMETRY_PORT:-8081}
  timeout=${SPACETIME_READY_TIMEOUT:-120}
  mkdir -p "$REPORTS"
  data=$(mktemp -d)
  # One token for the manager, the game and the health check; never printed. A CI job does not announce itself on UDP.
  API_TOKEN=${API_TOKEN:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}
  export API_TOKEN DISCOVERY_PORT=${SPACETIME_DISCOVERY_PORT:-0}
  trap 'stop_manager; rm -rf "$data"; cleanup_secrets' EXIT

  log "starting spacetime manage on $project ($scene), manager :$manager_port, game :$game_port"
  # The executable itself in the background (not the shell function), so $! is the manager and SIGTERM reaches it.
  bin=$(spacetime_bin)
  "$bin" manage --port "$manager_port" --godot-port "$game_port" --telemetry-port "$telemetry_port" \
    --project-path "$project" --scene-path "$scene" --data-dir "$data" --log-dir "$REPORTS" >"$REPORTS/spacetime.log" 2>&1 &
  MANAGER_PID=$!

  deadline=$((SECONDS + timeout))
  until curl -fsS -o /dev/null "http://127.0.0.1:$manager_port/health" 2>/dev/null; do
    if ! kill -0 "$MANAGER_PID" 2>/dev/null; then
      cat "$REPORTS/spacetime.log" >&2
      die "spacetime manage exited before the game was READY (log: $REPORTS/spacetime.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 50 "$REPORTS/spacetime.log" >&2
      die "the game was not READY within $timeout s (log: $REPORTS/spacetime.log)"
    fi
    sleep 0.5
  done
  log "game READY; running health-check"

  SPACETIME_TOKEN=$API_TOKEN spacetime health-check --url "http://127.0.0.1:$game_port" --manager-url "http://127.0.0.1:$manager_port" \
    --telemetry-url "ws://127.0.0.1:$telemetry_port/telemetry" --project "$project" --data-dir "$data" --no-color \
    --format junit --output "$REPORTS/health-check.junit.xml" --json-report "$REPORTS/health-check.json" || status=$?
  stop_manager
  rm -rf "$data"
  trap cleanup_secrets EXIT
  [ "$status" -eq 0 ] || die "health-check failed (report: $REPORTS/health-check.junit.xml)"
}

SECRETS=""
cleanup_secrets() { [ -z "$SECRETS" ] || rm -rf "$SECRETS"; }

# A private folder for secrets given as text, removed when the script exits.
secrets_dir() {
  if [ -z "$SECRETS" ]; then
    SECRETS=$(mktemp -d)
    chmod 700 "$SECRETS"
    trap cleanup_secrets EXIT
  fi
}

# Sets KEY_FILE to the file a key variable names, or (a CI secret holding the armored key itself) to a private copy.
key_file() {
  local name=$1 value=${!1:-}
  [ -n "$value" ] || die "$name is not set"
  if [[ "$value" == -----BEGIN* ]]; then
    secrets_dir
    KEY_FILE="$SECRETS/$name.asc"
    (umask 077 && printf '%s\n' "$value" >"$KEY_FILE")
  else
    [ -f "$value" ] || die "$name=$value is neither a file nor an armored key"
    KEY_FILE=$value
  fi
}

step_build() {
  local version args
  version=$(release_version)
  [ -n "${SPACETIME_SIGNING_KEY:-}" ] || die "SPACETIME_SIGNING_KEY (the release signing key) is not set: a release is signed"
  key_file SPACETIME_SIGNING_KEY
  args=(package build --version "$version" --output "$DIST" --source "${SPACETIME_SOURCE_DIR:-.}" --signing-key "$KEY_FILE" --force)
  if [ -n "${SPACETIME_PASSPHRASE_FILE:-}" ]; then
    args+=(--passphrase-file "$SPACETIME_PASSPHRASE_FILE")
  elif [ -n "${SPACETIME_PASSPHRASE:-}" ]; then
    secrets_dir
    (umask 077 && printf '%s\n' "$SPACETIME_PASSPHRASE" >"$SECRETS/passphrase")
    args+=(--passphrase-file "$SECRETS/passphrase")
  fi
  [ -z "${SPACETIME_BINARIES:-}" ] || args+=(--binaries "$SPACETIME_BINARIES")
  # Reproducible: the archives' times are the commit's.
  SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)} spacetime "${args[@]}"
}

step_verify() {
  local version
  version=$(release_version)
  [ -n "${SPACETIME_PUBLIC_KEY:-}" ] || die "SPACETIME_PUBLIC_KEY (the trusted release public key) is not set"
  key_file SPACETIME_PUBLIC_KEY
  mkdir -p "$REPORTS"
  spacetime package verify "$DIST/spacetime-vr-v$version.tar.gz" --public-key "$KEY_FILE" | tee "$REPORTS/package-verify.txt"
}

step_deploy() {
  local version deploy_args
  version=$(release_version)
  step_verify
  # The verified archive, unpacked fresh: a folder left beside it was not what was verified.
  rm -rf "$DIST/spacetime-vr-v$version"
  tar -xzf "$DIST/spacetime-vr-v$version.tar.gz" -C "$DIST"
  read -r -a deploy_args <<<"${SPACETIME_DEPLOY_ARGS:-}"
  bash "$DIST/spacetime-vr-v$version/scripts/deployment/deploy.sh" "${deploy_args[@]}" "$DIST/spacetime-vr-v$version/binaries"
}

if [ $# -eq 0 ]; then
  usage >&2
  exit 2
fi
for step in "$@"; do
  case "$step" in
    -h | --help) usage; exit 0 ;;
    install | lint | test | build | verify | deploy) ;;
    *) echo "spacetime-ci: unknown step '$step'" >&2; usage >&2; exit 2 ;;
  esac
done
for step in "$@"; do
  "step_$step"
done
