package passthrough.plugin.libvirt;

import java.util.List;
import java.util.Map;
import passthrough.api.DirectBoot;
import passthrough.api.Firmware;
import passthrough.api.GuestSlot;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.PluginSettings;
import passthrough.api.VirtType;
import passthrough.api.VmDisk;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

/** The VMs of the golden documents; the real-libvirt tests use the same ones. */
final class Fixtures {

    /** A golden: its file under src/test/resources/golden, the VM, the quirks' features and the plugin's settings. */
    record Golden(String file, VmSpec vm, List<VmFeature> features, PluginSettings settings) {
        LibvirtHypervisor hypervisor() {
            return (LibvirtHypervisor) new LibvirtHypervisor().withSettings(settings);
        }

        String render() {
            return hypervisor().define(passthrough.api.HostFacts.builder().commands(java.util.Set.of("virsh", "qemu-img"))
                    .build(), vm, features).document();
        }
    }

    static final Firmware DEBIAN_4M = new Firmware("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd",
            "raw", false, "usr/share/qemu/firmware/60-edk2-x86_64.json");
    /** Ubuntu 18.04's ovmf package ships the 2 MiB build under these names, and no firmware descriptors. */
    static final Firmware UBUNTU_1804 = new Firmware("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd",
            "raw", false, null);

    static PciAddress pci(String text) {
        return PciAddress.parse(text);
    }

    /**
     * (a) Seed 1: Ubuntu 18.04 (libvirt 4.0, so its profile turns firmware auto-selection off), the GTX 1660 of IOMMU
     * group 34 with its four functions 65:00.0-.3 (VGA, HDMI audio, USB, UCSI) in one guest slot, nvidia's and
     * spice-mouse's features, KVM, a Windows installer ISO.
     */
    static Golden seed1() {
        GuestSlot gtx1660 = new GuestSlot(1, List.of(new PassedFunction(pci("0000:65:00.0"), 0),
                new PassedFunction(pci("0000:65:00.1"), 1), new PassedFunction(pci("0000:65:00.2"), 2),
                new PassedFunction(pci("0000:65:00.3"), 3)));
        VmSpec vm = new VmSpec("win10", 8192, 8, VirtType.KVM, UBUNTU_1804,
                List.of(new VmDisk("/var/lib/libvirt/images/win10.qcow2", "qcow2", null)),
                "/var/lib/libvirt/images/Win10_22H2_English_x64.iso", VmNetwork.of(VmNetwork.Kind.DEFAULT),
                VmSpec.Graphics.SPICE, List.of(gtx1660), null, null);
        return new Golden("seed1-gtx1660.xml", vm, List.of(new VmFeature.HideKvm(), new VmFeature.HypervVendorId("passthrough"),
                new VmFeature.KvmIoapic(), new VmFeature.SpiceServerMouse()),
                new PluginSettings(Map.of(LibvirtHypervisor.FIRMWARE_AUTO_SELECT, "false")));
    }

    /** (b) The real-kernel suite's nested guest: TCG, a kernel booted directly, one function, the serial console to a file. */
    static Golden tcgDirectBoot() {
        VmSpec vm = new VmSpec("nested-tcg", 1024, 2, VirtType.QEMU, DEBIAN_4M,
                List.of(new VmDisk("/var/lib/passthrough/nested/root.img", "raw", null)), null,
                VmNetwork.of(VmNetwork.Kind.USER), VmSpec.Graphics.NONE,
                List.of(new GuestSlot(1, List.of(new PassedFunction(pci("0000:00:04.0"), 0)))),
                new DirectBoot("/var/lib/passthrough/nested/vmlinuz", "/var/lib/passthrough/nested/initrd.img",
                        "console=ttyS0 root=/dev/vda rw quiet"),
                "/var/log/passthrough/nested-tcg.serial.log");
        return new Golden("tcg-direct-boot.xml", vm, List.of(), PluginSettings.NONE);
    }

    /**
     * (c) A seed-2-like compute card whose 64-bit BARs outgrow OVMF's default window (one function, 82:00.0), with
     * large-bar's features, its option ROM hidden, on a host bridge, no SPICE.
     */
    static Golden largeBar() {
        VmSpec vm = new VmSpec("tesla", 16384, 8, VirtType.KVM, DEBIAN_4M,
                List.of(new VmDisk("/var/lib/libvirt/images/tesla.qcow2", "qcow2", 68_719_476_736L)), null,
                new VmNetwork(VmNetwork.Kind.BRIDGE, "br0"), VmSpec.Graphics.NONE,
                List.of(new GuestSlot(1, List.of(new PassedFunction(pci("0000:82:00.0"), 0)))), null, null);
        return new Golden("large-bar.xml", vm, List.of(new VmFeature.HostPhysBits(), new VmFeature.PciMmio64Window(65536),
                new VmFeature.RomBarOff(pci("0000:82:00.0"))), PluginSettings.NONE);
    }

    static List<Golden> all() {
        return List.of(seed1(), tcgDirectBoot(), largeBar());
    }

    private Fixtures() {
    }
}
