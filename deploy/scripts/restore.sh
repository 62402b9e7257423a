#!/usr/bin/env bash
# Restores a backup.sh archive: its data dir files into a SpaceTime data dir, and its PostgreSQL dump, when it holds
# one, into --database-url (pg_restore --clean --if-exists, in one transaction). Stop SpaceTime first (systemctl stop
# spacetime; on Kubernetes scale the game to 0). Refuses an archive whose .sha256 is missing or does not match, whose
# manifest does not match its files, whose SQLite databases fail their integrity check or whose dump pg_restore cannot
# read — before changing anything. The data dir's previous contents are kept beside it.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: restore.sh [--data-dir DIR] [--database-url URL] [--force] ARCHIVE.tar.gz
  --data-dir DIR      SpaceTime data dir (default: $SPACETIME_DATA_DIR or /var/lib/spacetime)
  --database-url URL  PostgreSQL to restore the archive's dump into (postgresql://user:password@host:port/name;
                      default: $DATABASE_URL), needed when the archive holds one: the tables in the dump are
                      dropped and recreated from it. Unused for an archive without a dump.
  --force             replace a data dir that is not empty (its contents move to DIR.before-restore-<time>)
The archive's checksum file ARCHIVE.tar.gz.sha256 must sit beside it.
Exit codes: 0 restored, 1 refused or failed, 2 bad usage.
USAGE
}

die() { echo "restore.sh: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/postgres_url.bash
source "$here/lib/postgres_url.bash"

data_dir=${SPACETIME_DATA_DIR:-/var/lib/spacetime}
database_url=${DATABASE_URL:-}
force=false
archive=""
while (($# > 0)); do
  case $1 in
    --data-dir) data_dir=${2:?--data-dir needs a value}; shift 2 ;;
    --database-url) database_url=${2:?--database-url needs a value}; shift 2 ;;
    --database-url=*) database_url=${1#*=}; shift ;;
    --force) force=true; shift ;;
    -h | --help) usage; exit 0 ;;
    # Only the name: an option=value may hold a password.
    -*) echo "restore.sh: unknown option '${1%%=*}'" >&2; usage >&2; exit 2 ;;
    *) [[ -z $archive ]] || { echo "restore.sh: one archive only" >&2; exit 2; }; archive=$1; shift ;;
  esac
done
[[ -n $archive ]] || { usage >&2; exit 2; }
if [[ -n $database_url ]]; then
  postgres_url "$database_url" || { echo "restore.sh: --database-url must be a postgresql:// URL" >&2; exit 2; }
fi
[[ -f $archive ]] || die "archive '$archive' does not exist"
[[ -f $archive.sha256 ]] || die "checksum file '$archive.sha256' is missing: refusing an unverifiable backup"
command -v sqlite3 >/dev/null || die "sqlite3 is required (apt-get install sqlite3)"

expected=$(awk 'NR == 1 { print $1 }' "$archive.sha256")
actual=$(sha256sum "$archive" | awk '{ print $1 }')
[[ $expected == "$actual" ]] || die "checksum mismatch for '$archive' (expected $expected, got $actual): the backup is corrupt or was tampered with"

umask 077
staging=$(mktemp -d "${TMPDIR:-/tmp}/spacetime-restore.XXXXXX")
trap 'rm -rf "$staging"' EXIT
tar -C "$staging" -xzf "$archive" || die "'$archive' is not a readable archive"
[[ -f $staging/MANIFEST.sha256 && ( -d $staging/data || -d $staging/database ) ]] \
  || die "'$archive' is not a SpaceTime backup (no MANIFEST.sha256, data/ or database/)"
# Format 2 lists data/... and database/... from the archive's root; format 1 (before database dumps) data/ only.
manifest_root=$staging
grep -qx 'format=2' "$staging/BACKUP_INFO" 2>/dev/null || manifest_root=$staging/data
(cd "$manifest_root" && sha256sum --check --quiet --strict "$staging/MANIFEST.sha256") >&2 || die "the files in '$archive' do not match its manifest"
listed=$(wc -l <"$staging/MANIFEST.sha256")
present=$(find "$staging" -mindepth 2 -type f | wc -l)
((listed == present)) || die "'$archive' holds $present files but its manifest lists $listed"
for database in spacetime.db outbox.db security/state.db; do
  [[ ! -f $staging/data/$database ]] || [[ $(sqlite3 "$staging/data/$database" 'PRAGMA integrity_check;') == ok ]] \
    || die "the database $database in '$archive' fails its integrity check"
done

dump=$staging/database/postgresql.dump
if [[ -f $dump ]]; then
  [[ -n $database_url ]] || die "'$archive' holds a PostgreSQL dump: pass --database-url (or set DATABASE_URL) to restore it"
  command -v pg_restore >/dev/null || die "pg_restore is required (apt-get install postgresql-client)"
  pg_restore --list "$dump" >/dev/null || die "the PostgreSQL dump in '$archive' is not readable"
fi
data_files=0
[[ ! -d $staging/data ]] || data_files=$(find "$staging/data" -type f | wc -l)
data_dir=${data_dir%/}
aside=""
if ((data_files > 0)) && [[ -d $data_dir ]] && [[ -n $(ls -A "$data_dir") ]]; then
  $force || die "data dir '$data_dir' is not empty: stop SpaceTime and pass --force to replace it"
  aside="$data_dir.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
fi

if [[ -f $dump ]]; then
  # One transaction: a restore that fails leaves the database as it was. The URL's password goes in the environment.
  PGPASSWORD=$pg_password pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error --no-password \
    --dbname="$pg_url" "$dump" || die "pg_restore failed and was rolled back (see above; the URL's password is not shown)"
  echo "restore.sh: restored the PostgreSQL dump from $archive"
fi
if ((data_files > 0)); then
  if [[ -n $aside ]]; then
    # Move the contents, not the folder: the data dir may be a mount point (a volume).
    mkdir -p "$aside"
    find "$data_dir" -mindepth 1 -maxdepth 1 -exec mv -t "$aside" {} +
    echo "restore.sh: previous contents kept in $aside" >&2
  fi
  mkdir -p "$data_dir"
  chmod 700 "$data_dir"
  cp -a "$staging/data/." "$data_dir/"
  echo "restore.sh: restored $data_files files from $archive into $data_dir"
fi
