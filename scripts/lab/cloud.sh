#!/usr/bin/env bash
# The lab cloud (docs/lab.md): scripts/lab/cloud.sh up|down|status
# Installs the 'lab' package group when root, builds OpenNebula once (cached), compiles Themis and runs the command.
# Environment: THEMIS_LAB_HOSTS (default 2), THEMIS_LAB_DIR (default ~/.cache/themis/lab-cloud).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
action="${1:-status}"
if [ "$action" = up ] && [ "$(id -u)" = 0 ]; then
  # The installer re-checks apt for pinned backports on every run (slow): only call it when something is missing.
  for c in libvirtd virsh sshd rsync lspci xorriso dropbear qemu-system-x86_64 busybox gcc; do
    command -v "$c" >/dev/null 2>&1 || { bash "$repo/scripts/install-system-packages.sh" base qemu opennebula lab; break; }
  done
  bash "$repo/scripts/opennebula/build.sh"
fi
# Type errors elsewhere in the tree must not block the lab: tsc still emits; only a missing entry point stops us.
(cd "$repo" && npx tsc -p tsconfig.json >&2) || echo "lab: tsc reported errors (see above); using what it emitted" >&2
[ -f "$repo/dist/backends/opennebula/lab/cli.js" ] || { echo "lab: dist/backends/opennebula/lab/cli.js missing" >&2; exit 1; }
exec node "$repo/dist/backends/opennebula/lab/cli.js" "$action"
