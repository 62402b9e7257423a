#!/usr/bin/env bash
# Applies the SQL migrations in migrations/ (NNN_name.sql, in order) to a SpaceTime data dir's spacetime.db, or,
# with --database-url (or DATABASE_URL), those of migrations/postgresql/ to PostgreSQL with psql: the same files
# SpaceTime applies itself at start-up, recorded in the same schema_migrations table.
# Each runs in one transaction together with its row in schema_migrations, so a failing migration leaves the
# database as it was. Refuses a database that records migrations this kit does not know (made by a newer
# SpaceTime). Takes a backup with backup.sh first. Stop SpaceTime before migrating.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: migrate_database.sh [--data-dir DIR] [--migrations DIR] [--backup-dir DIR | --no-backup] [--status]
  --data-dir DIR     SpaceTime data dir (default: $SPACETIME_DATA_DIR or /var/lib/spacetime)
  --migrations DIR   folder of NNN_name.sql files (default: migrations/ beside this script)
  --backup-dir DIR   where the pre-migration backup goes (default /var/backups/spacetime)
  --no-backup        do not back up first
  --status           list applied and pending migrations, change nothing
  --database-url URL PostgreSQL (postgresql://user:password@host:port/name; default: $DATABASE_URL when set)
                     instead of the data dir's SQLite: applies migrations/postgresql/NNN_name.sql with psql
Exit codes: 0 up to date, 1 failed (nothing of the failing migration applied), 2 bad usage.
USAGE
}

die() { echo "migrate_database.sh: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/postgres_url.bash
source "$here/lib/postgres_url.bash"
data_dir=${SPACETIME_DATA_DIR:-/var/lib/spacetime}
migrations="$here/migrations"
backup_dir=/var/backups/spacetime
backup=true
status_only=false
database_url=${DATABASE_URL:-}
while (($# > 0)); do
  case $1 in
    --data-dir) data_dir=${2:?--data-dir needs a value}; shift 2 ;;
    --migrations) migrations=${2:?--migrations needs a value}; shift 2 ;;
    --backup-dir) backup_dir=${2:?--backup-dir needs a value}; shift 2 ;;
    --no-backup) backup=false; shift ;;
    --status) status_only=true; shift ;;
    --database-url) database_url=${2:?--database-url needs a value}; shift 2 ;;
    --database-url=*) database_url=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    # Only the name: an option=value may hold a password.
    *) echo "migrate_database.sh: unknown argument '${1%%=*}'" >&2; usage >&2; exit 2 ;;
  esac
done
if [[ -n $database_url ]]; then
  # PostgreSQL: each pending file in one transaction with its schema_migrations row (psql --single-transaction).
  # psql gets the URL without its password (ps shows command lines) and the password in PGPASSWORD.
  postgres_url "$database_url" || { echo "migrate_database.sh: --database-url must be a postgresql:// URL" >&2; exit 2; }
  export PGPASSWORD=$pg_password
  command -v psql >/dev/null || die "psql is required for --database-url (apt-get install postgresql-client)"
  [[ $migrations == "$here/migrations" ]] && migrations="$here/migrations/postgresql"
  [[ -d $migrations ]] || die "migrations folder '$migrations' does not exist"
  pg=(psql "$pg_url" --no-password -X -q -v ON_ERROR_STOP=1)
  "${pg[@]}" -c "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);" \
    || die "cannot reach PostgreSQL (the URL is not repeated here: it may hold a password)"
  mapfile -t done_versions < <("${pg[@]}" -tA -c "SELECT version FROM schema_migrations ORDER BY version;")
  for file in "$migrations"/[0-9][0-9][0-9]_*.sql; do
    [[ -e $file ]] || continue
    name=$(basename "$file" .sql)
    version=$((10#${name%%_*}))
    if [[ " ${done_versions[*]} " == *" $version "* ]]; then
      $status_only && echo "applied  $name"
      continue
    fi
    if $status_only; then
      echo "pending  $name"
      continue
    fi
    { cat "$file"; echo; echo "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, '$name', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'));"; } \
      | "${pg[@]}" --single-transaction -f - || die "migration $name failed and was rolled back"
    echo "migrate_database.sh: applied $name"
  done
  exit 0
fi
command -v sqlite3 >/dev/null || die "sqlite3 is required (apt-get install sqlite3)"
[[ -d $data_dir ]] || die "data dir '$data_dir' does not exist"
[[ -d $migrations ]] || die "migrations folder '$migrations' does not exist"
db="$data_dir/spacetime.db"

declare -A known=()
files=()
for file in "$migrations"/[0-9][0-9][0-9]_*.sql; do
  [[ -e $file ]] || continue
  name=$(basename "$file" .sql)
  version=$((10#${name%%_*}))
  [[ -z ${known[$version]:-} ]] || die "two migrations share version $version: ${known[$version]} and $name"
  known[$version]=$name
  files+=("$file")
done
((${#files[@]} > 0)) || die "no NNN_name.sql migrations in '$migrations'"

# Read without writing (--status changes nothing): a missing database or table means every migration is pending.
declare -A applied=()
if [[ -f $db ]] && [[ -n $(sqlite3 -readonly "$db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations';") ]]; then
  while IFS='|' read -r version name; do
    [[ -n $version ]] || continue
    applied[$version]=$name
    [[ -n ${known[$version]:-} ]] || die "the database records migration $version ($name), which this kit does not have: it belongs to a newer SpaceTime"
  done < <(sqlite3 -readonly "$db" "SELECT version, name FROM schema_migrations ORDER BY version;")
fi

pending=()
for file in "${files[@]}"; do
  name=$(basename "$file" .sql)
  version=$((10#${name%%_*}))
  if [[ -n ${applied[$version]:-} ]]; then
    $status_only && echo "applied  $name"
  else
    $status_only && echo "pending  $name"
    pending+=("$file")
  fi
done
$status_only && exit 0
if ((${#pending[@]} == 0)); then
  echo "migrate_database.sh: $db is up to date"
  exit 0
fi

if $backup; then
  # backup.sh sits beside this script in the repository and in scripts/maintenance/ of a release package.
  backup_script="$here/backup.sh"
  [[ -x $backup_script ]] || backup_script="$here/../maintenance/backup.sh"
  [[ -x $backup_script ]] || die "backup.sh not found beside this script or in ../maintenance/ (or pass --no-backup)"
  "$backup_script" --data-dir "$data_dir" --output "$backup_dir" --name "spacetime-premigration-$(date -u +%Y%m%dT%H%M%SZ)" >&2 \
    || die "the pre-migration backup failed; nothing was changed"
fi
for file in "${pending[@]}"; do
  name=$(basename "$file" .sql)
  version=$((10#${name%%_*}))
  {
    echo ".bail on"
    echo "BEGIN IMMEDIATE;"
    echo "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"
    cat "$file"
    echo
    echo "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, '$name', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));"
    echo "COMMIT;"
  } | sqlite3 "$db" || die "migration $name failed and was rolled back"
  echo "migrate_database.sh: applied $name"
done
# Run as root (sudo), sqlite3 may have just created the database: give it to the data dir's owner, the service user.
if [[ $(id -u) -eq 0 ]]; then
  chown --reference="$data_dir" "$db"
  chmod 0600 "$db"
fi
