#!/bin/bash
# Build the nested guest's (L2's) initramfs for the e2e suite: busybox (static, from the host) and the xhci
# modules of the guest kernel (from the cached rootfs, with their dependencies from modules.dep). Its /init lists
# the PCI devices L2 sees, loads xhci, shows which driver bound what and the USB buses that came up, and powers off.
#
#   lib/nested-initramfs.sh ROOTFS OUT.gz
#
# Needs busybox-static, cpio, gzip on the host. Reads ROOTFS only.
set -euo pipefail
rootfs=$1 out=$2
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 \
  || { echo "[nested-initramfs] need a static busybox (apt-get install busybox-static)" >&2; exit 1; }
kver=$(ls "$rootfs/lib/modules" | sort -V | tail -1)
mods=$rootfs/lib/modules/$kver
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,mod,proc,sys,dev}
cp "$busybox" "$work/bin/busybox"
for a in sh mount cat ls insmod poweroff sleep basename readlink echo; do ln -s busybox "$work/bin/$a"; done

# modules.dep lists every dependency of a module, the one to load last first: load them in reverse, then it
line=$(grep '^kernel/drivers/usb/host/xhci-pci.ko:' "$mods/modules.dep") \
  || { echo "[nested-initramfs] xhci-pci is not a module of $kver" >&2; exit 1; }
order=()
for dep in ${line#*:}; do order=("$dep" "${order[@]}"); done
order+=("${line%%:*}")
n=0
for m in "${order[@]}"; do
  case $m in *.ko) ;; *) echo "[nested-initramfs] compressed module $m: busybox insmod cannot load it" >&2; exit 1;; esac
  n=$((n + 1)); cp "$mods/$m" "$work/mod/$(printf %02d $n)-$(basename "$m")"
done

cat > "$work/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo "L2-BEGIN uptime=$(cat /proc/uptime)"
for d in /sys/bus/pci/devices/*; do echo "L2 pci ${d##*/} $(cat $d/vendor):$(cat $d/device) class=$(cat $d/class)"; done
for m in /mod/*.ko; do insmod $m || echo "L2 insmod FAILED: $m"; done
sleep 3
for d in /sys/bus/pci/devices/*; do [ -e $d/driver ] && echo "L2 driver ${d##*/} -> $(basename $(readlink $d/driver))"; done
for u in /sys/bus/usb/devices/usb*; do [ -e "$u" ] && echo "L2 usb ${u##*/} $(cat $u/product 2>/dev/null)"; done
echo "L2-END uptime=$(cat /proc/uptime)"
poweroff -f
INIT
chmod +x "$work/init"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
echo "[nested-initramfs] $out: busybox + ${order[*]##*/} ($(du -k "$out" | cut -f1) KiB)" >&2
