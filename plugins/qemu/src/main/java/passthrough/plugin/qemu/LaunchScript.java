package passthrough.plugin.qemu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import passthrough.api.DirectBoot;
import passthrough.api.Finding;
import passthrough.api.GuestSlot;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.VirtType;
import passthrough.api.VmDisk;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

/**
 * The bash launch script of one VM: the checks and the vfio-pci hand-over before QEMU starts, and QEMU's arguments in
 * one bash array, one option (and one {@code -device}) a line, so a test can run the script with a stub QEMU and read
 * the argv back.
 *
 * <p>Guest layout (shared with the libvirt plugin): pcie.0 slot 0x01 the display, 0x02 the network card, 0x03 on the
 * disks in order; each {@link GuestSlot} N a {@code pcie-root-port} (id rpN, chassis N) at slot 0x10+N-1 and its
 * functions at bus N, slot 0, their own function numbers, function 0 multifunction when the slot holds more. The
 * installer ISO is a SATA CD-ROM on the q35 AHCI controller (bus ide.0); boot order: the disks, then the CD-ROM.
 *
 * <p>What was checked upstream (QEMU 7.2 here, and QEMU's source):
 * <ul>
 *   <li>{@code -machine kernel-irqchip=on} is a legacy machine option that vl.c's qemu_apply_legacy_machine_options
 *       hands to the kvm, whpx and hvf accelerators only; under {@code accel=tcg} it is ignored, and QEMU 7.2 starts a
 *       q35 TCG machine with it. It is written under TCG too (the libvirt domain says the same), with a note.</li>
 *   <li>{@code -cpu max,kvm=off,hv_vendor_id=…,host-phys-bits=on} starts under TCG (7.2): the properties exist on
 *       every x86 CPU model; host-phys-bits takes effect under KVM only.</li>
 *   <li>SPICE's mouse: {@code -spice agent-mouse=off} keeps QEMU from switching to the client (absolute) mouse mode
 *       through the guest's vdagent; with no usb-tablet and no vdagent channel (this script adds neither) the guest's
 *       pointer is q35's PS/2 mouse, which is server mode. libvirt's {@code <mouse mode='server'/>} renders the same
 *       agent-mouse=off.</li>
 *   <li>{@code -nodefaults} leaves out the default VGA, NIC, serial, parallel, monitor and CD-ROM; q35's own AHCI
 *       controller (ide.0-ide.5) and PS/2 controller stay.</li>
 *   <li>A Secure Boot OVMF build needs SMM and the secure pflash: {@code -machine smm=on} and
 *       {@code -global driver=cfi.pflash01,property=secure,value=on} (OVMF's README, QEMU docs).</li>
 *   <li>QEMU option values are comma-separated lists where ",," is a literal comma; -kernel, -initrd, -append and
 *       -serial file: take the rest of the word as is.</li>
 * </ul>
 */
final class LaunchScript {

    /** The first line after the shebang; {@code definedVms} recognises the plugin's scripts by it. */
    static final String MARKER = "# passthrough-qemu-vm: ";
    static final String STATE_DIR = "/var/lib/passthrough/vms";
    static final int DISPLAY_SLOT = 0x01;
    static final int NETWORK_SLOT = 0x02;
    static final int FIRST_DISK_SLOT = 0x03;

    record Rendered(String script, List<Finding> notes) {
    }

    private LaunchScript() {
    }

    /** Where the VM's own copy of the firmware variables lives. */
    static String varsPath(String name) {
        return STATE_DIR + "/" + name + "/OVMF_VARS.fd";
    }

    static Rendered render(VmSpec vm, List<VmFeature> features, int spicePort, String mac) {
        String name = vm.name();
        List<Finding> notes = new ArrayList<>();
        int lastDiskSlot = FIRST_DISK_SLOT + vm.disks().size() - 1;
        if (lastDiskSlot >= GuestSlot.FIRST_ROOT_PORT_SLOT) {
            throw new IllegalArgumentException("VM " + name + " has " + vm.disks().size() + " disks; pcie.0 has room for "
                    + (GuestSlot.FIRST_ROOT_PORT_SLOT - FIRST_DISK_SLOT) + " before the passed-through cards' root ports: "
                    + "give it fewer disks");
        }

        // the features, each kind rendered where QEMU takes it
        List<String> machine = new ArrayList<>(List.of("q35", "accel=" + (vm.virtType() == VirtType.KVM ? "kvm" : "tcg")));
        List<String> cpu = new ArrayList<>(List.of(vm.virtType() == VirtType.KVM ? "host" : "max"));
        Map<String, String> fwCfg = new LinkedHashMap<>();
        List<String> spice = new ArrayList<>(List.of("port=" + spicePort, "addr=127.0.0.1", "disable-ticketing=on"));
        Set<PciAddress> romBarOff = new LinkedHashSet<>();
        Set<PciAddress> passed = new LinkedHashSet<>();
        vm.functions().forEach(f -> passed.add(f.host()));
        if (vm.uefi() && vm.firmware().secureBoot()) machine.add("smm=on");
        for (VmFeature f : ordered(features)) {
            if (f instanceof VmFeature.HideKvm) {
                cpu.add("kvm=off");
            } else if (f instanceof VmFeature.HypervVendorId h) {
                cpu.add("hv_vendor_id=" + h.id());
            } else if (f instanceof VmFeature.HostPhysBits) {
                cpu.add("host-phys-bits=on");
                if (vm.virtType() != VirtType.KVM) {
                    notes.add(Finding.info("QEMU_HOST_PHYS_BITS_TCG", "host-phys-bits=on takes effect under KVM only; "
                            + "under TCG the guest keeps QEMU's own physical address width"));
                }
            } else if (f instanceof VmFeature.KvmIoapic) {
                machine.add("kernel-irqchip=on");
                if (vm.virtType() != VirtType.KVM) {
                    notes.add(Finding.info("QEMU_IRQCHIP_TCG", "kernel-irqchip=on is KVM's: QEMU hands it to the KVM "
                            + "accelerator only and ignores it under TCG, where the VM starts with QEMU's own interrupt "
                            + "controller"));
                }
            } else if (f instanceof VmFeature.SpiceServerMouse) {
                if (vm.graphics() == VmSpec.Graphics.SPICE) {
                    spice.add("agent-mouse=off");
                } else {
                    notes.add(Finding.info("QEMU_NO_SPICE_MOUSE", "spice-server-mouse: this VM has no SPICE display "
                            + "(graphics none), so there is no SPICE mouse to set"));
                }
            } else if (f instanceof VmFeature.PciMmio64Window w) {
                fwCfg.put("opt/ovmf/X-PciMmio64Mb", Long.toString(w.mib()));
            } else if (f instanceof VmFeature.RomBarOff r) {
                if (!passed.contains(r.device())) {
                    throw new IllegalArgumentException("rom-bar-off names " + r.device() + ", which is not passed to VM "
                            + name + ": a quirk asked for a device outside the VM; report it to the quirk's author");
                }
                romBarOff.add(r.device());
            } else {
                throw new IllegalStateException("the qemu plugin cannot render the VM feature " + f.name()
                        + "; update the plugin");
            }
        }

        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n").append(MARKER).append(name).append('\n');
        s.append(HEADER.replace("@VM@", name));
        s.append("vm=").append(Sh.word(name, "the VM name")).append('\n');
        if (vm.uefi()) {
            s.append("vars_template=").append(Sh.word(vm.firmware().varsTemplate(), "the OVMF variables template")).append('\n');
            s.append("vars=$state/$vm/OVMF_VARS.fd\n");
        } else {
            s.append("# QEMU's default BIOS (SeaBIOS): no firmware files, no variables\nvars_template=\nvars=\n");
        }
        s.append("# the host PCI functions the VM owns, slot by slot\nfunctions=(\n");
        for (PassedFunction f : vm.functions()) s.append("  ").append(f.host()).append('\n');
        s.append(")\n\n");

        // the files QEMU opens, each checked with the way out
        s.append("check_files() {\n");
        String firmwareFix = "install OVMF (Debian/Ubuntu: ovmf; Fedora/Arch: edk2-ovmf) or create the VM again with passthrough vm create";
        if (vm.uefi()) needFile(s, vm.firmware().code(), "the OVMF code", firmwareFix);
        for (VmDisk d : vm.disks()) {
            needFile(s, d.path(), "a disk of the VM", d.createBytes() != null
                    ? "passthrough vm create --define creates it; create it again: qemu-img create -f " + d.format() + " "
                    + d.path() + " " + d.createBytes()
                    : "put the disk back, or create the VM again without it");
        }
        if (vm.cdrom() != null) needFile(s, vm.cdrom(), "the installer ISO", "put it back, or create the VM again without --iso");
        DirectBoot boot = vm.directBoot();
        if (boot != null) {
            needFile(s, boot.kernel(), "the kernel to boot", "put it back, or create the VM again with another --boot kernel=");
            if (boot.initrd() != null) {
                needFile(s, boot.initrd(), "the initramfs to boot", "put it back, or create the VM again with another --boot initrd=");
            }
        }
        if (vm.uefi()) {
            s.append("  if [ ! -e \"$vars\" ]; then\n");
            s.append("    need_file \"$vars_template\" 'the OVMF variables template' ").append(Sh.word(firmwareFix, "")).append('\n');
            s.append("  fi\n");
        } else {
            s.append("  : # a function body may not be empty when nothing else is checked\n");
        }
        s.append("}\n\n");

        // QEMU's arguments
        s.append("# QEMU's arguments, one option a line; their values are QEMU's comma-separated lists\n");
        s.append("# shellcheck disable=SC2054\n");
        s.append("args=(\n");
        arg(s, "-name", name);
        s.append("  -nodefaults\n");
        arg(s, "-machine", String.join(",", machine));
        arg(s, "-cpu", String.join(",", cpu));
        arg(s, "-m", Long.toString(vm.memoryMiB()));
        arg(s, "-smp", Integer.toString(vm.vcpus()));
        if (vm.uefi()) {
            s.append("  # OVMF: the code read-only, the VM's own copy of the variables\n");
            String format = Sh.optionValue(vm.firmware().format(), "the firmware format");
            arg(s, "-drive", "if=pflash,format=" + format + ",unit=0,readonly=on,file="
                    + Sh.optionValue(vm.firmware().code(), "the OVMF code"));
            s.append("  -drive \"if=pflash,format=").append(format).append(",unit=1,file=${vars//,/,,}\"\n");
            if (vm.firmware().secureBoot()) arg(s, "-global", "driver=cfi.pflash01,property=secure,value=on");
        } else {
            s.append("  # QEMU's default BIOS (SeaBIOS): --firmware bios\n");
        }
        if (boot != null) {
            s.append("  # direct kernel boot\n");
            arg(s, "-kernel", boot.kernel());
            if (boot.initrd() != null) arg(s, "-initrd", boot.initrd());
            if (boot.cmdline() != null) arg(s, "-append", boot.cmdline());
        }
        for (int i = 0; i < vm.disks().size(); i++) {
            VmDisk d = vm.disks().get(i);
            if (i == 0) s.append("  # disks (virtio), in boot order\n");
            arg(s, "-drive", "if=none,id=disk" + i + ",format=" + Sh.optionValue(d.format(), "a disk format") + ",file="
                    + Sh.optionValue(d.path(), "a disk path"));
            arg(s, "-device", "virtio-blk-pci,drive=disk" + i + ",id=virtio-disk" + i + ",bus=pcie.0,addr="
                    + hex(FIRST_DISK_SLOT + i) + ",bootindex=" + (i + 1));
        }
        if (vm.cdrom() != null) {
            s.append("  # the installer CD-ROM (SATA), booted after the disks\n");
            arg(s, "-drive", "if=none,id=cdrom0,media=cdrom,readonly=on,format=raw,file=" + Sh.optionValue(vm.cdrom(), "the ISO path"));
            arg(s, "-device", "ide-cd,drive=cdrom0,id=sata0-0-0,bus=ide.0,bootindex=" + (vm.disks().size() + 1));
        }
        network(s, vm.network(), mac, notes);
        if (vm.graphics() == VmSpec.Graphics.SPICE) {
            s.append("  # a small VGA for the SPICE viewer (remote-viewer spice://127.0.0.1:").append(spicePort)
                    .append("); no window of QEMU's own\n");
            arg(s, "-device", "VGA,id=video0,vgamem_mb=16,bus=pcie.0,addr=" + hex(DISPLAY_SLOT));
            arg(s, "-spice", String.join(",", spice));
        } else {
            s.append("  # no display: the passed-through GPU is the guest's screen\n");
        }
        arg(s, "-display", "none");
        if (vm.serialLog() != null) {
            arg(s, "-serial", "file:" + vm.serialLog());
        } else {
            s.append("  # the serial console and QEMU's monitor on this terminal (Ctrl-a c switches, Ctrl-a x quits)\n");
            arg(s, "-serial", "mon:stdio");
        }
        for (Map.Entry<String, String> e : fwCfg.entrySet()) {
            s.append("  # OVMF's 64-bit PCI MMIO window, in MiB\n");
            arg(s, "-fw_cfg", "name=" + e.getKey() + ",string=" + e.getValue());
        }
        for (GuestSlot slot : vm.slots()) {
            s.append("  # guest slot ").append(slot.rootPort()).append(": ")
                    .append(slot.functions().size() == 1 ? "one function" : slot.functions().size() + " functions of one card")
                    .append(" behind root port ").append(slot.rootPort()).append('\n');
            arg(s, "-device", "pcie-root-port,id=rp" + slot.rootPort() + ",bus=pcie.0,chassis=" + slot.rootPort()
                    + ",addr=" + hex(slot.rootPortSlot()));
            for (PassedFunction f : slot.functions()) {
                StringBuilder d = new StringBuilder("vfio-pci,host=").append(f.host()).append(",id=hostdev")
                        .append(slot.rootPort()).append('-').append(f.guestFunction()).append(",bus=rp").append(slot.rootPort())
                        .append(",addr=0x0");
                if (f.guestFunction() != 0) d.append(".0x").append(Integer.toHexString(f.guestFunction()));
                if (f.guestFunction() == 0 && slot.multifunction()) d.append(",multifunction=on");
                if (romBarOff.contains(f.host())) d.append(",rombar=0");
                arg(s, "-device", d.toString());
            }
        }
        s.append(")\n");
        s.append(MAIN);
        return new Rendered(s.toString(), notes);
    }

    /** Features in one fixed order by kind, so the same VM always gives the same script. */
    private static List<VmFeature> ordered(List<VmFeature> features) {
        List<Class<?>> order = List.of(VmFeature.HideKvm.class, VmFeature.HypervVendorId.class, VmFeature.HostPhysBits.class,
                VmFeature.KvmIoapic.class, VmFeature.SpiceServerMouse.class, VmFeature.PciMmio64Window.class,
                VmFeature.RomBarOff.class);
        List<VmFeature> out = new ArrayList<>(features);
        out.sort(java.util.Comparator.comparingInt(f -> {
            int i = order.indexOf(f.getClass());
            return i < 0 ? order.size() : i;
        }));
        return out;
    }

    private static void network(StringBuilder s, VmNetwork net, String mac, List<Finding> notes) {
        String nic = "virtio-net-pci,netdev=net0,id=net0,mac=" + mac + ",bus=pcie.0,addr=" + hex(NETWORK_SLOT);
        switch (net.kind()) {
            case DEFAULT, USER -> {
                s.append("  # QEMU's user-mode network: the guest reaches out through the host, nothing reaches in\n");
                arg(s, "-netdev", "user,id=net0");
                arg(s, "-device", nic);
                notes.add(Finding.info("QEMU_USER_NETWORK", net.kind() == VmNetwork.Kind.DEFAULT
                        ? "network: QEMU alone has no libvirt 'default' network; the VM gets QEMU's user-mode network "
                        + "(outgoing connections only; the guest is not reachable from the host or the LAN; use "
                        + "--network bridge=BR for that)"
                        : "network: QEMU's user-mode network (outgoing connections only)"));
            }
            case BRIDGE -> {
                String br = net.bridge();
                if (br.isEmpty() || br.length() > 15 || !br.matches("[A-Za-z0-9_.:-]+")) {
                    throw new IllegalArgumentException("bridge '" + br + "' is no Linux interface name (1-15 letters, "
                            + "digits, '.', '_', ':' or '-'); name the bridge as `ip link show type bridge` lists it");
                }
                s.append("  # the host bridge ").append(br).append(" through qemu-bridge-helper (/etc/qemu/bridge.conf must allow it)\n");
                arg(s, "-netdev", "bridge,id=net0,br=" + br);
                arg(s, "-device", nic);
            }
            case NONE -> s.append("  # no network card\n");
            default -> throw new IllegalStateException("network kind " + net.kind());
        }
    }

    private static void needFile(StringBuilder s, String path, String what, String fix) {
        s.append("  need_file ").append(Sh.word(path, what)).append(' ').append(Sh.word(what, what)).append(' ')
                .append(Sh.word(fix, what)).append('\n');
    }

    private static void arg(StringBuilder s, String option, String value) {
        s.append("  ").append(option).append(' ').append(Sh.word(value, option + " value")).append('\n');
    }

    static String hex(int n) {
        return "0x" + Integer.toHexString(n);
    }

    private static final String HEADER = """
            # The launch script of the VM @VM@, written by `passthrough vm create --hypervisor qemu`. Run it as root.
            # `passthrough vm remove @VM@` removes it; `vm create --replace` writes it anew (edits made here are lost).
            #
            # Before QEMU starts it checks the files the VM uses and every passed-through function: each must be on
            # this host, in an IOMMU group whose other members no host driver uses, and held by vfio-pci, pci-stub or
            # no driver (a host driver is refused). A function on pci-stub or on no driver is moved to vfio-pci
            # (driver_override, then drivers_probe, as libvirt's managed mode does) and given back when QEMU exits.
            # The firmware variables are the VM's own copy in /var/lib/passthrough/vms/@VM@/ (made from the template
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
                  if echo "${moved_from[i]}" >"$d/driver_override" && echo "$f" >"$sysfs/bus/pci/drivers_probe" \\
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

            """;

    private static final String MAIN = """

            # --dry-run: QEMU's command line, shell-quoted; --print-argv: its argv, each argument NUL-terminated (for
            # tools); both without checking or changing anything
            case ${1-} in
              --dry-run)
                printf '%q ' "$qemu" "${args[@]}"
                echo
                exit 0
                ;;
              --print-argv)
                printf '%s\\0' "$qemu" "${args[@]}"
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
            """;
}
