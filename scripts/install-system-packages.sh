#!/usr/bin/env bash
# Installs the Debian packages Themis's real components need. Idempotent; run as root.
# Usage: scripts/install-system-packages.sh [group...]   groups: base qemu reports opennebula deploy lab (default: all but lab)
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "install-system-packages: must run as root (apt-get install)" >&2
  exit 1
fi

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(base qemu reports opennebula deploy)

backports=/etc/apt/sources.list.d/themis-bookworm-backports.sources
if [ ! -f "$backports" ]; then
  cat >"$backports" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  rm -f /var/lib/themis-apt-updated
fi

stamp=/var/lib/themis-apt-updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
  apt-get update -qq
  touch "$stamp"
fi

pkgs=()
backport_pkgs=()
for g in "${groups[@]}"; do
  case "$g" in
    base) pkgs+=(iproute2 procps psmisc iputils-ping ca-certificates) ;;
    qemu) backport_pkgs+=(qemu-system-x86 qemu-system-common qemu-system-data qemu-utils seabios)
          pkgs+=(linux-image-cloud-amd64 busybox-static gcc libc6-dev cpio gzip kmod frr) ;;
    reports) pkgs+=(chromium python3-nbformat fonts-dejavu-core) ;;
    opennebula) pkgs+=(libxml2-utils openssh-server openssh-client scons libxmlrpc-c++8-dev libcurl4-openssl-dev ruby ruby-dev g++
                       libxml2-dev libsqlite3-dev libssl-dev zlib1g-dev pkg-config ruby-ffi-rzmq ruby-treetop
                       ruby-parse-cron ruby-ipaddress ruby-nokogiri ruby-sqlite3 ruby-sequel ruby-ox ruby-highline ruby-json iperf3) ;;
    # deploy/: a real single-node Slurm for the job-array scripts (deploy/slurm/local-cluster.sh, test/deploy); time: peak RSS
    deploy) pkgs+=(slurm-wlm munge time) ;;
    # The lab cloud (docs/lab.md): libvirt 11.3 from bookworm-backports to match QEMU 10, each package pinned on its own
    # (a plain -t bookworm-backports would also upgrade systemd and openssh); rsync and lspci for OpenNebula's host probes;
    # xorriso: the front-end builds the context ISO that carries THEMIS_TYPE; dropbear-bin: the lab guests' SSH server.
    lab) backport_pkgs+=(libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu libvirt-daemon-config-network
                         libvirt-daemon-config-nwfilter)
         pkgs+=(openssh-server openssh-client rsync pciutils xorriso dropbear-bin) ;;
    *) echo "install-system-packages: unknown group '$g'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
bp_missing=()
for p in "${backport_pkgs[@]}"; do
  # QEMU must come from bookworm-backports (10.x): Debian 12's 7.2 corrupts TCG guests during long pre-copy.
  v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
  cand=$(apt-cache policy "$p" 2>/dev/null | awk '/bookworm-backports/ {print prev} {prev = ($1 == "***") ? $2 : $1}' | head -1)
  [ -n "$v" ] && [ "$v" = "$cand" ] || bp_missing+=("$p/bookworm-backports")
done

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ] || [ ${#bp_missing[@]} -gt 0 ]; then
  echo "install-system-packages: installing ${missing[*]} ${bp_missing[*]}" >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" "${bp_missing[@]}" >/dev/null
fi
