# shellcheck shell=bash
# Sourced by backup.sh, restore.sh and migrate_database.sh: splits a PostgreSQL URL so that its password never reaches a command line
# (where ps shows it) or a message. The pg_* tools get the URL without the password and the password in PGPASSWORD.

# postgres_url URL: sets pg_url (the URL without its password) and pg_password (percent-decoded, empty when the URL
# has none). Returns 1 when URL is not a postgresql:// or postgres:// URL.
# shellcheck disable=SC2034 # pg_url and pg_password are for the script that sources this
postgres_url() {
  [[ $1 =~ ^(postgres(ql)?://)([^/?#]*)(.*)$ ]] || return 1
  local scheme=${BASH_REMATCH[1]} authority=${BASH_REMATCH[3]} rest=${BASH_REMATCH[4]} user
  pg_password=""
  if [[ $authority == *@* ]]; then
    user=${authority%@*}
    authority=${authority##*@}
    if [[ $user == *:* ]]; then
      pg_password=${user#*:}
      pg_password=${pg_password//\\/\\\\}
      pg_password=$(printf '%b' "${pg_password//%/\\x}")
      user=${user%%:*}
    fi
    authority="$user@$authority"
  fi
  pg_url="$scheme$authority$rest"
}
