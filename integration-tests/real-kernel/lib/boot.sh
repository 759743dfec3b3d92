#!/bin/bash
# Boot the cached guest (lib/image.sh) once under QEMU TCG; the guest runs SHARE/run.sh and powers off.
#
#   lib/boot.sh --image DIR --share DIR --iommu intel|amd|none --log FILE [options] [-- extra qemu args]
#   lib/boot.sh --disk FILE --share DIR --iommu intel|amd|none --log FILE [options] [-- extra qemu args]
#   lib/boot.sh --disk FILE --uefi --share DIR --iommu intel|amd|none --log FILE [options] [-- extra qemu args]
#
#   --image DIR      cache dir printed by lib/image.sh (vmlinuz, initrd.img, root.img): direct kernel boot
#                    (-kernel/-initrd/-append), root=/dev/vda
#   --disk FILE      boot this disk through the firmware instead: SeaBIOS -> the disk's GRUB -> the kernel with
#                    the command line grub.cfg gives (with --uefi: OVMF -> systemd-boot -> the loader entry's line) (no -kernel, no --append, no IOMMU argument added); FILE is
#                    always written (give it a qcow2 overlay on the cached disk.img, never disk.img itself);
#                    format qcow2 when FILE ends in .qcow2, else raw
#   --uefi           with --disk: OVMF instead of SeaBIOS (Debian's ovmf: OVMF_CODE_4M.fd read-only + a writable copy of
#                    OVMF_VARS_4M.fd as pflash); the firmware boots the disk's EFI/BOOT/BOOTX64.EFI (systemd-boot, see
#                    lib/uefi-image.sh), which boots the kernel of its loader entry with that entry's options line
#   --uefi-vars FILE the machine's NVRAM: created from OVMF_VARS_4M.fd when missing, kept between boots (default:
#                    ovmf-vars.fd next to --log)
#   --share DIR      host dir exported over virtio-9p (mount_tag "share", /mnt/share in the guest);
#                    must hold an executable run.sh; the guest writes out.log and rc (run.sh's exit code) there
#   --iommu KIND     intel: q35 + intel-iommu (DMAR), GenuineIntel CPU, cmdline intel_iommu=on (--image only)
#                    amd:   q35 + amd-iommu (IVRS), AuthenticAMD CPU (the kernel turns AMD-Vi on by itself;
#                           6.1 rejects amd_iommu=on as "Unknown option")
#                    none:  q35 without an IOMMU, GenuineIntel CPU
#   --log FILE       serial console log (kernel + guest hook output)
#   --append ARGS    extra kernel command-line arguments
#   --timeout S      hard limit for the whole QEMU run (default 600); QEMU always runs under timeout(1)
#   --mem MB --smp N (default 2048 / 2)
#   --writable       let the guest write to the cached root.img (default: snapshot=on, writes are discarded,
#                    so the cache stays pristine and several boots may share it)
#   --no-decoy       leave out the decoy std VGA at 00:01.0
# Env: IT_CPU overrides the -cpu value. Do NOT use "max,vendor=GenuineIntel,-svm": under QEMU 7.2 TCG that CPU
#      makes the 6.1 guest kernel return "xxx" for every path (readlink /proc/self/exe, /proc/self/mountinfo),
#      so ld.so asserts in _dl_get_origin and java cannot start. The Intel default therefore keeps TCG's svm
#      flag (there is no vmx under TCG either way).
#
# Devices (all addresses explicit, -nodefaults so QEMU adds nothing of its own):
#   00:01.0  std VGA [1234:1111] class 0300 on the root bus: the DECOY, the same vendor:device id as the "GPU"
#   00:10.0  pcie-root-port rp1 -> 01:00.0 bochs-display [1234:1111] class 0380 (multifunction)
#                                  01:00.1 ich9-intel-hda [8086:293e] + hda-duplex codec
#                                  01:00.2 qemu-xhci      [1b36:000d]
#            (one IOMMU group: the functions lack ACS, so the kernel groups them together)
#   00:11.0  pcie-root-port rp2 -> 02:00.0 e1000e [8086:10d3], an unrelated NIC (user netdev, restrict=on)
#   00:04.0  virtio-blk root disk, 00:05.0 virtio-9p share; q35 itself brings 00:00.0 and 00:1f.{0,2,3};
#            amd-iommu takes the first free root-bus slot (00:02.0).
# Exit status: 0 when the guest ran run.sh to the end and run.sh exited 0; otherwise non-zero
# (124 = timeout), after printing the last 40 lines of the serial log to stderr.
set -euo pipefail

die() { echo "[boot] $*" >&2; exit 2; }
IMAGE="" DISK="" SHARE="" IOMMU="" LOG="" APPEND="" TIMEOUT=600 MEM=2048 SMP=2 SNAPSHOT=1 DECOY=1 UEFI="" UEFI_VARS=""
OVMF_DIR=${OVMF_DIR:-/usr/share/OVMF}
while [ $# -gt 0 ]; do
  case $1 in
    --image) IMAGE=$2; shift 2;;
    --disk) DISK=$2; shift 2;;
    --share) SHARE=$2; shift 2;;
    --iommu) IOMMU=$2; shift 2;;
    --log) LOG=$2; shift 2;;
    --append) APPEND=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --mem) MEM=$2; shift 2;;
    --smp) SMP=$2; shift 2;;
    --writable) SNAPSHOT=""; shift;;
    --no-decoy) DECOY=""; shift;;
    --uefi) UEFI=1; shift;;
    --uefi-vars) UEFI_VARS=$2; shift 2;;
    --) shift; break;;
    *) die "unknown option: $1";;
  esac
done
if [ -n "$DISK" ]; then
  [ -z "$IMAGE" ] || die "--image and --disk exclude each other"
  [ -f "$DISK" ] || die "--disk: no such file '$DISK'"
  [ -z "$APPEND" ] || die "--append needs --image: with --disk the command line is grub.cfg's"
else
  [ -n "$IMAGE" ] && [ -f "$IMAGE/root.img" ] && [ -f "$IMAGE/vmlinuz" ] || die "--image: no root.img/vmlinuz in '$IMAGE'"
fi
if [ -n "$UEFI" ]; then
  [ -n "$DISK" ] || die "--uefi needs --disk"
  [ -f "$OVMF_DIR/OVMF_CODE_4M.fd" ] && [ -f "$OVMF_DIR/OVMF_VARS_4M.fd" ] \
    || die "--uefi: no OVMF_CODE_4M.fd / OVMF_VARS_4M.fd in $OVMF_DIR (apt-get install ovmf)"
fi
[ -n "$SHARE" ] && [ -x "$SHARE/run.sh" ] || die "--share: no executable run.sh in '$SHARE'"
[ -n "$LOG" ] || die "--log FILE is required"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"

case $IOMMU in
  # the IOMMU device must come before the PCI devices it translates for
  intel) machine=q35,kernel-irqchip=split; cpu=${IT_CPU:-max,vendor=GenuineIntel}
         iommu_dev=(-device intel-iommu,intremap=on,caching-mode=on); iommu_args="intel_iommu=on";;
  amd)   machine=q35; cpu=${IT_CPU:-max,vendor=AuthenticAMD}; iommu_dev=(-device amd-iommu); iommu_args="";;
  none)  machine=q35; cpu=${IT_CPU:-max,vendor=GenuineIntel}; iommu_dev=(); iommu_args="";;
  *) die "--iommu must be intel, amd or none";;
esac

decoy=()
[ -n "$DECOY" ] && decoy=(-device VGA,bus=pcie.0,addr=0x1)
devices=(
  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x10
  -device bochs-display,bus=rp1,addr=0x0.0,multifunction=on
  -device ich9-intel-hda,bus=rp1,addr=0x0.1 -audiodev none,id=snd0 -device hda-duplex,audiodev=snd0
  -device qemu-xhci,bus=rp1,addr=0x0.2
  -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,addr=0x11
  -netdev user,id=n0,restrict=on -device e1000e,bus=rp2,addr=0x0,netdev=n0,romfile=
)

# intel-iommu has no PCI function of its own and goes first, before the devices it translates for; amd-iommu
# takes the first free root-bus slot, so the decoy claims 00:01.0 before it (then AMD-Vi sits at 00:02.0)
if [ "$IOMMU" = amd ]; then early=("${decoy[@]}" "${iommu_dev[@]}"); else early=("${iommu_dev[@]}" "${decoy[@]}"); fi

if [ -n "$DISK" ]; then
  case $DISK in *.qcow2) fmt=qcow2;; *) fmt=raw;; esac
  boot=(-drive "file=$DISK,if=none,id=root,format=$fmt,cache=unsafe")
  if [ -n "$UEFI" ]; then
    [ -n "$UEFI_VARS" ] || UEFI_VARS=$(dirname "$LOG")/ovmf-vars.fd
    [ -f "$UEFI_VARS" ] || { mkdir -p "$(dirname "$UEFI_VARS")"; cp "$OVMF_DIR/OVMF_VARS_4M.fd" "$UEFI_VARS"; }
    boot+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_DIR/OVMF_CODE_4M.fd"
           -drive "if=pflash,format=raw,unit=1,file=$UEFI_VARS")
    echo "[boot] iommu=$IOMMU disk=$DISK ($fmt) through OVMF and its EFI/BOOT/BOOTX64.EFI (NVRAM $UEFI_VARS)" >&2
  else
    echo "[boot] iommu=$IOMMU disk=$DISK ($fmt) through its GRUB" >&2
  fi
else
  cmdline=$(echo root=/dev/vda rw console=ttyS0 panic=-1 $iommu_args $APPEND)
  boot=(-kernel "$IMAGE/vmlinuz" -initrd "$IMAGE/initrd.img" -append "$cmdline"
        -drive "file=$IMAGE/root.img,if=none,id=root,format=raw,cache=unsafe${SNAPSHOT:+,snapshot=on}")
  echo "[boot] iommu=$IOMMU cmdline: $cmdline" >&2
fi
rm -f "$SHARE/out.log" "$SHARE/rc"
mkdir -p "$(dirname "$LOG")"; : > "$LOG"
t0=$(date +%s)
set +e
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -machine "$machine" -cpu "$cpu" -m "$MEM" -smp "$SMP" \
  -nodefaults -no-reboot -display none -monitor none -serial "file:$LOG" \
  "${early[@]}" \
  "${boot[@]}" -device virtio-blk-pci,drive=root,bus=pcie.0,addr=0x4 \
  -fsdev "local,id=share,path=$SHARE,security_model=none" \
  -device virtio-9p-pci,fsdev=share,mount_tag=share,bus=pcie.0,addr=0x5 \
  "${devices[@]}" "$@" < /dev/null > "$LOG.qemu" 2>&1
qrc=$?
set -e
secs=$(( $(date +%s) - t0 ))
sed -i 's/\r$//' "$LOG"

fail() {
  echo "[boot] FAILED after ${secs}s: $1" >&2
  [ -s "$LOG.qemu" ] && { echo "[boot] qemu said:" >&2; tail -20 "$LOG.qemu" >&2; }
  echo "[boot] last 40 lines of $LOG:" >&2
  tail -40 "$LOG" >&2
  exit "${2:-1}"
}
[ $qrc = 124 ] || [ $qrc = 137 ] && fail "timeout (${TIMEOUT}s)" 124
[ $qrc = 0 ] || fail "qemu exited $qrc" $qrc
grep -aq 'PASSTHROUGH-IT-END' "$LOG" || fail "the guest did not run share/run.sh to the end"
rc=$(cat "$SHARE/rc" 2>/dev/null || echo missing)
[ "$rc" = 0 ] || fail "share/run.sh exited $rc"
echo "[boot] ok: iommu=$IOMMU, ${secs}s" >&2
echo "boot_s=$secs"
