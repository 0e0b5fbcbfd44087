#!/usr/bin/env bash
# Podman set-up and stand-in base images for deploy/test.sh (sourced, not run).
#
# The Containerfile's bases are Microsoft's images (mcr.microsoft.com/dotnet/sdk and runtime-deps), which this machine
# cannot pull. The tests build look-alikes from Debian's packages instead and pass them as build arguments:
#   - runtime-deps: only the files of the packages Microsoft's chiseled runtime-deps image holds (libc6, libgcc-s1,
#     libstdc++6, libssl3, zlib1g, the CA certificates), an `app` user with uid 1654, no shell and no package manager;
#   - sdk: a Debian minbase with this machine's .NET SDK copied in;
#   - node: a Debian minbase with this machine's Node.js and npm copied in (Debian 12's own nodejs is 18, older than
#     Vite 8 accepts), trusting this machine's CA bundle as the host's npm does.
# The Debian root filesystem is cached in $MODELHOST_DEPLOY_CACHE (default /var/cache/modelhost-deploy), so only the
# first run on a machine pays for debootstrap.

DEPLOY_CACHE=${MODELHOST_DEPLOY_CACHE:-/var/cache/modelhost-deploy}
DEBIAN_SUITE=${MODELHOST_DEPLOY_SUITE:-bookworm}
STANDIN_SDK=localhost/modelhost-standin/sdk:10.0
STANDIN_RUNTIME=localhost/modelhost-standin/runtime-deps:10.0
STANDIN_NODE=localhost/modelhost-standin/node:22

log() { printf '[deploy %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# Installs podman, podman-compose, runc and debootstrap when missing (root on Debian), and makes podman work in a
# sandbox that refuses rlimit changes and has no usable crun: runc, and no default ulimits.
setup_podman() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v podman-compose >/dev/null 2>&1 || missing+=(podman-compose)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${missing[*]}; install them (root is needed for apt-get)"
    log "installing ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
  fi

  local conf=/etc/containers/containers.conf
  if ! grep -qs '^default_ulimits *= *\[\]' "$conf"; then
    [ -w /etc/containers ] || die "$conf needs 'default_ulimits = []' under [containers]"
    if grep -qs '^\[containers\]' "$conf"; then
      sed -i 's/^\[containers\]/[containers]\ndefault_ulimits = []/' "$conf"
    else
      printf '\n[containers]\ndefault_ulimits = []\n' >>"$conf"
    fi
  fi
  if ! grep -qs '^runtime *= *"runc"' "$conf"; then
    if grep -qs '^\[engine\]' "$conf"; then
      sed -i 's/^\[engine\]/[engine]\nruntime = "runc"/' "$conf"
    else
      printf '\n[engine]\nruntime = "runc"\n' >>"$conf"
    fi
  fi
}

# The Debian minbase root filesystem, made once per machine.
debian_rootfs() {
  local tarball="$DEPLOY_CACHE/$DEBIAN_SUITE-minbase.tar"
  if [ ! -s "$tarball" ]; then
    mkdir -p "$DEPLOY_CACHE"
    local mirror
    mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
    [ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(http[^ ]*debian\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n1)
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
    local dir
    dir=$(mktemp -d "$DEPLOY_CACHE/rootfs.XXXXXX")
    log "debootstrap $DEBIAN_SUITE from $mirror (once per machine)"
    debootstrap --variant=minbase --include=ca-certificates,libicu72 "$DEBIAN_SUITE" "$dir" "$mirror" >"$DEPLOY_CACHE/debootstrap.log" 2>&1 \
      || { rm -rf "$dir"; die "debootstrap failed: see $DEPLOY_CACHE/debootstrap.log"; }
    tar -C "$dir" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$dir"
  fi
  printf '%s\n' "$tarball"
}

# Imports both stand-in bases into podman (fast once the root filesystem is cached).
standin_bases() {
  local tarball work
  tarball=$(debian_rootfs)
  work=$(mktemp -d)
  mkdir -p "$work/rootfs"
  tar -C "$work/rootfs" -xf "$tarball"

  # runtime-deps: the packages' own files (dpkg's lists), the generated CA bundle, passwd with root and app.
  local list="$work/files" pkg
  : >"$list"
  for pkg in libc6 libgcc-s1 libstdc++6 libssl3 zlib1g ca-certificates base-files; do
    local info
    info=$(find "$work/rootfs/var/lib/dpkg/info" -maxdepth 1 \( -name "$pkg.list" -o -name "$pkg:*.list" \) | head -n1)
    [ -n "$info" ] || continue
    sed 's|^/||' "$info" | grep -v '^\.$' | grep -v '^$' | grep -v '^usr/share/\(doc\|man\|lintian\|locale\)' >>"$list"
  done
  mkdir -p "$work/runtime/etc" "$work/runtime/tmp" "$work/runtime/home/app" "$work/runtime/usr/bin" "$work/runtime/usr/lib" "$work/runtime/usr/lib64" "$work/runtime/usr/sbin"
  chmod 1777 "$work/runtime/tmp"
  # The merged-/usr links (/lib, /lib64, /bin) that the loader and libraries are found through, made first so the
  # packages' /lib/... paths land in /usr/lib.
  for link in bin lib lib64 sbin; do
    if [ -L "$work/rootfs/$link" ]; then cp -P "$work/rootfs/$link" "$work/runtime/$link"; fi
  done
  (cd "$work/rootfs" && tar --no-recursion -cf - -T "$list" etc/ssl/certs etc/ssl/certs/* 2>/dev/null) \
    | tar -C "$work/runtime" --keep-directory-symlink -xf -
  printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/home/app:/sbin/nologin\n' >"$work/runtime/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' >"$work/runtime/etc/group"
  chown 1654:1654 "$work/runtime/home/app"
  tar -C "$work/runtime" -cf - . | podman import -q - "$STANDIN_RUNTIME" >/dev/null || die "podman import of the runtime-deps stand-in failed"

  # node: the minbase plus this machine's node binary and npm (node needs only libc and libstdc++).
  local node npm_dir
  node=$(readlink -f "$(command -v node)") || die "node is needed for the dashboard's stand-in build base"
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  [ -f "$npm_dir/package.json" ] || die "npm's folder not found (from $(command -v npm))"
  mkdir -p "$work/rootfs/usr/local/lib/node_modules"
  cp "$node" "$work/rootfs/usr/local/bin/node"
  cp -a "$npm_dir" "$work/rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
  if [ -s /etc/ssl/certs/ca-certificates.crt ]; then cp /etc/ssl/certs/ca-certificates.crt "$work/rootfs/etc/ssl/certs/ca-certificates.crt"; fi
  tar -C "$work/rootfs" -cf - . | podman import -q \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' --change 'ENV NPM_CONFIG_UPDATE_NOTIFIER=false' \
    - "$STANDIN_NODE" >/dev/null || die "podman import of the node stand-in failed"
  rm -rf "$work/rootfs/usr/local/bin/node" "$work/rootfs/usr/local/bin/npm" "$work/rootfs/usr/local/lib/node_modules"

  # sdk: the minbase plus this machine's .NET SDK.
  local dotnet_root
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  mkdir -p "$work/rootfs/usr/share/dotnet"
  cp -a "$dotnet_root/." "$work/rootfs/usr/share/dotnet/"
  ln -sf /usr/share/dotnet/dotnet "$work/rootfs/usr/bin/dotnet"
  # This machine's trust store, so the build stage's restore reaches NuGet the way the host does (through whatever
  # proxy the host trusts).
  if [ -s /etc/ssl/certs/ca-certificates.crt ]; then cp /etc/ssl/certs/ca-certificates.crt "$work/rootfs/etc/ssl/certs/ca-certificates.crt"; fi
  tar -C "$work/rootfs" -cf - . | podman import -q \
    --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1' --change 'ENV DOTNET_NOLOGO=1' \
    - "$STANDIN_SDK" >/dev/null || die "podman import of the sdk stand-in failed"
  rm -rf "$work"
  log "stand-in bases: $(podman image inspect --format '{{.Size}}' "$STANDIN_RUNTIME" | awk '{printf "runtime-deps %.1f MB", $1/1e6}'), $(podman image inspect --format '{{.Size}}' "$STANDIN_SDK" | awk '{printf "sdk %.0f MB", $1/1e6}'), $(podman image inspect --format '{{.Size}}' "$STANDIN_NODE" | awk '{printf "node %.0f MB", $1/1e6}')"
}
