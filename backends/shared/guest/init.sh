#!/bin/busybox sh
# Themis guest init (PID 1 of the initramfs). Loads virtio-net and the ACPI power button (dependencies first),
# starts the power-button watcher, configures eth0 from the kernel command line (themis.ip=ADDR/LEN, and for the
# routed designs themis.gw=GATEWAY as its default route), and —
# once the watcher has the button open — the prober's responder and the workload agent on ttyS1, then idles.
# Nothing answers before the button is watched: a power-off asked for as soon as the guest answers (an
# orchestrator's cold migration right after a boot) would otherwise be lost, and the guest never powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net evdev button; do
  insmod /lib/modules/$m.ko || echo "themis-init: insmod $m failed"
done
/bin/themis-powerbtn &
ip=198.18.0.10/24
gw=
for a in $(cat /proc/cmdline); do
  case "$a" in themis.ip=*) ip="${a#themis.ip=}" ;; themis.gw=*) gw="${a#themis.gw=}" ;; esac
done
ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
ip addr add "$ip" dev eth0
ip link set eth0 up
[ -n "$gw" ] && ip route add default via "$gw" dev eth0
i=0
while [ ! -e /themis-powerbtn.ready ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
[ -e /themis-powerbtn.ready ] || echo "themis-init: the power button is not watched; ACPI power-off will not work"
/bin/themis-responder 7 &
/bin/themis-agent /dev/ttyS1 &
echo "themis-init: up ip=$ip"
while true; do sleep 3600; done
