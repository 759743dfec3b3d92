#!/bin/sh
# e2e suite: start a nested guest (L2) with one function of the reserved group, as `passthrough vm create
# --hypervisor qemu` will one day write it: TCG, the L1 kernel, and a busybox initramfs (lib/nested-initramfs.sh)
# whose /init lists the PCI devices it sees, loads xhci and shows what bound. Env: NESTED_DEVICE (01:00.2).
BDF=${NESTED_DEVICE:-01:00.2}
lspci -nnk -s "$BDF"
ls -l /dev/vfio
echo "L1: starting L2 with -device vfio-pci,host=$BDF at uptime $(cut -d' ' -f1 /proc/uptime)"
timeout "${NESTED_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -machine q35 -m 256 -smp 1 \
  -nodefaults -display none -monitor none -no-reboot -serial stdio \
  -kernel "/boot/vmlinuz-$(uname -r)" -initrd /mnt/share/l2-initrd.gz -append "console=ttyS0 panic=-1 quiet" \
  -device "vfio-pci,host=$BDF" < /dev/null > /tmp/l2.log 2>&1
r=$?
tr -d '\r' < /tmp/l2.log
echo "L1: L2 exited rc=$r at uptime $(cut -d' ' -f1 /proc/uptime)"
exit $r
