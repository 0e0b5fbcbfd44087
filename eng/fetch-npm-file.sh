#!/usr/bin/env bash
# Fetches one file out of a pinned npm package at build time, and checks the package's integrity hash.
#   fetch-npm-file.sh PACKAGE VERSION SHA512-INTEGRITY MEMBER DEST
# MEMBER is the path inside the tarball (package/...). The tarball is cached under .cache/npm at the repo
# root, so a rebuild or a second project does not download it again. Nothing here runs the package's scripts.
set -euo pipefail
pkg=$1 version=$2 integrity=$3 member=$4 dest=$5
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache/npm"
mkdir -p "$cache" "$(dirname "$dest")"
tarball="$cache/${pkg//\//_}-$version.tgz"

exec 9>"$cache/.lock"
flock 9

verify() {
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
  [ "$got" = "$integrity" ]
}

if [ ! -f "$tarball" ] || ! verify "$tarball"; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is needed once to fetch $pkg@$version (install Node.js and npm)" >&2
    exit 1
  fi
  echo "fetching $pkg@$version from the npm registry (once; cached in .cache/npm) ..."
  started=$(date +%s)
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --ignore-scripts --silent "$pkg@$version" >/dev/null)
  mv "$tmp"/*.tgz "$tarball.part"
  echo "fetched $pkg@$version: $(du -k "$tarball.part" | cut -f1) KB in $(( $(date +%s) - started )) s"
  if ! verify "$tarball.part"; then
    rm -f "$tarball.part"
    echo "error: $pkg@$version does not match its pinned integrity $integrity" >&2
    exit 1
  fi
  mv "$tarball.part" "$tarball"
fi

tmpx=$(mktemp -d)
tar -xzf "$tarball" -C "$tmpx" "$member"
mv -f "$tmpx/$member" "$dest.part"
mv -f "$dest.part" "$dest"
rm -rf "$tmpx"
echo "$member from $pkg@$version -> ${dest#"$root"/} ($(du -k "$dest" | cut -f1) KB)"
