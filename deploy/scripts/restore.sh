#!/usr/bin/env bash
# Restores a backup.sh archive into a SpaceTime data dir. Stop SpaceTime first (systemctl stop spacetime).
# Refuses an archive whose .sha256 is missing or does not match, whose manifest does not match its files, or
# whose database fails SQLite's integrity check. The data dir's previous contents are kept beside it.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: restore.sh [--data-dir DIR] [--force] ARCHIVE.tar.gz
  --data-dir DIR   SpaceTime data dir (default: $SPACETIME_DATA_DIR or /var/lib/spacetime)
  --force          replace a data dir that is not empty (its contents move to DIR.before-restore-<time>)
The archive's checksum file ARCHIVE.tar.gz.sha256 must sit beside it.
Exit codes: 0 restored, 1 refused or failed, 2 bad usage.
USAGE
}

die() { echo "restore.sh: $*" >&2; exit 1; }

data_dir=${SPACETIME_DATA_DIR:-/var/lib/spacetime}
force=false
archive=""
while (($# > 0)); do
  case $1 in
    --data-dir) data_dir=${2:?--data-dir needs a value}; shift 2 ;;
    --force) force=true; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "restore.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) [[ -z $archive ]] || { echo "restore.sh: one archive only" >&2; exit 2; }; archive=$1; shift ;;
  esac
done
[[ -n $archive ]] || { usage >&2; exit 2; }
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
[[ -f $staging/MANIFEST.sha256 && -d $staging/data ]] || die "'$archive' is not a SpaceTime backup (no MANIFEST.sha256 or data/)"
(cd "$staging/data" && sha256sum --check --quiet --strict ../MANIFEST.sha256) >&2 || die "the files in '$archive' do not match its manifest"
listed=$(wc -l <"$staging/MANIFEST.sha256")
present=$(find "$staging/data" -type f | wc -l)
((listed == present)) || die "'$archive' holds $present files but its manifest lists $listed"
if [[ -f $staging/data/spacetime.db ]]; then
  [[ $(sqlite3 "$staging/data/spacetime.db" 'PRAGMA integrity_check;') == ok ]] || die "the database in '$archive' fails its integrity check"
fi

data_dir=${data_dir%/}
if [[ -d $data_dir ]] && [[ -n $(ls -A "$data_dir") ]]; then
  $force || die "data dir '$data_dir' is not empty: stop SpaceTime and pass --force to replace it"
  aside="$data_dir.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
  # Move the contents, not the folder: the data dir may be a mount point (a volume).
  mkdir -p "$aside"
  find "$data_dir" -mindepth 1 -maxdepth 1 -exec mv -t "$aside" {} +
  echo "restore.sh: previous contents kept in $aside" >&2
fi
mkdir -p "$data_dir"
chmod 700 "$data_dir"
cp -a "$staging/data/." "$data_dir/"
echo "restore.sh: restored $listed files from $archive into $data_dir"
