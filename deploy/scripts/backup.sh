#!/usr/bin/env bash
# Backs up a SpaceTime data dir while SpaceTime runs: a consistent SQLite snapshot of the scene history
# (sqlite3 .backup, safe with WAL and concurrent writers), the signing keys, revocations and sessions
# (security/state.db, snapshotted the same way) and the audit log, plus a SHA-256 manifest of every file.
# Writes NAME.tar.gz and NAME.tar.gz.sha256; restore.sh refuses an archive whose checksums do not match.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: backup.sh [--data-dir DIR] [--output DIR] [--keep-days N] [--name NAME]
  --data-dir DIR   SpaceTime data dir (default: $SPACETIME_DATA_DIR or /var/lib/spacetime)
  --output DIR     where archives go (default: /var/backups/spacetime)
  --keep-days N    delete this script's archives older than N days (default: keep all)
  --name NAME      archive name without .tar.gz (default: spacetime-backup-<UTC time>)
Prints the archive path. Exit codes: 0 done, 1 failed, 2 bad usage.
USAGE
}

die() { echo "backup.sh: $*" >&2; exit 1; }

data_dir=${SPACETIME_DATA_DIR:-/var/lib/spacetime}
output=/var/backups/spacetime
keep_days=""
name="spacetime-backup-$(date -u +%Y%m%dT%H%M%SZ)"
while (($# > 0)); do
  case $1 in
    --data-dir) data_dir=${2:?--data-dir needs a value}; shift 2 ;;
    --output) output=${2:?--output needs a value}; shift 2 ;;
    --keep-days) keep_days=${2:?--keep-days needs a value}; shift 2 ;;
    --name) name=${2:?--name needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "backup.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -z $keep_days || $keep_days =~ ^[1-9][0-9]*$ ]] || { echo "backup.sh: --keep-days must be a positive number" >&2; exit 2; }
[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { echo "backup.sh: --name may hold letters, digits, '.', '_' and '-' only" >&2; exit 2; }
[[ -d $data_dir ]] || die "data dir '$data_dir' does not exist"
command -v sqlite3 >/dev/null || die "sqlite3 is required (apt-get install sqlite3)"
mkdir -p "$output"
archive="$output/$name.tar.gz"
[[ ! -e $archive ]] || die "'$archive' already exists"

umask 077
staging=$(mktemp -d "${TMPDIR:-/tmp}/spacetime-backup.XXXXXX")
trap 'rm -rf "$staging"' EXIT
mkdir "$staging/data"

# Everything but the live database files, which SQLite itself snapshots below.
(cd "$data_dir" && find . -mindepth 1 -maxdepth 1 ! -name 'spacetime.db' ! -name 'spacetime.db-wal' ! -name 'spacetime.db-shm' \
  -exec cp -a --parents {} "$staging/data/" \;)
if [[ -f $data_dir/spacetime.db ]]; then
  sqlite3 "$data_dir/spacetime.db" ".timeout 10000" ".backup '$staging/data/spacetime.db'"
  [[ $(sqlite3 "$staging/data/spacetime.db" 'PRAGMA integrity_check;') == ok ]] || die "the database snapshot failed its integrity check"
fi
# The security state (keys, revocations, sessions, bans) is SQLite in WAL mode too: snapshot it the same way. Its
# rate-limit buckets (limits.db) are worth nothing after a restore and are left out.
if [[ -f $data_dir/security/state.db ]]; then
  rm -f "$staging/data/security/state.db" "$staging/data/security/state.db-wal" "$staging/data/security/state.db-shm" "$staging/data/security"/limits.db*
  sqlite3 "$data_dir/security/state.db" ".timeout 10000" ".backup '$staging/data/security/state.db'"
  [[ $(sqlite3 "$staging/data/security/state.db" 'PRAGMA integrity_check;') == ok ]] || die "the security state snapshot failed its integrity check"
fi

(cd "$staging/data" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) >"$staging/MANIFEST.sha256"
printf 'created=%s\nhost=%s\nsource=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(hostname)" "$data_dir" >"$staging/BACKUP_INFO"
tar -C "$staging" -czf "$archive.partial" MANIFEST.sha256 BACKUP_INFO data
mv "$archive.partial" "$archive"
(cd "$output" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")

if [[ -n $keep_days ]]; then
  find "$output" -maxdepth 1 -type f \( -name 'spacetime-backup-*.tar.gz' -o -name 'spacetime-backup-*.tar.gz.sha256' \) \
    -mtime "+$keep_days" -delete
fi
echo "$archive"
