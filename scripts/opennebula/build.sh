#!/usr/bin/env bash
# Builds OpenNebula's oned (with the dummy drivers) once per machine into a cache.
# Idempotent: a finished install is marked by "$PREFIX/.themis-built" and is not rebuilt.
#
# Source, in order:
#   1. $OPENNEBULA_SOURCE   — a tarball (.tar.xz/.tar.gz) or an unpacked source directory;
#   2. $THEMIS_SHARED/vendor/opennebula-f847cf2e.tar.xz (THEMIS_SHARED defaults to <repo>/../shared);
#   3. documented fallback, never used in tests: download the release tarball of the pinned commit
#      when THEMIS_OPENNEBULA_DOWNLOAD=1 (needs internet).
# Result: $THEMIS_ONE_PREFIX (default ~/.cache/themis/opennebula-f847cf2e), with bin/oned, etc/, lib/ruby, ...
set -euo pipefail

COMMIT=f847cf2e9a78da302cd0344505f93eadc43a6d28
SHORT=f847cf2e
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="${THEMIS_SHARED:-$(cd "$repo/.." && pwd)/shared}"
prefix="${THEMIS_ONE_PREFIX:-$HOME/.cache/themis/opennebula-$SHORT}"
stamp="$prefix/.themis-built"

# Debian packages (build and runtime: the Ruby drivers need theirs even when the build is cached) come only
# through the project's installer, which is idempotent.
if [ "$(id -u)" = 0 ]; then
  bash "$repo/scripts/install-system-packages.sh" opennebula
else
  echo "opennebula/build: not root; assuming the 'opennebula' package group is installed" >&2
fi

if [ -f "$stamp" ] && [ -x "$prefix/bin/oned" ]; then
  echo "opennebula/build: cached at $prefix" >&2
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/themis-one-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

src=""
if [ -n "${OPENNEBULA_SOURCE:-}" ]; then
  if [ -d "$OPENNEBULA_SOURCE" ]; then
    # Copy so that the build never writes into the user's tree.
    cp -a "$OPENNEBULA_SOURCE" "$work/src"
  elif [ -f "$OPENNEBULA_SOURCE" ]; then
    mkdir "$work/src" && tar -xf "$OPENNEBULA_SOURCE" -C "$work/src"
  else
    echo "opennebula/build: OPENNEBULA_SOURCE=$OPENNEBULA_SOURCE is neither a file nor a directory" >&2
    exit 1
  fi
elif [ -f "$shared/vendor/opennebula-$SHORT.tar.xz" ]; then
  mkdir "$work/src" && tar -xf "$shared/vendor/opennebula-$SHORT.tar.xz" -C "$work/src"
elif [ "${THEMIS_OPENNEBULA_DOWNLOAD:-0}" = 1 ]; then
  # Fallback for machines with internet; never used by the tests.
  url="https://github.com/OpenNebula/one/archive/$COMMIT.tar.gz"
  echo "opennebula/build: downloading $url" >&2
  curl -fsSL "$url" -o "$work/one.tar.gz"
  mkdir "$work/src" && tar -xzf "$work/one.tar.gz" -C "$work/src"
else
  echo "opennebula/build: no OpenNebula source. Set OPENNEBULA_SOURCE to a tarball or directory of" >&2
  echo "  OpenNebula commit $COMMIT (or put it at $shared/vendor/opennebula-$SHORT.tar.xz," >&2
  echo "  or set THEMIS_OPENNEBULA_DOWNLOAD=1 to download it)." >&2
  exit 1
fi

# A tarball may or may not have a top-level directory: find the one holding SConstruct.
top="$(dirname "$(find "$work/src" -maxdepth 2 -name SConstruct | head -1)")"
if [ ! -f "$top/SConstruct" ]; then
  echo "opennebula/build: no SConstruct in the OpenNebula source" >&2
  exit 1
fi

jobs="$(nproc 2>/dev/null || echo 2)"
echo "opennebula/build: building in $top with $jobs jobs (≈ 4 min on 2 cores)" >&2
(
  cd "$top"
  # gRPC/svncterm default to yes and are not needed; gitversion because a tarball has no .git.
  scons -j"$jobs" grpc=no svncterm=no sqlite=yes mysql=no fireedge=no systemd=no gitversion="$SHORT" >"$work/scons.log" 2>&1 \
    || { tail -40 "$work/scons.log" >&2; exit 1; }
  # Install straight into the cache; the stamp written last marks it complete, so a broken half-install is redone.
  rm -rf "$prefix"
  mkdir -p "$prefix"
  # ~65 "cannot stat" messages (man pages, vendored downloads) are harmless.
  ./install.sh -d "$prefix" >"$work/install.log" 2>&1 || { tail -40 "$work/install.log" >&2; exit 1; }
)

# Gem.use_paths hides the system gems that Debian's ruby-* packages provide; every Ruby driver then fails.
sed -i 's/^\(\s*\)\(Gem\.use_paths\)/\1# themis: \2/' "$prefix/lib/ruby/load_opennebula_paths.rb"
echo "$COMMIT" >"$stamp"
echo "opennebula/build: installed at $prefix" >&2
