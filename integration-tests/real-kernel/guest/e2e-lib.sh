# Guest side of the end-to-end suite (integration-tests/real-kernel/run), sourced by the phase scripts.
# The guest only runs commands and records what happened; every PASS/FAIL is decided on the host.
#
# Per step ID it leaves in $RES: ID.out (stdout+stderr), ID.rc (exit code), ID.secs (guest wall time).
# Facts snapshots (facts NAME) leave NAME.cmdline, NAME.devices ("addr vendor:device class driver group"
# per PCI device), NAME.lspci, NAME.vfio (ls /dev/vfio), NAME.dmesg, NAME.firmware.
S=/mnt/share
RES=$S/results
P=$S/passthrough/bin/passthrough
mkdir -p "$RES"
# parameters written by the host: DEVICE, BINDING, PLAN_ARGS, ...
[ -r "$S/env" ] && . "$S/env"

# The guest's JVM now and then dies in JIT-compiled code under QEMU TCG (see capture-fixtures); such a crash is
# logged to $RES/jvm-crashes.txt and the command run again, up to 3 times. C1 only: C2's compiler threads cost
# more emulated CPU than they save in these short commands.
export JAVA_OPTS="${JAVA_OPTS:--XX:UseAVX=0 -XX:TieredStopAtLevel=1}"

up() { cut -d' ' -f1 /proc/uptime; }

pt() {
  n=1
  while :; do
    "$P" "$@" > /tmp/pt.out 2> /tmp/pt.err; r=$?
    if [ $r -lt 128 ] && ! head -c 1 /tmp/pt.out | grep -q '#'; then break; fi
    echo "JVM-CRASH rc=$r on: passthrough $* (attempt $n)" | tee -a "$RES/jvm-crashes.txt" >&2
    head -5 /tmp/pt.out >> "$RES/jvm-crashes.txt"
    [ $n -ge 3 ] && break
    n=$((n + 1))
  done
  cat /tmp/pt.out; cat /tmp/pt.err >&2
  return $r
}

# step ID command...: run, record output, exit code and seconds; never stops the script
step() {
  id=$1; shift
  echo "== step $id: $*"
  s=$(up)
  "$@" > "$RES/$id.out" 2>&1
  r=$?
  e=$(up)
  echo $r > "$RES/$id.rc"
  echo "$s $e" | awk '{printf "%.1f\n", $2 - $1}' > "$RES/$id.secs"
  echo "== step $id: rc=$r in $(cat "$RES/$id.secs")s"
  tail -n 15 "$RES/$id.out" | sed 's/^/   | /'
  return 0
}

# facts NAME: what the kernel shows, independently of passthrough
facts() {
  n=$1
  cat /proc/cmdline > "$RES/$n.cmdline"
  for d in /sys/bus/pci/devices/*; do
    a=${d##*/}
    drv=-; [ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
    grp=-; [ -e "$d/iommu_group" ] && grp=$(basename "$(readlink "$d/iommu_group")")
    echo "$a $(sed 's/^0x//' "$d/vendor"):$(sed 's/^0x//' "$d/device") $(cat "$d/class") $drv $grp"
  done > "$RES/$n.devices"
  lspci -nnk > "$RES/$n.lspci" 2>&1
  ls -l /dev/vfio > "$RES/$n.vfio" 2>&1
  ls /sys/firmware/acpi/tables > "$RES/$n.acpi" 2>&1
  dmesg > "$RES/$n.dmesg" 2>&1
  # firmware: "uefi <LoaderInfo>" (the boot loader that started us sets that EFI variable) or "bios"
  if [ -d /sys/firmware/efi ]; then
    echo "uefi $(cat /sys/firmware/efi/efivars/LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f 2>/dev/null | tr -cd '[:print:]')"
  else echo bios; fi > "$RES/$n.firmware"
  echo "== facts $n: $(cat "$RES/$n.cmdline")"
  sed 's/^/   | /' "$RES/$n.devices"
}

# boot_config NAME: what decides the next boot, to compare before apply with after rollback: NAME.grub.cfg,
# NAME.etc ("sha256 mode path" of every file under the boot configuration directories; a file passthrough added
# and rollback left behind shows up as an extra line), NAME.initramfs (lsinitramfs of the running kernel's initrd)
# dracut images, read without lsinitrd (in the TCG guest its listing came back empty after 4 minutes for the
# generic image): dracut's skipcpio steps over an early cpio if there is one, zstd (uefi-image.sh's compress) and cpio
# do the rest. initrd_list IMAGE prints the paths; initrd_cat IMAGE PATH prints one file.
initrd_list() { /usr/lib/dracut/skipcpio "$1" | zstd -dcq | cpio -t --quiet; }
initrd_cat() { /usr/lib/dracut/skipcpio "$1" | zstd -dcq | cpio -i --to-stdout --quiet "$2"; }
# UEFI=1 (systemd-boot + kernel-install + dracut): NAME.entry (the running kernel's loader entry on the ESP),
# NAME.cmdline-file (/etc/kernel/cmdline) and NAME.initramfs = the paths in the initrd that entry names, i.e. what
# the next boot loads; /etc/kernel and /etc/dracut.conf.d join NAME.etc.
boot_config() {
  n=$1
  if [ "${UEFI:-}" = 1 ]; then
    e=$(ls /boot/efi/loader/entries/*-"$(uname -r)".conf 2>/dev/null | head -1)
    cp "$e" "$RES/$n.entry" 2>/dev/null
    cp /etc/kernel/cmdline "$RES/$n.cmdline-file"
    i=$(awk '$1 == "initrd" { print $2; exit }' "$e" 2>/dev/null)
    initrd_list "/boot/efi$i" > "$RES/$n.initramfs" 2>&1
    extra="/etc/kernel/cmdline /etc/dracut.conf.d"
  else
    cp /boot/grub/grub.cfg "$RES/$n.grub.cfg"
    extra=""
  fi
  # shellcheck disable=SC2086
  find /etc/default/grub /etc/default/grub.d /etc/modprobe.d /etc/initramfs-tools /etc/passthrough \
       /etc/sysconfig /etc/modules /etc/modules-load.d $extra -type f 2>/dev/null | sort | while read -r f; do
    echo "$(sha256sum < "$f" | cut -c1-16) $(stat -c %a "$f") $f"
  done > "$RES/$n.etc"
  [ "${UEFI:-}" = 1 ] || { command -v lsinitramfs >/dev/null && lsinitramfs "/boot/initrd.img-$(uname -r)" > "$RES/$n.initramfs" 2>&1; }
  return 0
}
