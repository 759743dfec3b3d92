package passthrough.plugin.libvirt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import passthrough.api.GuestSlot;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.VmDisk;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

/**
 * Renders a {@link VmSpec} and its features as a libvirt domain document. Deterministic: the same VM and the same set
 * of features give the same bytes whatever the order of the feature list (features are rendered at fixed places).
 *
 * <p>Checked against libvirt's formatdomain documentation (https://libvirt.org/formatdomain.html) and the RNG schema
 * Debian 12's libvirt 9.0 installs (/usr/share/libvirt/schemas/domaincommon.rng), which virt-xml-validate uses in the
 * tests. The elements and the libvirt release each needs:
 * <ul>
 *   <li>{@code <os firmware='efi'>} with {@code <firmware><feature enabled='no' name='secure-boot'/>}: firmware
 *       auto-selection from the QEMU firmware descriptors (5.2; the {@code <firmware>} feature list 7.2), else
 *       {@code <loader readonly='yes' type='pflash'>} + {@code <nvram template=…/>} (1.2.9).</li>
 *   <li>{@code <cpu mode='host-passthrough'/>} for KVM; {@code <cpu mode='maximum'/>} for TCG (7.1: every feature
 *       QEMU can emulate, QEMU's {@code -cpu max}).</li>
 *   <li>HideKvm: {@code <features><kvm><hidden state='on'/>} (1.2.8, QEMU {@code kvm=off}); HypervVendorId:
 *       {@code <hyperv mode='custom'><vendor_id state='on' value=…/>} (1.3.3; the mode attribute 8.0, custom its
 *       default); KvmIoapic: {@code <ioapic driver='kvm'/>} (3.4, QEMU {@code kernel_irqchip=on}).</li>
 *   <li>SpiceServerMouse: {@code <graphics type='spice'><mouse mode='server'/>} (0.9.11; libvirt's default is
 *       client mode).</li>
 *   <li>HostPhysBits: {@code <maxphysaddr mode='passthrough'/>} inside {@code <cpu>} (8.7, QEMU
 *       {@code host-phys-bits=on}).</li>
 *   <li>PciMmio64Window: QEMU's {@code -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=MIB} through
 *       {@code <qemu:commandline>} (namespace {@value #QEMU_NS}; every libvirt release has it; libvirt marks such a
 *       domain "tainted: custom-argv" in its log). libvirt's own {@code <sysinfo type='fwcfg'>} (6.5) would be the
 *       natural place, but its QEMU driver refuses every name under {@code opt/ovmf/} and {@code opt/org.qemu/}
 *       ("That firmware name is reserved", qemuValidateDomainDefSysinfo; seen with the real libvirt 9.0 daemon).</li>
 *   <li>Every hostdev names {@code <driver name='vfio'/>}: the default where the host supports VFIO, and without it
 *       libvirt cannot turn the domain into QEMU arguments on a host without an IOMMU ("invalid PCI passthrough type
 *       'default'" from virsh domxml-to-native).</li>
 *   <li>RomBarOff: {@code <rom bar='off'/>} in that function's hostdev (QEMU {@code rombar=0}).</li>
 * </ul>
 */
final class DomainXml {
    /** pcie.0 slots shared with the qemu plugin's script: the display, the network card, the disks from 0x03 on. */
    static final int DISPLAY_SLOT = 0x01;
    static final int NETWORK_SLOT = 0x02;
    static final int FIRST_DISK_SLOT = 0x03;


    /** The namespace of libvirt's QEMU pass-through elements (formatdomain "QEMU command-line passthrough"). */
    static final String QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0";

    private DomainXml() {
    }

    /**
     * @param autoSelectFirmware {@code <os firmware='efi'>} (libvirt 5.2+) instead of the explicit loader and template
     * @param uuid               the domain's uuid (the existing domain's, so a redefinition replaces it)
     * @param header             a comment for the top of the document
     */
    static String render(VmSpec vm, List<VmFeature> features, boolean autoSelectFirmware, String uuid, String header) {
        Features f = Features.of(vm, features);
        Xml x = new Xml();
        x.comment(header);
        if (f.mmio64 != null) x.open("domain", "type", vm.virtType().id(), "xmlns:qemu", QEMU_NS);
        else x.open("domain", "type", vm.virtType().id());
        x.text("name", vm.name());
        x.text("uuid", uuid);
        x.text("memory", Long.toString(vm.memoryMiB()), "unit", "MiB");
        x.text("currentMemory", Long.toString(vm.memoryMiB()), "unit", "MiB");
        x.text("vcpu", Integer.toString(vm.vcpus()), "placement", "static");
        os(x, vm, autoSelectFirmware);
        x.open("features");
        x.empty("acpi");
        x.empty("apic");
        if (f.vendorId != null) {
            x.open("hyperv", "mode", "custom");
            x.empty("vendor_id", "state", "on", "value", f.vendorId.id());
            x.close("hyperv");
        }
        if (f.hideKvm) {
            x.open("kvm");
            x.empty("hidden", "state", "on");
            x.close("kvm");
        }
        if (f.kvmIoapic) x.empty("ioapic", "driver", "kvm");
        if (vm.uefi() && vm.firmware().secureBoot()) x.empty("smm", "state", "on");
        x.close("features");
        String cpuMode = switch (vm.virtType()) {
            case KVM -> "host-passthrough";
            case QEMU -> "maximum";
        };
        if (f.hostPhysBits) {
            x.open("cpu", "mode", cpuMode);
            x.empty("maxphysaddr", "mode", "passthrough");
            x.close("cpu");
        } else {
            x.empty("cpu", "mode", cpuMode);
        }
        x.empty("clock", "offset", "utc");
        x.text("on_poweroff", "destroy");
        x.text("on_reboot", "restart");
        x.text("on_crash", "destroy");
        devices(x, vm, f);
        if (f.mmio64 != null) {
            // libvirt's own <sysinfo type='fwcfg'> refuses names under opt/ovmf/ ("That firmware name is reserved",
            // qemuValidateDomainDefSysinfo), so the entry goes to QEMU directly, exactly as the qemu plugin writes it
            x.open("qemu:commandline");
            x.empty("qemu:arg", "value", "-fw_cfg");
            x.empty("qemu:arg", "value", "name=opt/ovmf/X-PciMmio64Mb,string=" + f.mmio64.mib());
            x.close("qemu:commandline");
        }
        x.close("domain");
        return x.toString();
    }

    private static void os(Xml x, VmSpec vm, boolean autoSelect) {
        if (!vm.uefi()) {
            // QEMU's default BIOS (SeaBIOS): no firmware element at all
            x.open("os");
            x.text("type", "hvm", "arch", "x86_64", "machine", "q35");
        } else if (autoSelect) {
            x.open("os", "firmware", "efi");
            x.text("type", "hvm", "arch", "x86_64", "machine", "q35");
            x.open("firmware");
            x.empty("feature", "enabled", vm.firmware().secureBoot() ? "yes" : "no", "name", "secure-boot");
            x.close("firmware");
        } else {
            x.open("os");
            x.text("type", "hvm", "arch", "x86_64", "machine", "q35");
            List<String> loader = new ArrayList<>(List.of("readonly", "yes", "secure", vm.firmware().secureBoot() ? "yes" : "no",
                    "type", "pflash"));
            if (!"raw".equals(vm.firmware().format())) loader.addAll(List.of("format", vm.firmware().format()));
            x.text("loader", vm.firmware().code(), loader.toArray(String[]::new));
            if ("raw".equals(vm.firmware().format())) x.empty("nvram", "template", vm.firmware().varsTemplate());
            else x.empty("nvram", "template", vm.firmware().varsTemplate(), "format", vm.firmware().format());
        }
        if (vm.directBoot() != null) {
            x.text("kernel", vm.directBoot().kernel());
            if (vm.directBoot().initrd() != null) x.text("initrd", vm.directBoot().initrd());
            if (vm.directBoot().cmdline() != null) x.text("cmdline", vm.directBoot().cmdline());
        } else {
            // the disk first: OVMF falls through an empty disk to the installer ISO, and boots the installed system after
            if (!vm.disks().isEmpty()) x.empty("boot", "dev", "hd");
            if (vm.cdrom() != null) x.empty("boot", "dev", "cdrom");
        }
        x.close("os");
    }

    private static void devices(Xml x, VmSpec vm, Features f) {
        x.open("devices");
        int n = 0;
        for (VmDisk disk : vm.disks()) {
            if (!disk.format().equals("qcow2") && !disk.format().equals("raw")) {
                throw new IllegalArgumentException("disk " + disk.path() + ": format '" + disk.format()
                        + "' is neither qcow2 nor raw");
            }
            x.open("disk", "type", "file", "device", "disk");
            x.empty("driver", "name", "qemu", "type", disk.format());
            x.empty("source", "file", disk.path());
            x.empty("target", "dev", "vd" + driveLetters(n), "bus", "virtio");
            x.empty("address", "type", "pci", "domain", "0x0000", "bus", "0x00", "slot", hex2(FIRST_DISK_SLOT + n), "function", "0x0");
            n++;
            x.close("disk");
        }
        if (vm.cdrom() != null) {
            x.open("disk", "type", "file", "device", "cdrom");
            x.empty("driver", "name", "qemu", "type", "raw");
            x.empty("source", "file", vm.cdrom());
            x.empty("target", "dev", "sda", "bus", "sata");
            x.empty("readonly");
            x.close("disk");
        }
        network(x, vm.network());
        if (vm.graphics() == VmSpec.Graphics.SPICE) {
            x.open("graphics", "type", "spice", "autoport", "yes");
            x.empty("listen", "type", "address", "address", "127.0.0.1");
            if (f.spiceServerMouse) x.empty("mouse", "mode", "server");
            x.close("graphics");
            x.open("video");
            x.empty("model", "type", "virtio", "heads", "1", "primary", "yes");
            x.empty("address", "type", "pci", "domain", "0x0000", "bus", "0x00", "slot", hex2(DISPLAY_SLOT), "function", "0x0");
            x.close("video");
        }
        if (vm.serialLog() != null) {
            x.open("serial", "type", "file");
            x.empty("source", "path", vm.serialLog());
            x.empty("target", "port", "0");
            x.close("serial");
        } else {
            x.open("serial", "type", "pty");
            x.empty("target", "port", "0");
            x.close("serial");
            x.open("console", "type", "pty");
            x.empty("target", "type", "serial", "port", "0");
            x.close("console");
        }
        // no USB controller: libvirt would add one behind a root port of its own at pcie.0's first free slot, which the
        // guest enumerates before the passed-through cards' root ports (0x10 on) and so shifts their bus numbers away
        // from the QEMU script's (found by the real-kernel suite's nested guest); the other PCI devices sit on pcie.0
        // at the slots the QEMU script uses for the same reason (SPICE's mouse is PS/2, server mode)
        x.empty("controller", "type", "usb", "model", "none");
        for (GuestSlot slot : vm.slots()) {
            x.open("controller", "type", "pci", "index", Integer.toString(slot.rootPort()), "model", "pcie-root-port");
            x.empty("target", "chassis", Integer.toString(slot.rootPort()));
            x.empty("address", "type", "pci", "domain", "0x0000", "bus", "0x00", "slot", hex2(slot.rootPortSlot()),
                    "function", "0x0");
            x.close("controller");
        }
        for (GuestSlot slot : vm.slots()) {
            for (PassedFunction fn : slot.functions()) {
                PciAddress h = fn.host();
                x.open("hostdev", "mode", "subsystem", "type", "pci", "managed", "yes");
                // vfio is libvirt's default where the host supports it; named, the domain converts to QEMU arguments
                // (virsh domxml-to-native) on a host without an IOMMU too, and fails to start the same way on one
                x.empty("driver", "name", "vfio");
                x.open("source");
                x.empty("address", "domain", String.format("0x%04x", h.domain()), "bus", hex2(h.bus()), "slot", hex2(h.device()),
                        "function", "0x" + Integer.toHexString(h.function()));
                x.close("source");
                if (f.romBarOff.containsKey(h)) x.empty("rom", "bar", "off");
                List<String> guest = new ArrayList<>(List.of("type", "pci", "domain", "0x0000", "bus", hex2(slot.rootPort()),
                        "slot", "0x00", "function", "0x" + Integer.toHexString(fn.guestFunction())));
                if (fn.guestFunction() == 0 && slot.multifunction()) guest.addAll(List.of("multifunction", "on"));
                x.empty("address", guest.toArray(String[]::new));
                x.close("hostdev");
            }
        }
        // the guest's memory is pinned for the passed-through devices' DMA: a balloon could never give any of it back
        if (!vm.slots().isEmpty()) x.empty("memballoon", "model", "none");
        x.close("devices");
    }

    private static void network(Xml x, VmNetwork network) {
        switch (network.kind()) {
            case NONE -> {
                return;
            }
            case DEFAULT -> {
                x.open("interface", "type", "network");
                x.empty("source", "network", "default");
            }
            case BRIDGE -> {
                x.open("interface", "type", "bridge");
                x.empty("source", "bridge", network.bridge());
            }
            case USER -> x.open("interface", "type", "user");
        }
        x.empty("model", "type", "virtio");
        x.empty("address", "type", "pci", "domain", "0x0000", "bus", "0x00", "slot", hex2(NETWORK_SLOT), "function", "0x0");
        x.close("interface");
    }

    /** vda, vdb, …, vdz, vdaa: the kernel's names for virtio disks, which libvirt's target dev follows. */
    static String driveLetters(int index) {
        StringBuilder b = new StringBuilder();
        int i = index;
        do {
            b.insert(0, (char) ('a' + i % 26));
            i = i / 26 - 1;
        } while (i >= 0);
        return b.toString();
    }

    private static String hex2(int value) {
        return String.format("0x%02x", value);
    }

    /** The features sorted into their places; a RomBarOff for a function not in the VM is refused. */
    private record Features(boolean hideKvm, VmFeature.HypervVendorId vendorId, boolean kvmIoapic, boolean spiceServerMouse,
                            boolean hostPhysBits, VmFeature.PciMmio64Window mmio64, Map<PciAddress, VmFeature.RomBarOff> romBarOff) {

        static Features of(VmSpec vm, List<VmFeature> features) {
            boolean hideKvm = false;
            boolean kvmIoapic = false;
            boolean spice = false;
            boolean physBits = false;
            VmFeature.HypervVendorId vendor = null;
            VmFeature.PciMmio64Window window = null;
            Map<PciAddress, VmFeature.RomBarOff> rom = new LinkedHashMap<>();
            Map<String, VmFeature> byKey = new LinkedHashMap<>();
            for (VmFeature feature : features) {
                VmFeature before = byKey.putIfAbsent(feature.key(), feature);
                if (before != null && !before.equals(feature)) {
                    throw new IllegalArgumentException("conflicting features for " + vm.name() + ": " + before.name() + " '"
                            + before.value() + "' and '" + feature.value() + "'");
                }
                // Java 17 has no pattern switch: an instanceof chain over the sealed interface, and an unknown kind (a
                // feature added to the API but not here) fails loudly instead of being left out
                if (feature instanceof VmFeature.HideKvm) hideKvm = true;
                else if (feature instanceof VmFeature.HypervVendorId v) vendor = v;
                else if (feature instanceof VmFeature.KvmIoapic) kvmIoapic = true;
                else if (feature instanceof VmFeature.SpiceServerMouse) spice = true;
                else if (feature instanceof VmFeature.HostPhysBits) physBits = true;
                else if (feature instanceof VmFeature.PciMmio64Window w) window = w;
                else if (feature instanceof VmFeature.RomBarOff r) {
                    if (vm.functions().stream().noneMatch(fn -> fn.host().equals(r.device()))) {
                        throw new IllegalArgumentException("rom-bar-off names " + r.device() + ", which is not a "
                                + "passed-through function of " + vm.name());
                    }
                    rom.put(r.device(), r);
                } else {
                    throw new IllegalArgumentException("the libvirt plugin cannot render the feature " + feature.name());
                }
            }
            return new Features(hideKvm, vendor, kvmIoapic, spice, physBits, window, rom);
        }
    }
}
