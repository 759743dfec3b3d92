#!/bin/bash
# Build (or reuse) a cached Debian guest for the real-kernel tests: a rootfs directory, a raw ext4 image,
# and the kernel + initrd for booting with qemu -kernel/-initrd.
#
#   dir=$(integration-tests/real-kernel/lib/image.sh)      # prints the cache dir (and only that) on stdout
#
# Cache layout: ${PASSTHROUGH_IT_CACHE:-/var/cache/passthrough-it}/<key>/
#   rootfs/  root.img  vmlinuz  initrd.img  timings  inputs  .complete
# <key> = first 16 hex digits of sha256 over (this script's text, IT_SUITE, IT_PACKAGES, IT_EXTRA_PACKAGES):
# change any of them and a new image is built next to the old one; otherwise the second run returns at once.
# IT_MIRROR (default: the host's own Debian source) is deliberately not part of the key.
# IT_REBUILD=1 forces a rebuild of the current key.
#
# The guest boots to multi-user.target, where passthrough-it-hook.service mounts the 9p share (mount_tag
# "share", see boot.sh) on /mnt/share, runs /mnt/share/run.sh (stdout+stderr to /mnt/share/out.log and the
# console, exit code to /mnt/share/rc), then powers off unless "passthrough_it.nopoweroff" is on the cmdline.
# Needs root, debootstrap, e2fsprogs (mkfs.ext4 -d), util-linux.
set -euo pipefail

IT_SUITE=${IT_SUITE:-bookworm}
# installed by debootstrap (minbase); the kernel must be in here so that its postinst builds the initrd
IT_PACKAGES=${IT_PACKAGES:-"linux-image-amd64 kmod pciutils systemd-sysv udev initramfs-tools"}
# installed afterwards with apt-get --no-install-recommends (add qemu-system-x86 for nested tests)
IT_EXTRA_PACKAGES=${IT_EXTRA_PACKAGES:-"openjdk-17-jre-headless grub-pc zstd"}
IT_IMAGE_SIZE=${IT_IMAGE_SIZE:-3G}
CACHE=${PASSTHROUGH_IT_CACHE:-/var/cache/passthrough-it}

log() { echo "[image] $*" >&2; }
self=$(readlink -f "${BASH_SOURCE[0]}")
key=$( { cat "$self"; printf '\nsuite=%s\npackages=%s\nextra=%s\n' "$IT_SUITE" "$IT_PACKAGES" "$IT_EXTRA_PACKAGES"; } \
       | sha256sum | cut -c1-16)
out=$CACHE/$key

if [ -e "$out/.complete" ] && [ "${IT_REBUILD:-0}" != 1 ]; then
  log "cached: $out"; echo "$out"; exit 0
fi

[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap, chroot)"; exit 1; }
for tool in debootstrap mkfs.ext4 flock sha256sum; do
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
mounted=()
unmount_all() { local m; for m in sys proc dev/pts dev; do mountpoint -q "$R/$m" 2>/dev/null && umount -l "$R/$m"; done; return 0; }
cleanup() { unmount_all; [ -n "${keep_work:-}" ] || rm -rf "$work"; }
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
  mount --bind /dev "$R/dev"; mount --bind /dev/pts "$R/dev/pts"
  mount -t proc proc "$R/proc"; mount -t sysfs sys "$R/sys"
  cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
  chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $IT_EXTRA_PACKAGES \
    > "$work/apt.log" 2>&1 || { tail -40 "$work/apt.log" >&2; exit 1; }
  unmount_all
fi
chroot "$R" apt-get clean
t2=$(now)

# --- guest configuration ---------------------------------------------------------------------------
echo passthrough-it > "$R/etc/hostname"
echo '/dev/vda / ext4 defaults 0 1' > "$R/etc/fstab"
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
mkfs.ext4 -q -F -L root -d "$R" "$work/root.img" "$IT_IMAGE_SIZE"
t4=$(now)

{ echo "debootstrap_s=$((t1 - t0))"; echo "extra_packages_s=$((t2 - t1))"; echo "configure_s=$((t3 - t2))"
  echo "image_s=$((t4 - t3))"; echo "total_s=$((t4 - t0))"; echo "kernel=$kver"
  echo "rootfs_mb=$(du -sm "$R" | cut -f1)"; echo "image_used_mb=$(du -sm "$work/root.img" | cut -f1)"; } > "$work/timings"
printf 'suite=%s\npackages=%s\nextra=%s\nmirror=%s\nbuilt=%s\n' "$IT_SUITE" "$IT_PACKAGES" "$IT_EXTRA_PACKAGES" \
  "${IT_MIRROR:-default}" "$(date -u +%FT%TZ)" > "$work/inputs"
sed 's/^/[image] /' "$work/timings" >&2

rm -rf "$out"
mv "$work" "$out"
touch "$out/.complete"
trap - EXIT
log "built: $out"
echo "$out"
