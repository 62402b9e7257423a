#!/usr/bin/env bash
# Backs up SpaceTime while it runs: the data dir — consistent SQLite snapshots (sqlite3 .backup, safe with WAL and
# concurrent writers) of the scene history (spacetime.db), the outbox of records not yet in PostgreSQL (outbox.db)
# and the signing keys, revocations and sessions (security/state.db), plus the audit log and the rest — and, with
# --database-url, the PostgreSQL database (pg_dump --format=custom: scene history and audit trail of every instance).
# A SHA-256 manifest covers every file. Writes NAME.tar.gz and NAME.tar.gz.sha256; restore.sh refuses an archive
# whose checksums do not match. The database password never reaches a command line or a message.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: backup.sh [--data-dir DIR] [--database-url URL] [--output DIR] [--keep-days N] [--name NAME]
  --data-dir DIR   SpaceTime data dir (default: $SPACETIME_DATA_DIR or /var/lib/spacetime; with a database URL
                   and no --data-dir, the default is backed up only when it exists and is not empty)
  --database-url URL  PostgreSQL to dump (postgresql://user:password@host:port/name; default: $DATABASE_URL)
  --output DIR     where archives go (default: /var/backups/spacetime)
  --keep-days N    delete this script's archives older than N days (default: BACKUP_RETENTION_DAYS, else keep all)
  --name NAME      archive name without .tar.gz (default: spacetime-backup-<UTC time>)
Prints the archive path. Exit codes: 0 done, 1 failed, 2 bad usage.
USAGE
}

die() { echo "backup.sh: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/postgres_url.bash
source "$here/lib/postgres_url.bash"

data_dir=${SPACETIME_DATA_DIR:-/var/lib/spacetime}
data_dir_given=false
database_url=${DATABASE_URL:-}
output=/var/backups/spacetime
keep_days=${BACKUP_RETENTION_DAYS:-}
name="spacetime-backup-$(date -u +%Y%m%dT%H%M%SZ)"
while (($# > 0)); do
  case $1 in
    --data-dir) data_dir=${2:?--data-dir needs a value}; data_dir_given=true; shift 2 ;;
    --database-url) database_url=${2:?--database-url needs a value}; shift 2 ;;
    --database-url=*) database_url=${1#*=}; shift ;;
    --output) output=${2:?--output needs a value}; shift 2 ;;
    --keep-days) keep_days=${2:?--keep-days needs a value}; shift 2 ;;
    --name) name=${2:?--name needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    # Only the name: an option=value may hold a password.
    *) echo "backup.sh: unknown argument '${1%%=*}'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -z $keep_days || $keep_days =~ ^[1-9][0-9]*$ ]] || { echo "backup.sh: --keep-days must be a positive number" >&2; exit 2; }
[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { echo "backup.sh: --name may hold letters, digits, '.', '_' and '-' only" >&2; exit 2; }
if [[ -n $database_url ]]; then
  postgres_url "$database_url" || { echo "backup.sh: --database-url must be a postgresql:// URL" >&2; exit 2; }
  command -v pg_dump >/dev/null || die "pg_dump is required for --database-url (apt-get install postgresql-client)"
  # The database holds the records; a data dir is worth adding only when there is one.
  $data_dir_given || [[ -d $data_dir && -n $(ls -A "$data_dir" 2>/dev/null) ]] || data_dir=""
fi
if [[ -n $data_dir ]]; then
  [[ -d $data_dir ]] || die "data dir '$data_dir' does not exist"
  command -v sqlite3 >/dev/null || die "sqlite3 is required (apt-get install sqlite3)"
fi
mkdir -p "$output"
archive="$output/$name.tar.gz"
[[ ! -e $archive ]] || die "'$archive' already exists"

umask 077
staging=$(mktemp -d "${TMPDIR:-/tmp}/spacetime-backup.XXXXXX")
trap 'rm -rf "$staging"' EXIT

if [[ -n $data_dir ]]; then
  mkdir "$staging/data"
  # Everything but the live SQLite databases (WAL mode, written while this runs), which sqlite3 snapshots below. The
  # rate-limit buckets (security/limits.db) are worth nothing after a restore and are left out.
  (cd "$data_dir" && find . -mindepth 1 -maxdepth 1 ! -name 'spacetime.db' ! -name 'spacetime.db-wal' ! -name 'spacetime.db-shm' \
    ! -name 'outbox.db' ! -name 'outbox.db-wal' ! -name 'outbox.db-shm' -exec cp -a --parents {} "$staging/data/" \;)
  rm -f "$staging/data/security"/state.db* "$staging/data/security"/limits.db*
  for database in spacetime.db outbox.db security/state.db; do
    [[ -f $data_dir/$database ]] || continue
    sqlite3 "$data_dir/$database" ".timeout 10000" ".backup '$staging/data/$database'"
    [[ $(sqlite3 "$staging/data/$database" 'PRAGMA integrity_check;') == ok ]] || die "the snapshot of $database failed its integrity check"
  done
fi
if [[ -n $database_url ]]; then
  mkdir "$staging/database"
  # libpq gets the URL without its password, and the password in the environment: neither ps nor an error shows it.
  PGPASSWORD=$pg_password pg_dump --format=custom --no-password --file="$staging/database/postgresql.dump" --dbname="$pg_url" \
    || die "pg_dump failed (see above; the URL's password is not shown)"
fi

# Format 2: the manifest lists data/... and database/... from the archive's root (format 1 listed data/ only).
contents=()
[[ -d $staging/data ]] && contents+=(data)
[[ -d $staging/database ]] && contents+=(database)
(cd "$staging" && find "${contents[@]}" -type f -print0 | sort -z | xargs -0 -r sha256sum) >"$staging/MANIFEST.sha256"
database=${pg_url:-none}
printf 'format=2\ncreated=%s\nhost=%s\nsource=%s\ndatabase=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(hostname)" "${data_dir:-none}" \
  "${database%%\?*}" >"$staging/BACKUP_INFO"
tar -C "$staging" -czf "$archive.partial" MANIFEST.sha256 BACKUP_INFO "${contents[@]}"
mv "$archive.partial" "$archive"
(cd "$output" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")

if [[ -n $keep_days ]]; then
  find "$output" -maxdepth 1 -type f \( -name 'spacetime-backup-*.tar.gz' -o -name 'spacetime-backup-*.tar.gz.sha256' \) \
    -mtime "+$keep_days" -delete
fi
echo "$archive"
