#!/bin/sh
# e2e suite, first boot of a route: the host as the user finds it. check, (groups,) plan, apply with the real
# update-grub / update-initramfs (or the LFS writer), then keep the evidence of what apply changed.
# Env (share/env): DEVICE, PLAN_ARGS, REFUSED_BINDING (a --binding the planner must refuse), SHOW_GROUPS=1, LFS=1,
# UEFI=1 (systemd-boot + kernel-install + dracut: see boot_config).
. /mnt/share/e2e-lib.sh
facts before
[ "${LFS:-}" = 1 ] && step lfs-setup sh "$S/e2e-lfs-setup.sh"
boot_config pre
step check pt check
[ "${SHOW_GROUPS:-}" = 1 ] && step groups pt groups
# shellcheck disable=SC2086
step plan pt plan --device "$DEVICE" $PLAN_ARGS
[ -n "${REFUSED_BINDING:-}" ] && step plan-refused pt plan --device "$DEVICE" --binding "$REFUSED_BINDING"
# shellcheck disable=SC2086
step apply pt apply --device "$DEVICE" $PLAN_ARGS --yes
[ "${UEFI:-}" = 1 ] || step history pt history   # (the UEFI boot keeps to check, plan, apply: TCG JVM time)
# what the boot loader and the early boot will now see
boot_config applied
cat /etc/default/grub > "$RES/applied.default-grub" 2>/dev/null
for f in /etc/modprobe.d/passthrough-*.conf /etc/passthrough/* /etc/initramfs-tools/modules \
         /etc/initramfs-tools/hooks/passthrough /etc/sysconfig/modules /etc/kernel/cmdline /etc/dracut.conf.d/passthrough.conf; do
  [ -e "$f" ] && { echo "### $f ($(stat -c %A "$f"))"; cat "$f"; }
done > "$RES/applied.files" 2>&1
if [ "${UEFI:-}" = 1 ]; then
  # the files as the initrd of the loader entry carries them
  e=$(ls /boot/efi/loader/entries/*-"$(uname -r)".conf | head -1)
  i=/boot/efi$(awk '$1 == "initrd" { print $2; exit }' "$e")
  for f in etc/modprobe.d/passthrough-vfio.conf etc/passthrough/bind-by-address.sh etc/cmdline.d/20-force_drivers.conf; do
    echo "### initramfs:/$f"; initrd_cat "$i" "$f"
  done > "$RES/applied.initramfs-files" 2>&1
elif command -v lsinitramfs >/dev/null && [ "${LFS:-}" != 1 ]; then
  # the by-address script and modprobe.d as the initramfs carries them
  mkdir -p /tmp/ird && unmkinitramfs "/boot/initrd.img-$(uname -r)" /tmp/ird 2>/dev/null
  d=/tmp/ird; [ -d $d/main ] && d=$d/main
  for f in etc/modprobe.d/passthrough-vfio.conf etc/modprobe.d/passthrough-pci-stub.conf etc/passthrough/bind-by-address.sh conf/modules; do
    [ -e "$d/$f" ] && { echo "### initramfs:/$f ($(stat -c %A "$d/$f"))"; cat "$d/$f"; }
  done > "$RES/applied.initramfs-files" 2>&1
  rm -rf /tmp/ird
fi
sync
exit 0
