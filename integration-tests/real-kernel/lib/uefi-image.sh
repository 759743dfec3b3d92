#!/bin/bash
# Build (or reuse) the UEFI variant of the cached Debian guest: lib/image.sh's rootfs (never written) copied, with
# Debian's dracut (which removes initramfs-tools) and systemd-boot installed, /etc/kernel/cmdline, systemd-boot in
# /boot/efi and the kernel laid out there by the real kernel-install (Type #1 entry of the machine-id token, the
# Debian default). Then a GPT disk for OVMF: partition 1 the ESP (vfat, label ESP: that /boot/efi tree, the
# fallback loader EFI/BOOT/BOOTX64.EFI so OVMF boots it without NVRAM entries), partition 2 the root (ext4, label
# root, /boot/efi empty: mounted from the ESP by fstab).
#
#   dir=$(integration-tests/real-kernel/lib/uefi-image.sh)      # prints the cache dir (and only that) on stdout
#
# Cache: ${PASSTHROUGH_IT_CACHE:-/var/cache/passthrough-it}/uefi-<key>/ with rootfs/ (the ESP's files in
# rootfs/boot/efi, as on a host with the ESP mounted: the real-tool tests copy this), uefi-disk.img, timings,
# inputs, .complete. <key> = first 16 hex digits of sha256 over (this script's text, the base image's key,
# UEFI_PACKAGES): a change to lib/image.sh gives a new base key and so a new variant; this script never changes
# image.sh's key. IT_REBUILD=1 rebuilds the variant (not the base). A build runs in <key>.tmp.<pid>, flock'ed.
# Needs root, dosfstools (mkfs.vfat), mtools (mcopy: the host need not mount vfat), fdisk (sfdisk), util-linux
# (losetup, mount, partx), e2fsprogs, a Debian mirror.
set -euo pipefail

UEFI_PACKAGES=${UEFI_PACKAGES:-"dracut systemd-boot"}
# what /etc/kernel/cmdline says before passthrough edits it: root by label (dracut's udev finds it), the serial
# console and a panic that ends QEMU at once (no "quiet": a failing boot's log tail must show the kernel), and
# no_timer_check: booted by OVMF under TCG with intel-iommu's interrupt remapping (Debian's 6.1 turns VT-d on by
# itself), the kernel's IO-APIC timer test failed and it panicked "timer doesn't work through Interrupt-remapped
# IO-APIC" at 0.04 s (through SeaBIOS the same machine passes it); the parameter skips that test, as VM images do
UEFI_CMDLINE="root=LABEL=root ro console=ttyS0,115200 panic=-1 no_timer_check"
ESP_MIB=300
CACHE=${PASSTHROUGH_IT_CACHE:-/var/cache/passthrough-it}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { echo "[uefi-image] $*" >&2; }
now() { date +%s; }
t0=$(now)

base=$("$here/image.sh")
self=$(readlink -f "${BASH_SOURCE[0]}")
key=$( { cat "$self"; printf '\nbase=%s\npackages=%s\n' "$(basename "$base")" "$UEFI_PACKAGES"; } | sha256sum | cut -c1-16)
out=$CACHE/uefi-$key
if [ -e "$out/.complete" ] && [ "${IT_REBUILD:-0}" != 1 ]; then
  touch "$out/.complete"; log "cached: $out"; echo "$out"; exit 0
fi
[ "$(id -u)" = 0 ] || { log "must run as root (chroot, loop devices)"; exit 1; }
for tool in mkfs.vfat mcopy mkfs.ext4 sfdisk losetup blkid flock sha256sum partx; do
  command -v $tool >/dev/null || { log "missing host tool: $tool (dosfstools, mtools, e2fsprogs, fdisk, util-linux)"; exit 1; }
done
exec 9>"$CACHE/uefi-$key.lock"
flock 9
if [ -e "$out/.complete" ] && [ "${IT_REBUILD:-0}" != 1 ]; then log "cached (built meanwhile): $out"; echo "$out"; exit 0; fi

work=$out.tmp.$$
R=$work/rootfs
loop="" mnt=""
chroot_down() { local m; for m in sys proc dev/pts dev; do mountpoint -q "$1/$m" 2>/dev/null && umount -l "$1/$m"; done; return 0; }
chroot_up() { chroot_down "$1"; mount --bind /dev "$1/dev"; mount --bind /dev/pts "$1/dev/pts"
              mount -t proc proc "$1/proc"; mount -t sysfs sys "$1/sys"; }
cleanup() {
  chroot_down "$R"
  [ -n "$mnt" ] && mountpoint -q "$mnt" && umount "$mnt"
  [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
  [ -n "${keep_work:-}" ] || rm -rf "$work"
  return 0
}
trap cleanup EXIT
trap 'exit 143' TERM INT
mkdir -p "$work"
t1=$(now)
log "copy $base/rootfs"
cp -a "$base/rootfs" "$R"
t2=$(now)

# dracut's configuration before the package: its install trigger then builds the first image with it. The guest
# rebuilds its initramfs under TCG: zstd -1 (like image.sh's COMPRESSLEVEL=1 for initramfs-tools; dracut's default
# here is gzip -9), and host-only (what the booted guest needs: virtio, ext4; like MODULES=dep), switched on after
# the first image is built generic: this chroot is not the guest.
mkdir -p "$R/etc/dracut.conf.d" "$R/etc/kernel"
itconf=$R/etc/dracut.conf.d/10-passthrough-it.conf
printf '%s\n' '# real-kernel test image (integration-tests/real-kernel/lib/uefi-image.sh): quick rebuilds under QEMU TCG' \
  'hostonly="no"' 'compress="zstd -1 -q"' > "$itconf"
echo "$UEFI_CMDLINE" > "$R/etc/kernel/cmdline"
grep -q ' /boot/efi ' "$R/etc/fstab" || echo 'LABEL=ESP /boot/efi vfat umask=0077 0 0' >> "$R/etc/fstab"

log "apt-get install $UEFI_PACKAGES (removes initramfs-tools)"
chroot_up "$R"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
{ chroot "$R" apt-get update -q && chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends $UEFI_PACKAGES; } > "$work/apt.log" 2>&1 || { tail -40 "$work/apt.log" >&2; keep_work=1; exit 1; }
chroot "$R" apt-get clean
[ "$(chroot "$R" dpkg-query -W -f='${db:Status-Status}' initramfs-tools 2>/dev/null)" != installed ] \
  || { log "initramfs-tools is still installed"; exit 1; }
chroot_down "$R"
t3=$(now)

kver=$(ls "$R/lib/modules" | sort -V | tail -1)
grep -q "dracut: Generating /boot/initrd.img-$kver" "$work/apt.log" || { log "the dracut package built no /boot/initrd.img-$kver"; tail -20 "$work/apt.log" >&2; exit 1; }
sed -i 's/^hostonly="no"$/hostonly="yes"\nhostonly_cmdline="no"/' "$itconf"
grep -qx 'hostonly="yes"' "$itconf" || { log "could not switch $itconf to hostonly"; exit 1; }
t4=$(now)

# --- uefi-disk.img: GPT, ESP + root ---------------------------------------------------------------------------
rootmib=$(( $(du -sm "$R" | cut -f1) + 2048 ))
disk=$work/uefi-disk.img
truncate -s "$((ESP_MIB + rootmib + 2))M" "$disk"
sfdisk -q "$disk" <<EOF
label: gpt
start=2048, size=${ESP_MIB}MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=ESP
type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root
EOF
loop=$(losetup -f --show -P "$disk")
for n in 1 2; do
  part=${loop}p$n
  [ -b "$part" ] || partx -a "$loop" 2>/dev/null || true
  if [ ! -b "$part" ] && [ -r "/sys/block/${loop#/dev/}/${loop#/dev/}p$n/dev" ]; then
    mm=$(cat "/sys/block/${loop#/dev/}/${loop#/dev/}p$n/dev"); mknod "$part" b "${mm%%:*}" "${mm##*:}"
  fi
  [ -b "$part" ] || { log "no partition device $part"; exit 1; }
done
mkfs.vfat -F 32 -n ESP "${loop}p1" >&2

# systemd-boot into /boot/efi (no EFI variables: OVMF finds EFI/BOOT/BOOTX64.EFI by itself), the Type #1 entry
# directory of the machine-id token; then the kernel's entry by the real kernel-install (90-loaderentry: options from
# /etc/kernel/cmdline plus systemd.machine_id=; 85-initrd: a copy of /boot/initrd.img-<kver>). /boot/efi must be a
# file system of its own: bootctl wants the root of one, and kernel-install writes the entry's paths relative to the
# mount point stat %m finds. The build host need not mount vfat (a CI VM's kernel may lack it), so they write into
# a tmpfs (ESP checks relaxed) whose tree mtools then copies into the vfat partition.
log "ESP: bootctl install + kernel-install add $kver"
mkdir -p "$R/boot/efi"
mnt=$R/boot/efi
mount -t tmpfs -o size=${ESP_MIB}m esp-build "$mnt"
chroot_up "$R"
chroot "$R" env SYSTEMD_RELAX_ESP_CHECKS=1 bootctl install --esp-path=/boot/efi --no-variables \
  --make-entry-directory=yes > "$work/bootctl.log" 2>&1 || { cat "$work/bootctl.log" >&2; exit 1; }
printf 'timeout 0\nconsole-mode keep\neditor no\n' > "$R/boot/efi/loader/loader.conf"
chroot "$R" kernel-install -v add "$kver" "/boot/vmlinuz-$kver" > "$work/kernel-install.log" 2>&1 \
  || { cat "$work/kernel-install.log" >&2; exit 1; }
mid=$(cat "$R/etc/machine-id")
entry=$R/boot/efi/loader/entries/$mid-$kver.conf
[ -f "$entry" ] || { log "kernel-install wrote no $entry:"; cat "$work/kernel-install.log" >&2; find "$R/boot/efi" >&2; exit 1; }
grep -Eq "^options +$UEFI_CMDLINE systemd.machine_id=$mid\$" "$entry" \
  && grep -Eq "^linux +/$mid/$kver/linux\$" "$entry" && grep -Eq "^initrd +/$mid/$kver/initrd.img-$kver\$" "$entry" \
  || { log "unexpected entry:"; cat "$entry" >&2; exit 1; }
[ -f "$R/boot/efi/EFI/BOOT/BOOTX64.EFI" ] || { log "ESP incomplete:"; find "$R/boot/efi" >&2; exit 1; }
chroot_down "$R"
cp -r "$R/boot/efi" "$work/esp"
umount "$mnt"; mnt=""
MTOOLS_SKIP_CHECK=1 mcopy -s -i "${loop}p1" "$work/esp"/* ::/ >&2
MTOOLS_SKIP_CHECK=1 mdir -i "${loop}p1" -/ ::/ > "$work/esp.list"
grep -q 'BOOTX64' "$work/esp.list" && grep -q "initrd.img-$kver" "$work/esp.list" \
  || { log "the ESP partition lacks files:"; cat "$work/esp.list" >&2; exit 1; }
t5=$(now)

log "uefi-disk.img: root ext4 on partition 2"
# the root with /boot/efi empty (the ESP's mount point); the cached rootfs/ keeps the ESP's files in /boot/efi, as
# a host with its ESP mounted shows them (the real-tool tests copy it)
mkfs.ext4 -q -F -L root -d "$R" "${loop}p2" >&2
rmdir "$R/boot/efi"; mv "$work/esp" "$R/boot/efi"
losetup -d "$loop"; loop=""
t6=$(now)

{ echo "copy_s=$((t2 - t1))"; echo "packages_and_first_initramfs_s=$((t3 - t2))"; echo "boot_setup_s=$((t5 - t4))"
  echo "disk_s=$((t6 - t5))"; echo "total_s=$((t6 - t0))"; echo "kernel=$kver"; echo "machine_id=$mid"
  echo "disk_used_mb=$(du -sm "$disk" | cut -f1)"; } > "$work/timings"
printf 'base=%s\npackages=%s\ncmdline=%s\nbuilt=%s\n' "$(basename "$base")" "$UEFI_PACKAGES" "$UEFI_CMDLINE" \
  "$(date -u +%FT%TZ)" > "$work/inputs"
sed 's/^/[uefi-image] /' "$work/timings" >&2
rm -rf "$out"
mv "$work" "$out"
touch "$out/.complete"
trap - EXIT
for old in "$CACHE"/uefi-*/.complete; do
  [ -e "$old" ] && [ "${old%/.complete}" != "$out" ] && [ -n "$(find "$old" -mtime +3)" ] || continue
  log "removing a variant unused for 3 days: ${old%/.complete}"; rm -rf "${old%/.complete}" "${old%/.complete}.lock"
done
log "built: $out"
echo "$out"
