#!/usr/bin/env bash
# Prepares SpaceTime's monitoring (deploy/monitoring): puts the METRICS_TOKEN of a SpaceTime env file where
# Prometheus reads it, installs the configs for a single host if asked, and checks every config with
# promtool and amtool (the alert unit tests included) before anything is used.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: setup_monitoring.sh --env-file FILE (--compose DIR | --prometheus-dir DIR [--alertmanager-dir DIR])
  --env-file FILE          SpaceTime env file holding METRICS_TOKEN (see deploy/config/*/.env.template)
  --compose DIR            the compose folder: writes DIR/secrets/metrics_token
  --prometheus-dir DIR     single host: installs prometheus.yml (targets on 127.0.0.1), alerts.yml and the token
  --alertmanager-dir DIR   single host: installs alertmanager.yml
Needs promtool and amtool (apt-get install prometheus prometheus-alertmanager).
Exit codes: 0 ready, 1 failed, 2 bad usage.
USAGE
}

die() { echo "setup_monitoring.sh: $*" >&2; exit 1; }

monitoring=$(cd "$(dirname "${BASH_SOURCE[0]}")/../monitoring" && pwd)
env_file=""
compose=""
prometheus_dir=""
alertmanager_dir=""
while (($# > 0)); do
  case $1 in
    --env-file) env_file=${2:?--env-file needs a value}; shift 2 ;;
    --compose) compose=${2:?--compose needs a value}; shift 2 ;;
    --prometheus-dir) prometheus_dir=${2:?--prometheus-dir needs a value}; shift 2 ;;
    --alertmanager-dir) alertmanager_dir=${2:?--alertmanager-dir needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup_monitoring.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -n $env_file ]] || { usage >&2; exit 2; }
[[ -n $compose || -n $prometheus_dir ]] || { echo "setup_monitoring.sh: give --compose or --prometheus-dir" >&2; exit 2; }
[[ -f $env_file ]] || die "env file '$env_file' does not exist"
for tool in promtool amtool; do
  command -v "$tool" >/dev/null || die "$tool is required (apt-get install prometheus prometheus-alertmanager)"
done

# The last METRICS_TOKEN= line, without sourcing the file; surrounding quotes removed.
token=$(sed -n 's/^[[:space:]]*METRICS_TOKEN=//p' "$env_file" | tail -n 1)
token=${token%\"}; token=${token#\"}; token=${token%\'}; token=${token#\'}
[[ -n $token ]] || die "METRICS_TOKEN is not set in '$env_file'"
[[ $token != *REPLACE_WITH* && $token != \<* ]] || die "METRICS_TOKEN in '$env_file' is still a placeholder (openssl rand -hex 32)"
((${#token} >= 32)) || die "METRICS_TOKEN in '$env_file' is shorter than 32 characters"

# Compose passes the file's secrets straight to the services (Grafana's admin password, Redis'): none may still be a
# placeholder or short. Names only in messages, never values.
if [[ -n $compose ]]; then
  while IFS='=' read -r name value; do
    value=${value%\"}; value=${value#\"}; value=${value%\'}; value=${value#\'}
    [[ $value != *REPLACE_WITH* && $value != \<* ]] || die "$name in '$env_file' is still a placeholder (openssl rand -hex 32)"
    ((${#value} >= 32)) || die "$name in '$env_file' is shorter than 32 characters"
  done < <(grep -E '^[[:space:]]*(JWT_SECRET_KEY|API_TOKEN|METRICS_TOKEN|GRAFANA_ADMIN_PASSWORD|REDIS_PASSWORD)=' "$env_file" | sed 's/^[[:space:]]*//')
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

# check_prometheus CONFIG_DIR TOKEN_FILE: promtool on a copy whose credentials_file points at TOKEN_FILE.
check_prometheus() {
  cp "$1/prometheus.yml" "$1/alerts.yml" "$work/"
  sed -i "s|credentials_file: .*|credentials_file: $2|" "$work/prometheus.yml"
  promtool check config "$work/prometheus.yml" >&2 || die "promtool check config failed"
  cp "$monitoring/prometheus/alerts_test.yml" "$work/"
  (cd "$work" && promtool test rules alerts_test.yml >&2) || die "the alert unit tests failed"
}

if [[ -n $compose ]]; then
  [[ -f $compose/docker-compose.yml ]] || die "'$compose' is not the compose folder (no docker-compose.yml)"
  mkdir -p "$compose/secrets"
  chmod 700 "$compose/secrets"
  printf '%s' "$token" >"$compose/secrets/metrics_token"
  # Read inside the Prometheus container by its own user; the folder keeps other host users out.
  chmod 644 "$compose/secrets/metrics_token"
  check_prometheus "$monitoring/prometheus" "$compose/secrets/metrics_token"
  [[ -f $compose/tls/fullchain.pem && -f $compose/tls/privkey.pem ]] \
    || echo "setup_monitoring.sh: note: nginx needs $compose/tls/fullchain.pem and privkey.pem before 'docker compose up'" >&2
  echo "setup_monitoring.sh: wrote $compose/secrets/metrics_token"
fi

if [[ -n $prometheus_dir ]]; then
  mkdir -p "$prometheus_dir/secrets"
  printf '%s' "$token" >"$prometheus_dir/secrets/metrics_token"
  sed -e 's|"spacetime:8090"|"127.0.0.1:8090"|; s|"alertmanager:9093"|"127.0.0.1:9093"|' \
    -e "s|credentials_file: .*|credentials_file: $prometheus_dir/secrets/metrics_token|" \
    "$monitoring/prometheus/prometheus.yml" >"$prometheus_dir/prometheus.yml"
  cp "$monitoring/prometheus/alerts.yml" "$prometheus_dir/alerts.yml"
  if getent group prometheus >/dev/null; then
    chgrp -R prometheus "$prometheus_dir/secrets" "$prometheus_dir/prometheus.yml" "$prometheus_dir/alerts.yml"
    chmod 750 "$prometheus_dir/secrets"
    chmod 640 "$prometheus_dir/secrets/metrics_token" "$prometheus_dir/prometheus.yml" "$prometheus_dir/alerts.yml"
  fi
  promtool check config "$prometheus_dir/prometheus.yml" >&2 || die "promtool check config failed for $prometheus_dir/prometheus.yml"
  check_prometheus "$prometheus_dir" "$prometheus_dir/secrets/metrics_token"
  echo "setup_monitoring.sh: installed $prometheus_dir/prometheus.yml and alerts.yml"
fi

if [[ -n $alertmanager_dir ]]; then
  mkdir -p "$alertmanager_dir"
  cp "$monitoring/alertmanager/alertmanager.yml" "$alertmanager_dir/alertmanager.yml"
  chmod 644 "$alertmanager_dir/alertmanager.yml"
fi
amtool check-config "$monitoring/alertmanager/alertmanager.yml" >&2 || die "amtool check-config failed"
