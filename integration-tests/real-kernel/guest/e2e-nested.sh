# e2e suite, sourced by e2e-verify.sh (NESTED=1): two nested guests (L2) that own the reserved group, both written by
# `passthrough vm create` and both undone by `passthrough rollback`:
#   1. --hypervisor qemu: the launch script it installs in /etc/passthrough/vms, run as a user would run it;
#   2. --hypervisor libvirt: the domain it defines on this guest's own libvirtd, started with virsh.
# Each L2 is TCG with the L1 kernel and a busybox initramfs (lib/nested-initramfs.sh) whose /init lists the PCI devices
# it sees, loads xhci, shows what bound, and powers off. SeaBIOS (--firmware bios): OVMF under TCG inside TCG is
# minutes of firmware start-up for a guest that boots a kernel directly. Env: NESTED_DEVICE (01:00.0).
DEV=${NESTED_DEVICE:-01:00.0}
# libvirt starts QEMU as libvirt-qemu and labels the boot files for it: give it local copies, not the 9p share
mkdir -p /var/lib/passthrough-it
cp "/boot/vmlinuz-$(uname -r)" /var/lib/passthrough-it/vmlinuz
cp "$S/l2-initrd.gz" /var/lib/passthrough-it/l2-initrd.gz
BOOT="kernel=/var/lib/passthrough-it/vmlinuz,initrd=/var/lib/passthrough-it/l2-initrd.gz,cmdline=console=ttyS0 panic=-1 quiet"
L2="--device $DEV --virt-type qemu --firmware bios --graphics none --network none --memory 256M --cpus 1"

lspci -nnk -s "$DEV" > "$RES/nested-pre.lspci" 2>&1
step vm-qemu pt vm create l2q --hypervisor qemu $L2 --boot "$BOOT" --serial-log /var/log/l2q.log --define --yes
cp /etc/passthrough/vms/l2q.sh "$RES/l2q.sh" 2>/dev/null
run_l2q() {
  echo "L1: starting /etc/passthrough/vms/l2q.sh at uptime $(up)"
  timeout "${NESTED_TIMEOUT:-600}" /etc/passthrough/vms/l2q.sh < /dev/null; r=$?
  tr -d '\r' < /var/log/l2q.log
  echo "L1: L2 exited rc=$r at uptime $(up)"
  return $r
}
step nested run_l2q

step libvirtd systemctl start libvirtd.service
step vm-libvirt pt vm create l2lv --hypervisor libvirt $L2 --boot "$BOOT" --serial-log /var/log/l2lv.log --define --yes
cp /etc/passthrough/vms/l2lv.xml "$RES/l2lv.xml" 2>/dev/null
run_l2lv() {
  echo "L1: virsh start l2lv at uptime $(up)"
  virsh -c qemu:///system start l2lv || return 1
  t=0
  while [ "$(virsh -c qemu:///system domstate l2lv 2>&1)" != "shut off" ]; do
    sleep 2; t=$((t + 2))
    if [ $t -ge "${NESTED_TIMEOUT:-600}" ]; then virsh -c qemu:///system destroy l2lv; echo "L1: TIMEOUT after ${t}s"; break; fi
  done
  tr -d '\r' < /var/log/l2lv.log
  echo "L1: l2lv $(virsh -c qemu:///system domstate l2lv --reason 2>&1) at uptime $(up)"
  [ $t -lt "${NESTED_TIMEOUT:-600}" ]
}
step nested-libvirt run_l2lv
# the two definitions are the newest transactions: rollback undoes the libvirt one (virsh undefine), then the script
step vm-rollback-libvirt pt rollback
virsh -c qemu:///system list --all --name > "$RES/virsh-after-rollback.txt" 2>&1
step vm-rollback-qemu pt rollback
ls -A /etc/passthrough/vms > "$RES/vms-after-rollback.txt" 2>/dev/null  # gone or empty: both fine
