#!/bin/bash
# passthrough-qemu-vm: d2l
# The launch script of the VM d2l, written by `passthrough vm create --hypervisor qemu`. Run it as root.
# `passthrough vm remove d2l` removes it; `vm create --replace` writes it anew (edits made here are lost).
#
# Before QEMU starts it checks the files the VM uses and every passed-through function: each must be on
# this host, in an IOMMU group whose other members no host driver uses, and held by vfio-pci, pci-stub or
# no driver (a host driver is refused). A function on pci-stub or on no driver is moved to vfio-pci
# (driver_override, then drivers_probe, as libvirt's managed mode does) and given back when QEMU exits.
# The firmware variables are the VM's own copy in /var/lib/passthrough/vms/d2l/ (made from the template
# when missing; vm remove keeps them).
set -euo pipefail

# For the tests only: a fake sysfs and /dev, a stub QEMU and modprobe, a temporary variables directory.
sysfs=${PASSTHROUGH_VM_SYSFS:-/sys}
devfs=${PASSTHROUGH_VM_DEV:-/dev}
qemu=${PASSTHROUGH_VM_QEMU:-qemu-system-x86_64}
modprobe=${PASSTHROUGH_VM_MODPROBE:-modprobe}
state=${PASSTHROUGH_VM_STATE:-/var/lib/passthrough/vms}

fail() {
  echo "passthrough: VM $vm: $*" >&2
  exit 1
}

# shellcheck disable=SC2317 # called by give_back, which the EXIT trap calls
warn() {
  echo "passthrough: VM $vm: $*" >&2
}

# need_file PATH WHAT FIX (a disk may be a block device: -e, not -f)
need_file() {
  [ -e "$1" ] || fail "$1 ($2) does not exist; $3"
}

# the driver holding PCI function $1; nothing when none does
driver_of() {
  local link=$sysfs/bus/pci/devices/$1/driver
  if [ -L "$link" ]; then
    basename "$(readlink "$link")"
  fi
}

# wait_for_driver ADDRESS DRIVER: the kernel binds while drivers_probe is written; allow it a moment anyway
wait_for_driver() {
  local i
  for ((i = 0; i < 50; i++)); do
    [ "$(driver_of "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

is_vm_function() {
  local f
  for f in "${functions[@]}"; do
    [ "$f" = "$1" ] && return 0
  done
  return 1
}

# what the script moved to vfio-pci: the function, the driver it had, and its driver_override before
moved=()
moved_from=()
moved_override=()

# give every moved function back to the driver it had; runs when the script exits (after QEMU, or on a failure)
# shellcheck disable=SC2317 # called by the EXIT trap
give_back() {
  local i f d
  for ((i = ${#moved[@]} - 1; i >= 0; i--)); do
    f=${moved[i]}
    d=$sysfs/bus/pci/devices/$f
    if [ "$(driver_of "$f")" = vfio-pci ]; then
      echo "$f" >"$sysfs/bus/pci/drivers/vfio-pci/unbind" || warn "$f: could not unbind it from vfio-pci"
      wait_for_driver "$f" '' || warn "$f is still on vfio-pci"
    fi
    if [ -n "${moved_from[i]}" ]; then
      if echo "${moved_from[i]}" >"$d/driver_override" && echo "$f" >"$sysfs/bus/pci/drivers_probe" \
        && wait_for_driver "$f" "${moved_from[i]}"; then
        echo "passthrough: VM $vm: $f is back on ${moved_from[i]}" >&2
      else
        warn "$f is not back on ${moved_from[i]}; reboot to give it back"
      fi
    fi
    # the override it had: "(null)" is none, which an empty line restores
    if [ "${moved_override[i]}" = "(null)" ]; then
      echo >"$d/driver_override" || warn "$f: could not clear $d/driver_override"
    else
      echo "${moved_override[i]}" >"$d/driver_override" || warn "$f: could not restore $d/driver_override"
    fi
  done
}

vm=d2l
vars_template=/usr/share/OVMF/OVMF_VARS.fd
vars=$state/$vm/OVMF_VARS.fd
# the host PCI functions the VM owns, slot by slot
functions=(
  0000:82:00.0
)

check_files() {
  need_file /usr/share/OVMF/OVMF_CODE.fd 'the OVMF code' 'install OVMF (Debian/Ubuntu: ovmf; Fedora/Arch: edk2-ovmf) or create the VM again with passthrough vm create'
  need_file /sources/images/d2l.qcow 'a disk of the VM' 'passthrough vm create --define creates it; create it again: qemu-img create -f qcow2 /sources/images/d2l.qcow 68719476736'
  need_file /sources/debian-cd_current_amd64_iso-dvd_debian-12.9.0-amd64-DVD-1.iso 'the installer ISO' 'put it back, or create the VM again without --iso'
  if [ ! -e "$vars" ]; then
    need_file "$vars_template" 'the OVMF variables template' 'install OVMF (Debian/Ubuntu: ovmf; Fedora/Arch: edk2-ovmf) or create the VM again with passthrough vm create'
  fi
}

# QEMU's arguments, one option a line; their values are QEMU's comma-separated lists
# shellcheck disable=SC2054
args=(
  -name d2l
  -nodefaults
  -machine q35,accel=kvm,kernel-irqchip=on
  -cpu host,kvm=off,hv_vendor_id=passthrough
  -m 32768
  -smp 4
  # OVMF: the code read-only, the VM's own copy of the variables
  -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd
  -drive "if=pflash,format=raw,unit=1,file=${vars//,/,,}"
  # disks (virtio), in boot order
  -drive if=none,id=disk0,format=qcow2,file=/sources/images/d2l.qcow
  -device virtio-blk-pci,drive=disk0,id=virtio-disk0,bus=pcie.0,addr=0x3,bootindex=1
  # the installer CD-ROM (SATA), booted after the disks
  -drive if=none,id=cdrom0,media=cdrom,readonly=on,format=raw,file=/sources/debian-cd_current_amd64_iso-dvd_debian-12.9.0-amd64-DVD-1.iso
  -device ide-cd,drive=cdrom0,id=sata0-0-0,bus=ide.0,bootindex=2
  # the host bridge br0 through qemu-bridge-helper (/etc/qemu/bridge.conf must allow it)
  -netdev bridge,id=net0,br=br0
  -device virtio-net-pci,netdev=net0,id=net0,mac=52:54:00:01:5b:78,bus=pcie.0,addr=0x2
  # a small VGA for the SPICE viewer (remote-viewer spice://127.0.0.1:5930); no window of QEMU's own
  -device VGA,id=video0,vgamem_mb=16,bus=pcie.0,addr=0x1
  -spice port=5930,addr=127.0.0.1,disable-ticketing=on
  -display none
  # the serial console and QEMU's monitor on this terminal (Ctrl-a c switches, Ctrl-a x quits)
  -serial mon:stdio
  # guest slot 1: one function behind root port 1
  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x10
  -device vfio-pci,host=0000:82:00.0,id=hostdev1-0,bus=rp1,addr=0x0
)

# --dry-run: QEMU's command line, shell-quoted; --print-argv: its argv, each argument NUL-terminated (for
# tools); both without checking or changing anything
case ${1-} in
  --dry-run)
    printf '%q ' "$qemu" "${args[@]}"
    echo
    exit 0
    ;;
  --print-argv)
    printf '%s\0' "$qemu" "${args[@]}"
    exit 0
    ;;
  '') ;;
  *) fail "unknown option '$1'; the script takes none (or --dry-run, --print-argv)" ;;
esac

# 1. the files QEMU opens
check_files

# 2. every function: on this host, in an IOMMU group, and held by no host driver; the rest of its group too
to_move=()
groups=()
for f in "${functions[@]}"; do
  d=$sysfs/bus/pci/devices/$f
  [ -e "$d" ] || fail "$f: no such PCI function on this host ($d is missing); if the card moved, create the VM again: passthrough vm create $vm --replace --device NEW-ADDRESS"
  [ -L "$d/iommu_group" ] || fail "$f is in no IOMMU group ($d/iommu_group is missing): the IOMMU is off; see passthrough check"
  drv=$(driver_of "$f")
  case $drv in
    vfio-pci) ;;
    pci-stub | '') to_move+=("$f") ;;
    *) fail "$f is held by the host driver $drv, not vfio-pci; reserve it for VMs first: passthrough plan --device $f, passthrough apply, reboot" ;;
  esac
  g=$(basename "$(readlink "$d/iommu_group")")
  case " ${groups[*]} " in
    *" $g "*) ;;
    *) groups+=("$g") ;;
  esac
done
for g in "${groups[@]}"; do
  for m in "$sysfs/kernel/iommu_groups/$g/devices/"*; do
    [ -e "$m" ] || continue
    a=${m##*/}
    is_vm_function "$a" && continue
    # a PCI bridge stays with the host (pcieport); VFIO allows that
    case $(cat "$m/class" 2>/dev/null || true) in
      0x0604*) continue ;;
    esac
    drv=$(driver_of "$a")
    case $drv in
      vfio-pci | pci-stub | '') ;;
      *) fail "IOMMU group $g also holds $a, which the host driver $drv uses, and QEMU can only take a whole group: reserve it too (passthrough plan --device $a) or move the card to another slot" ;;
    esac
  done
done

# 3. the VM's own firmware variables
if [ -n "$vars" ] && [ ! -e "$vars" ]; then
  mkdir -p "$state"
  [ -d "$state/$vm" ] || mkdir -m 0700 "$state/$vm"
  cp "$vars_template" "$vars"
  echo "passthrough: VM $vm: created $vars from $vars_template" >&2
fi

# 4. functions on pci-stub or on no driver go to vfio-pci until QEMU exits
trap give_back EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
if [ ${#to_move[@]} -gt 0 ]; then
  if [ ! -d "$sysfs/bus/pci/drivers/vfio-pci" ]; then
    "$modprobe" vfio-pci || fail "modprobe vfio-pci failed; install the vfio-pci module of kernel $(uname -r)"
    [ -d "$sysfs/bus/pci/drivers/vfio-pci" ] || fail "vfio-pci is not loaded after modprobe vfio-pci ($sysfs/bus/pci/drivers/vfio-pci is missing)"
  fi
  for f in "${to_move[@]}"; do
    d=$sysfs/bus/pci/devices/$f
    [ -w "$d/driver_override" ] || fail "$f: cannot write $d/driver_override; run this script as root (on Linux 3.16 or later)"
  done
  for f in "${to_move[@]}"; do
    d=$sysfs/bus/pci/devices/$f
    from=$(driver_of "$f")
    moved+=("$f")
    moved_from+=("$from")
    moved_override+=("$(cat "$d/driver_override")")
    echo vfio-pci >"$d/driver_override"
    if [ -n "$from" ]; then
      echo "$f" >"$d/driver/unbind"
    fi
    echo "$f" >"$sysfs/bus/pci/drivers_probe"
    wait_for_driver "$f" vfio-pci || fail "$f did not bind to vfio-pci (driver now: $(driver_of "$f")); see dmesg"
    echo "passthrough: VM $vm: $f moved from ${from:-no driver} to vfio-pci until QEMU exits" >&2
  done
fi

# 5. the VFIO group devices QEMU opens (udev may take a moment after a move)
tries=1
[ ${#moved[@]} -eq 0 ] || tries=50
for g in "${groups[@]}"; do
  for ((i = 0; i < tries; i++)); do
    [ -e "$devfs/vfio/$g" ] && break
    sleep 0.1
  done
  [ -e "$devfs/vfio/$g" ] || fail "$devfs/vfio/$g is missing, so QEMU cannot open IOMMU group $g; load vfio-pci (modprobe vfio-pci) and check the IOMMU: passthrough verify"
done

# 6. QEMU, with this terminal as its standard input. A TERM, INT or HUP sent to the script goes on to QEMU
# (as TERM: it powers the VM off) and the script waits for it to end; then the EXIT trap gives the moved
# functions back, and the script's exit code is QEMU's.
echo "passthrough: VM $vm: starting QEMU" >&2
"$qemu" "${args[@]}" <&0 &
qemu_pid=$!
trap 'signalled=1; kill -TERM "$qemu_pid" 2>/dev/null || true' INT TERM HUP
# a wait a signal interrupts returns early: wait again (bash keeps the status of a child that has ended)
signalled=1
status=0
while [ -n "$signalled" ]; do
  signalled=
  if wait "$qemu_pid"; then status=0; else status=$?; fi
done
exit "$status"
