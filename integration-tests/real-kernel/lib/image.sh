#!/bin/bash
# Build (or reuse) a cached Debian guest for the real-kernel tests: a rootfs directory, a raw ext4 image and the
# kernel + initrd for booting with qemu -kernel/-initrd (capture-fixtures), and a partitioned raw disk with GRUB
# installed in its MBR gap for booting SeaBIOS -> GRUB -> kernel (the end-to-end suite, run), so that the
# command line update-grub writes into grub.cfg is the one the kernel gets.
#
#   dir=$(integration-tests/real-kernel/lib/image.sh)      # prints the cache dir (and only that) on stdout
#
# Cache layout: ${PASSTHROUGH_IT_CACHE:-/var/cache/passthrough-it}/<key>/
#   rootfs/  root.img  disk.img  disk.grub.cfg  vmlinuz  initrd.img  timings  inputs  .complete
# root.img is the bare ext4 filesystem (label "root"); disk.img is the same tree on partition 1 (msdos label,
# starting at 1 MiB, also label "root"), GRUB i386-pc in the MBR gap, grub.cfg written by the chroot's own
# update-grub (root=UUID=...); disk.grub.cfg is a copy of it for reference. Nothing boots the cached files
# writably by default: boot.sh uses snapshot=on for root.img, and the e2e suite puts a qcow2 overlay on disk.img.
# <key> = first 16 hex digits of sha256 over (this script's text, IT_SUITE, IT_PACKAGES, IT_EXTRA_PACKAGES):
# change any of them and a new image is built next to the old one; otherwise the second run returns at once.
# IT_MIRROR (default: the host's own Debian source) is deliberately not part of the key.
# IT_REBUILD=1 forces a rebuild of the current key.
#
# The guest boots to multi-user.target, where passthrough-it-hook.service mounts the 9p share (mount_tag
# "share", see boot.sh) on /mnt/share, runs /mnt/share/run.sh (stdout+stderr to /mnt/share/out.log and the
# console, exit code to /mnt/share/rc), then powers off unless "passthrough_it.nopoweroff" is on the cmdline.
# Needs root, debootstrap, e2fsprogs (mkfs.ext4 -d), util-linux (losetup, mount, blkid), fdisk (sfdisk),
# loop devices with partitions (losetup -P).
set -euo pipefail

IT_SUITE=${IT_SUITE:-bookworm}
# installed by debootstrap (minbase); the kernel must be in here so that its postinst builds the initrd
IT_PACKAGES=${IT_PACKAGES:-"linux-image-amd64 kmod pciutils systemd-sysv udev initramfs-tools"}
# installed afterwards with apt-get --no-install-recommends (add qemu-system-x86 for nested tests)
# (qemu-system-x86: the guest passes the reserved group on to a nested guest in the e2e suite, through the script
#  `vm create --hypervisor qemu` writes; libvirt-daemon-system + libvirt-clients: a second nested guest through the
#  domain `vm create --hypervisor libvirt` defines on the guest's own libvirtd)
IT_EXTRA_PACKAGES=${IT_EXTRA_PACKAGES:-"openjdk-17-jre-headless grub-pc zstd qemu-system-x86 libvirt-daemon-system libvirt-clients"}
IT_IMAGE_SIZE=${IT_IMAGE_SIZE:-3G}
CACHE=${PASSTHROUGH_IT_CACHE:-/var/cache/passthrough-it}

log() { echo "[image] $*" >&2; }
self=$(readlink -f "${BASH_SOURCE[0]}")
key=$( { cat "$self"; printf '\nsuite=%s\npackages=%s\nextra=%s\n' "$IT_SUITE" "$IT_PACKAGES" "$IT_EXTRA_PACKAGES"; } \
       | sha256sum | cut -c1-16)
out=$CACHE/$key

if [ -e "$out/.complete" ] && [ "${IT_REBUILD:-0}" != 1 ]; then
  touch "$out/.complete"   # last use, for the pruning below
  log "cached: $out"; echo "$out"; exit 0
fi

[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap, chroot)"; exit 1; }
for tool in debootstrap mkfs.ext4 flock sha256sum sfdisk losetup blkid; do
  command -v $tool >/dev/null || { log "missing host tool: $tool"; exit 1; }
done
mkdir -p "$CACHE"
# one builder per key; a second caller waits and then finds .complete
exec 9>"$CACHE/$key.lock"
flock 9
if [ -e "$out/.complete" ] && [ "${IT_REBUILD:-0}" != 1 ]; then log "cached (built meanwhile): $out"; echo "$out"; exit 0; fi

# the host's Debian mirror (deb822 or one-line format); empty = debootstrap's default
if [ -z "${IT_MIRROR:-}" ]; then
  IT_MIRROR=$( { sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null
                 awk '/^deb /{print $2}' /etc/apt/sources.list 2>/dev/null; } | head -1 || true)
fi

work=$out.tmp.$$
R=$work/rootfs
chroot_down() { local m; for m in sys proc dev/pts dev; do mountpoint -q "$1/$m" 2>/dev/null && umount -l "$1/$m"; done; return 0; }
chroot_up() { chroot_down "$1"; mount --bind /dev "$1/dev"; mount --bind /dev/pts "$1/dev/pts"
              mount -t proc proc "$1/proc"; mount -t sysfs sys "$1/sys"; }
unmount_all() { chroot_down "$R"; return 0; }
disk_mnt="" disk_loop="" disk_uuid_link=""
disk_down() {  # undo what make_grub_disk set up, in reverse order; safe to call twice
  [ -n "$disk_mnt" ] && { chroot_down "$disk_mnt"; mountpoint -q "$disk_mnt" && umount "$disk_mnt"; }
  [ -n "$disk_loop" ] && losetup -d "$disk_loop" 2>/dev/null
  [ -n "$disk_uuid_link" ] && rm -f "$disk_uuid_link"
  disk_mnt="" disk_loop="" disk_uuid_link=""; return 0
}
cleanup() { disk_down; unmount_all; [ -n "${keep_work:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work"
now() { date +%s; }
t0=$(now)

log "debootstrap $IT_SUITE into $R (mirror: ${IT_MIRROR:-default})"
debootstrap --variant=minbase --include="${IT_PACKAGES// /,}" "$IT_SUITE" "$R" ${IT_MIRROR:+"$IT_MIRROR"} \
  > "$work/debootstrap.log" 2>&1 || { tail -40 "$work/debootstrap.log" >&2; keep_work=1; log "debootstrap failed; log kept in $work"; exit 1; }
t1=$(now)

if [ -n "$IT_EXTRA_PACKAGES" ]; then
  log "apt-get install $IT_EXTRA_PACKAGES"
  chroot_up "$R"
  cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
  chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $IT_EXTRA_PACKAGES \
    > "$work/apt.log" 2>&1 || { tail -40 "$work/apt.log" >&2; exit 1; }
  unmount_all
fi
chroot "$R" apt-get clean
t2=$(now)

# --- guest configuration ---------------------------------------------------------------------------
echo passthrough-it > "$R/etc/hostname"
# by label: the same rootfs is /dev/vda (root.img) or /dev/vda1 (disk.img)
echo 'LABEL=root / ext4 defaults 0 1' > "$R/etc/fstab"
# GRUB as a serial-console user would set it: menu and kernel on ttyS0, short timeout, no "quiet" (the kernel's
# messages are what a failing boot's log tail must show); panic=-1 turns a panic into a quick QEMU exit.
# GRUB_CMDLINE_LINUX_DEFAULT stays empty: it is what passthrough edits.
sed -i -e 's|^GRUB_TIMEOUT=.*|GRUB_TIMEOUT=1|' \
       -e 's|^GRUB_CMDLINE_LINUX_DEFAULT=.*|GRUB_CMDLINE_LINUX_DEFAULT=""|' \
       -e 's|^GRUB_CMDLINE_LINUX=.*|GRUB_CMDLINE_LINUX="console=ttyS0,115200 panic=-1"|' \
       -e 's|^#\?GRUB_TERMINAL=.*|GRUB_TERMINAL=serial|' "$R/etc/default/grub"
echo 'GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"' >> "$R/etc/default/grub"
chroot "$R" passwd -d root >/dev/null
mkdir -p "$R/mnt/share"
cat > "$R/usr/local/sbin/passthrough-it-hook" <<'HOOK'
#!/bin/sh
# passthrough real-kernel test hook (installed by integration-tests/real-kernel/lib/image.sh)
up() { cut -d' ' -f1 /proc/uptime; }
modprobe 9pnet_virtio 2>/dev/null
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 share /mnt/share; then
  udevadm settle --timeout=60 || true
  if [ -x /mnt/share/run.sh ]; then
    echo "PASSTHROUGH-IT-BEGIN uptime=$(up)"
    /mnt/share/run.sh > /mnt/share/out.log 2>&1
    rc=$?
    echo $rc > /mnt/share/rc
    cat /mnt/share/out.log
    echo "PASSTHROUGH-IT-END rc=$rc uptime=$(up)"
  else
    echo "PASSTHROUGH-IT-NORUN: /mnt/share/run.sh missing or not executable"
  fi
  sync
  umount /mnt/share || true
else
  echo "PASSTHROUGH-IT-NOSHARE: could not mount the 9p share"
fi
grep -q passthrough_it.nopoweroff /proc/cmdline || systemctl poweroff --no-block
HOOK
chmod 755 "$R/usr/local/sbin/passthrough-it-hook"
cat > "$R/etc/systemd/system/passthrough-it-hook.service" <<'UNIT'
[Unit]
Description=passthrough real-kernel test hook: run /mnt/share/run.sh from the 9p share, then power off
After=local-fs.target systemd-modules-load.service systemd-udevd.service systemd-udev-trigger.service
[Service]
Type=oneshot
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
ExecStart=/usr/local/sbin/passthrough-it-hook
[Install]
WantedBy=multi-user.target
UNIT
chroot "$R" systemctl enable passthrough-it-hook.service >/dev/null 2>&1
# no getty/serial login prompt needed; keeps the serial log short
chroot "$R" systemctl mask serial-getty@ttyS0.service getty@tty1.service >/dev/null 2>&1 || true

kver=$(ls "$R/lib/modules" | sort -V | tail -1)
cp "$R/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$R/boot/initrd.img-$kver" "$work/initrd.img"
t3=$(now)

log "mkfs.ext4 -d rootfs root.img ($IT_IMAGE_SIZE)"
mkfs.ext4 -q -F -L root -d "$R" "$work/root.img" "$IT_IMAGE_SIZE" >&2   # stdout: "Creating regular file ..."
t4=$(now)

# --- disk.img: msdos label, partition 1 from 1 MiB, the rootfs on it, GRUB from the guest's own grub-pc ------
make_grub_disk() {
  local disk=$work/disk.img mib part uuid
  mib=$(numfmt --from=iec "$IT_IMAGE_SIZE"); mib=$((mib / 1048576))
  rm -f "$disk"; truncate -s "${mib}M" "$disk"
  echo 'start=2048, type=83, bootable' | sfdisk -q "$disk"
  # the filesystem goes straight into the partition's byte range; no loop device needed for that
  mkfs.ext4 -q -F -L root -E offset=1048576 -d "$R" "$disk" "$((mib - 1))M" >&2
  disk_loop=$(losetup -f --show -P "$disk")
  part=${disk_loop}p1
  # without udev the partition node may be missing: ask the kernel again, else make it from sysfs
  [ -b "$part" ] || partx -a "$disk_loop" 2>/dev/null || true
  if [ ! -b "$part" ] && [ -r "/sys/block/${disk_loop#/dev/}/${disk_loop#/dev/}p1/dev" ]; then
    local mm; mm=$(cat "/sys/block/${disk_loop#/dev/}/${disk_loop#/dev/}p1/dev")
    mknod "$part" b "${mm%%:*}" "${mm##*:}"
  fi
  [ -b "$part" ] || { log "no partition device $part for $disk_loop"; return 1; }
  disk_mnt=$work/mnt; mkdir -p "$disk_mnt"
  mount "$part" "$disk_mnt"
  # no udev here either: grub-mkconfig writes root=UUID=... only when /dev/disk/by-uuid/<uuid> exists
  uuid=$(blkid -s UUID -o value "$part")
  mkdir -p /dev/disk/by-uuid
  disk_uuid_link=/dev/disk/by-uuid/$uuid
  ln -sfn "../../${part#/dev/}" "$disk_uuid_link"
  disk_only_settings "$disk_mnt"
  chroot_up "$disk_mnt"
  chroot "$disk_mnt" grub-install --target=i386-pc "$disk_loop" > "$work/grub-install.log" 2>&1 \
    || { cat "$work/grub-install.log" >&2; return 1; }
  chroot "$disk_mnt" update-grub > "$work/update-grub.log" 2>&1 || { cat "$work/update-grub.log" >&2; return 1; }
  grep -q "root=UUID=$uuid" "$disk_mnt/boot/grub/grub.cfg" \
    || { log "update-grub did not write root=UUID=$uuid:"; grep -E '^\s*linux\s' "$disk_mnt/boot/grub/grub.cfg" >&2; return 1; }
  cp "$disk_mnt/boot/grub/grub.cfg" "$work/disk.grub.cfg"
  disk_down
  rmdir "$work/mnt"
}
# What only the GRUB disk gets (root.img and rootfs/ stay as debootstrap left them: capture-fixtures and the
# real-tool tests use those):
#  - the host as the e2e journey finds it: Debian's kernel turns Intel VT-d on by itself
#    (CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y), so a host "with the IOMMU off" is one whose owner put
#    intel_iommu=off on the command line, in GRUB_CMDLINE_LINUX_DEFAULT, where passthrough edits (an AMD guest
#    ignores the parameter: the kernel only reads it with a DMAR table);
#  - in-guest initramfs rebuilds that fit a TCG boot: MODULES=dep (only what this machine's root needs, worked
#    out by mkinitramfs on the booted guest) and zstd -1. With Debian's MODULES=most and zstd -9 one
#    update-initramfs took more than 10 minutes under TCG. The modules passthrough lists in
#    /etc/initramfs-tools/modules and the files its hook copies go in whatever MODULES says. The initrd already
#    on the disk stays the MODULES=most one debootstrap built (a chroot cannot work out "dep" for the guest).
disk_only_settings() {
  local m=$1
  sed -i 's|^GRUB_CMDLINE_LINUX_DEFAULT=.*|GRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=off"|' "$m/etc/default/grub"
  grep -q '^GRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=off"$' "$m/etc/default/grub" \
    || { log "could not set GRUB_CMDLINE_LINUX_DEFAULT in $m/etc/default/grub"; return 1; }
  sed -i -e 's|^MODULES=.*|MODULES=dep|' -e 's|^#\? *COMPRESSLEVEL=.*|COMPRESSLEVEL=1|' \
    "$m/etc/initramfs-tools/initramfs.conf"
  grep -q '^MODULES=dep$' "$m/etc/initramfs-tools/initramfs.conf" && grep -q '^COMPRESSLEVEL=1$' \
    "$m/etc/initramfs-tools/initramfs.conf" || { log "could not set MODULES/COMPRESSLEVEL in initramfs.conf"; return 1; }
}
log "disk.img: partition + rootfs + grub-install + update-grub"
make_grub_disk
t5=$(now)

{ echo "debootstrap_s=$((t1 - t0))"; echo "extra_packages_s=$((t2 - t1))"; echo "configure_s=$((t3 - t2))"
  echo "image_s=$((t4 - t3))"; echo "grub_disk_s=$((t5 - t4))"; echo "total_s=$((t5 - t0))"; echo "kernel=$kver"
  echo "rootfs_mb=$(du -sm "$R" | cut -f1)"; echo "image_used_mb=$(du -sm "$work/root.img" | cut -f1)"
  echo "disk_used_mb=$(du -sm "$work/disk.img" | cut -f1)"; } > "$work/timings"
printf 'suite=%s\npackages=%s\nextra=%s\nmirror=%s\nbuilt=%s\n' "$IT_SUITE" "$IT_PACKAGES" "$IT_EXTRA_PACKAGES" \
  "${IT_MIRROR:-default}" "$(date -u +%FT%TZ)" > "$work/inputs"
sed 's/^/[image] /' "$work/timings" >&2

rm -rf "$out"
mv "$work" "$out"
touch "$out/.complete"
trap - EXIT
# every change to this script makes a new key; images of other keys unused for 3 days go (each is ~2 GB)
for old in "$CACHE"/*/.complete; do
  [ -e "$old" ] && [ "${old%/.complete}" != "$out" ] && [ -n "$(find "$old" -mtime +3)" ] || continue
  log "removing an image unused for 3 days: ${old%/.complete}"; rm -rf "${old%/.complete}" "${old%/.complete}.lock"
done
log "built: $out"
echo "$out"
