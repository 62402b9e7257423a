#!/usr/bin/env bash
# Prepares SpaceTime's monitoring (deploy/monitoring): puts the METRICS_TOKEN of a SpaceTime env file where
# Prometheus reads it, fills the env file's alert notifiers (webhook, e-mail) into Alertmanager's receivers,
# installs the configs for a single host if asked, and checks every config with promtool and amtool (the alert
# unit tests included) before anything is used.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: setup_monitoring.sh --env-file FILE (--compose DIR | --prometheus-dir DIR [--alertmanager-dir DIR]) [--no-alert-receivers]
  --env-file FILE          SpaceTime env file holding METRICS_TOKEN and the alert notifiers (see deploy/config/*/.env.template)
  --compose DIR            the compose folder: writes DIR/secrets/metrics_token and DIR/secrets/alertmanager.yml
  --prometheus-dir DIR     single host: installs prometheus.yml (targets on 127.0.0.1), alerts.yml and the token
  --alertmanager-dir DIR   single host: installs alertmanager.yml with the env file's notifiers
  --no-alert-receivers     accept an Alertmanager that notifies nobody (alerts only listed in its UI and API)
Alert notifiers (env file): ALERT_WEBHOOK_URL pages critical and security alerts; ALERT_EMAIL_TO gets every
alert through SMTP_SMARTHOST (host:port) from SMTP_FROM, logging in with SMTP_AUTH_USERNAME/SMTP_AUTH_PASSWORD.
Needs promtool and amtool (apt-get install prometheus prometheus-alertmanager).
Exit codes: 0 ready, 1 failed, 2 bad usage.
USAGE
}

die() { echo "setup_monitoring.sh: $*" >&2; exit 1; }

# The monitoring kit: deploy/monitoring beside deploy/scripts in the repository, monitoring/ at the top of a release
# package (scripts/deployment/../../monitoring).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
monitoring=""
for candidate in "$here/../monitoring" "$here/../../monitoring"; do
  if [[ -f $candidate/prometheus/prometheus.yml ]]; then
    monitoring=$(cd "$candidate" && pwd)
    break
  fi
done
env_file=""
compose=""
prometheus_dir=""
alertmanager_dir=""
allow_no_receivers=false
while (($# > 0)); do
  case $1 in
    --env-file) env_file=${2:?--env-file needs a value}; shift 2 ;;
    --compose) compose=${2:?--compose needs a value}; shift 2 ;;
    --prometheus-dir) prometheus_dir=${2:?--prometheus-dir needs a value}; shift 2 ;;
    --alertmanager-dir) alertmanager_dir=${2:?--alertmanager-dir needs a value}; shift 2 ;;
    --no-alert-receivers) allow_no_receivers=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup_monitoring.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -n $env_file ]] || { usage >&2; exit 2; }
[[ -n $monitoring ]] || die "the monitoring kit is not beside this script ($here/../monitoring or $here/../../monitoring)"
[[ -n $compose || -n $prometheus_dir ]] || { echo "setup_monitoring.sh: give --compose or --prometheus-dir" >&2; exit 2; }
[[ -f $env_file ]] || die "env file '$env_file' does not exist"
# Absolute, since the paths are written into the installed configs.
[[ -z $prometheus_dir ]] || prometheus_dir=$(realpath -m -- "$prometheus_dir")
[[ -z $alertmanager_dir ]] || alertmanager_dir=$(realpath -m -- "$alertmanager_dir")
[[ -z $compose ]] || compose=$(realpath -m -- "$compose")
for tool in promtool amtool; do
  command -v "$tool" >/dev/null || die "$tool is required (apt-get install prometheus prometheus-alertmanager)"
done

# env_value NAME: the value of the last NAME= line, without sourcing the file; surrounding quotes removed.
env_value() {
  local value
  value=$(sed -n "s/^[[:space:]]*$1=//p" "$env_file" | tail -n 1)
  value=${value%\"}; value=${value#\"}; value=${value%\'}; value=${value#\'}
  printf '%s' "$value"
}

token=$(env_value METRICS_TOKEN)
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

# Alert notifiers: checked before anything is written. Values are named in messages, never printed.
webhook=$(env_value ALERT_WEBHOOK_URL)
email_to=$(env_value ALERT_EMAIL_TO)
smarthost=$(env_value SMTP_SMARTHOST)
smtp_from=$(env_value SMTP_FROM)
smtp_user=$(env_value SMTP_AUTH_USERNAME)
smtp_password=$(env_value SMTP_AUTH_PASSWORD)
if [[ -n $webhook ]]; then
  [[ $webhook =~ ^https?://[^[:space:]]+$ ]] || die "ALERT_WEBHOOK_URL in '$env_file' is not an http(s) URL"
  [[ $webhook != *REPLACE_WITH* && $webhook != *\<* ]] || die "ALERT_WEBHOOK_URL in '$env_file' is still a placeholder"
fi
if [[ -n $email_to ]]; then
  [[ $email_to =~ ^[^[:space:]@]+@[^[:space:]@]+$ && $email_to != *REPLACE_WITH* ]] || die "ALERT_EMAIL_TO in '$env_file' is not an e-mail address"
  [[ $smarthost =~ ^[^[:space:]:]+:[0-9]+$ ]] || die "ALERT_EMAIL_TO needs SMTP_SMARTHOST (host:port) in '$env_file'"
  [[ $smtp_from =~ ^[^[:space:]@]+@[^[:space:]@]+$ ]] || die "ALERT_EMAIL_TO needs SMTP_FROM (an e-mail address) in '$env_file'"
  if [[ -n $smtp_password ]]; then
    [[ $smtp_password != *REPLACE_WITH* && $smtp_password != \<* ]] || die "SMTP_AUTH_PASSWORD in '$env_file' is still a placeholder"
    [[ -n $smtp_user ]] || die "SMTP_AUTH_PASSWORD needs SMTP_AUTH_USERNAME in '$env_file'"
  fi
fi
if [[ -n $compose || -n $alertmanager_dir ]] && [[ -z $webhook && -z $email_to ]] && ! $allow_no_receivers; then
  die "no alert receiver in '$env_file': set ALERT_WEBHOOK_URL and/or ALERT_EMAIL_TO (with SMTP_*), or pass --no-alert-receivers to install an Alertmanager that notifies nobody"
fi

# render_alertmanager: the shipped alertmanager.yml with the notifiers under its receivers. Values reach awk through its
# environment (not argv, where ps shows them) and are written as single-quoted YAML scalars.
render_alertmanager() {
  WEBHOOK=$webhook EMAIL_TO=$email_to SMARTHOST=$smarthost SMTP_FROM=$smtp_from SMTP_USER=$smtp_user SMTP_PASSWORD=$smtp_password \
    awk '
      function q(v) { gsub(/\047/, "\047\047", v); return "\047" v "\047" }
      { print }
      /^global:$/ && ENVIRON["EMAIL_TO"] != "" {
        print "  smtp_smarthost: " q(ENVIRON["SMARTHOST"])
        print "  smtp_from: " q(ENVIRON["SMTP_FROM"])
        if (ENVIRON["SMTP_USER"] != "") print "  smtp_auth_username: " q(ENVIRON["SMTP_USER"])
        if (ENVIRON["SMTP_PASSWORD"] != "") print "  smtp_auth_password: " q(ENVIRON["SMTP_PASSWORD"])
      }
      /^  - name: (team|oncall|security)$/ {
        name = $3
        # Pages (critical, security) go to the webhook; the team gets e-mail, or the webhook when there is no e-mail.
        if (ENVIRON["WEBHOOK"] != "" && (name != "team" || ENVIRON["EMAIL_TO"] == "")) {
          print "    webhook_configs:"
          print "      - url: " q(ENVIRON["WEBHOOK"])
          print "        send_resolved: true"
        }
        if (ENVIRON["EMAIL_TO"] != "") {
          print "    email_configs:"
          print "      - to: " q(ENVIRON["EMAIL_TO"])
          print "        send_resolved: true"
          print "        headers:"
          print "          Subject: \047[ALERT] SpaceTime {{ .GroupLabels.severity }} - {{ .GroupLabels.alertname }}\047"
        }
      }
    ' "$monitoring/alertmanager/alertmanager.yml"
}

# install_alertmanager FILE: writes the rendered config to FILE and checks it with amtool.
install_alertmanager() {
  render_alertmanager >"$1"
  amtool check-config "$1" >&2 || die "amtool check-config failed for $1"
}

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
  # Read inside the Alertmanager container by its own user, like the token.
  install_alertmanager "$compose/secrets/alertmanager.yml"
  chmod 644 "$compose/secrets/alertmanager.yml"
  echo "setup_monitoring.sh: wrote $compose/secrets/metrics_token and $compose/secrets/alertmanager.yml"
fi

if [[ -n $prometheus_dir ]]; then
  mkdir -p "$prometheus_dir/secrets"
  printf '%s' "$token" >"$prometheus_dir/secrets/metrics_token"
  sed -e 's|"spacetime:8090"|"127.0.0.1:8090"|; s|"alertmanager:9093"|"127.0.0.1:9093"|; s|"node-exporter:9100"|"127.0.0.1:9100"|' \
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
  install_alertmanager "$alertmanager_dir/alertmanager.yml"
  # It may hold the SMTP password: readable by root and the alertmanager group only.
  chmod 640 "$alertmanager_dir/alertmanager.yml"
  if getent group prometheus >/dev/null; then
    chgrp prometheus "$alertmanager_dir/alertmanager.yml"
  fi
  echo "setup_monitoring.sh: installed $alertmanager_dir/alertmanager.yml"
fi
amtool check-config "$monitoring/alertmanager/alertmanager.yml" >&2 || die "amtool check-config failed"
