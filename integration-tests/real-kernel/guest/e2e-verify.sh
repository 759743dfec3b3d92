#!/bin/sh
# e2e suite, the boot after apply: what the kernel shows, `passthrough verify`, then (NESTED=1) a nested guest
# that gets the reserved group through vfio-pci (two: `vm create` for qemu and for libvirt), and (ROLLBACK=1) `passthrough rollback`.
. /mnt/share/e2e-lib.sh
facts after
step verify pt verify --device "$DEVICE"
[ "${NESTED:-}" = 1 ] && . "$S/e2e-nested.sh"
if [ "${ROLLBACK:-}" = 1 ]; then
  step rollback pt rollback
  boot_config rolledback
  ls -la /etc/modprobe.d /etc/passthrough /etc/initramfs-tools/hooks > "$RES/rolledback.files" 2>&1
fi
sync
exit 0
