package passthrough.plugin.qemu;

import java.util.List;
import java.util.Set;
import passthrough.api.DirectBoot;
import passthrough.api.Firmware;
import passthrough.api.GuestSlot;
import passthrough.api.HostFacts;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.VirtType;
import passthrough.api.VmDisk;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

/**
 * The VMs of the golden scripts. (b)-(d) are the libvirt plugin's golden domains (same names, paths and features), so
 * the libvirt/qemu cross-check can compare the two for the same VM.
 */
final class Fixtures {

    /** A golden: its file under src/test/resources/golden, the VM and the quirks' features. */
    record Golden(String file, VmSpec vm, List<VmFeature> features) {
        String render() {
            return new QemuHypervisor().define(facts(), vm, features).document();
        }
    }

    static HostFacts facts() {
        return HostFacts.builder().commands(Set.of("qemu-system-x86_64", "qemu-img")).build();
    }

    static final Firmware DEBIAN_4M = new Firmware("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd",
            "raw", false, "usr/share/qemu/firmware/60-edk2-x86_64.json");
    /** Ubuntu 18.04's ovmf and seed 2's LFS build: the 2 MiB images under these names, no descriptors. */
    static final Firmware OVMF_2M = new Firmware("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd",
            "raw", false, null);

    static PciAddress pci(String text) {
        return PciAddress.parse(text);
    }

    static List<VmFeature> nvidia() {
        return List.of(new VmFeature.HideKvm(), new VmFeature.HypervVendorId("passthrough"), new VmFeature.KvmIoapic());
    }

    /**
     * (a) Seed 2: the Tesla T10 at 82:00.0 alone (the seed's lspci and the sample host seed2-lfs-12.2), KVM, 32 GiB,
     * 4 vCPUs, the Debian 12 DVD and a new 64 GiB qcow2 disk, the host bridge br0, with nvidia's features (the seed's
     * own line had kvm=off), SPICE instead of the seed's VNC.
     */
    static Golden seed2() {
        VmSpec vm = new VmSpec("d2l", 32768, 4, VirtType.KVM, OVMF_2M,
                List.of(new VmDisk("/sources/images/d2l.qcow", "qcow2", 68_719_476_736L)),
                "/sources/debian-cd_current_amd64_iso-dvd_debian-12.9.0-amd64-DVD-1.iso",
                new VmNetwork(VmNetwork.Kind.BRIDGE, "br0"), VmSpec.Graphics.SPICE,
                List.of(new GuestSlot(1, List.of(new PassedFunction(pci("0000:82:00.0"), 0)))), null, null);
        return new Golden("seed2-t10.sh", vm, nvidia());
    }

    /** (b) Seed 1: the GTX 1660's four functions 65:00.0-.3 in one guest slot, nvidia + spice-mouse, KVM, an ISO. */
    static Golden seed1() {
        GuestSlot gtx1660 = new GuestSlot(1, List.of(new PassedFunction(pci("0000:65:00.0"), 0),
                new PassedFunction(pci("0000:65:00.1"), 1), new PassedFunction(pci("0000:65:00.2"), 2),
                new PassedFunction(pci("0000:65:00.3"), 3)));
        VmSpec vm = new VmSpec("win10", 8192, 8, VirtType.KVM, OVMF_2M,
                List.of(new VmDisk("/var/lib/libvirt/images/win10.qcow2", "qcow2", null)),
                "/var/lib/libvirt/images/Win10_22H2_English_x64.iso", VmNetwork.of(VmNetwork.Kind.DEFAULT),
                VmSpec.Graphics.SPICE, List.of(gtx1660), null, null);
        List<VmFeature> features = new java.util.ArrayList<>(nvidia());
        features.add(new VmFeature.SpiceServerMouse());
        return new Golden("seed1-gtx1660.sh", vm, features);
    }

    /** (c) The real-kernel suite's nested guest: TCG, a kernel booted directly, no display, the serial console to a file. */
    static Golden tcgDirectBoot() {
        VmSpec vm = new VmSpec("nested-tcg", 1024, 2, VirtType.QEMU, DEBIAN_4M,
                List.of(new VmDisk("/var/lib/passthrough/nested/root.img", "raw", null)), null,
                VmNetwork.of(VmNetwork.Kind.USER), VmSpec.Graphics.NONE,
                List.of(new GuestSlot(1, List.of(new PassedFunction(pci("0000:00:04.0"), 0)))),
                new DirectBoot("/var/lib/passthrough/nested/vmlinuz", "/var/lib/passthrough/nested/initrd.img",
                        "console=ttyS0 root=/dev/vda rw quiet"),
                "/var/log/passthrough/nested-tcg.serial.log");
        return new Golden("tcg-direct-boot.sh", vm, List.of());
    }

    /** (d) A seed-2-like compute card whose BARs outgrow OVMF's default window: large-bar's features, its ROM hidden. */
    static Golden largeBar() {
        VmSpec vm = new VmSpec("tesla", 16384, 8, VirtType.KVM, DEBIAN_4M,
                List.of(new VmDisk("/var/lib/libvirt/images/tesla.qcow2", "qcow2", 68_719_476_736L)), null,
                new VmNetwork(VmNetwork.Kind.BRIDGE, "br0"), VmSpec.Graphics.NONE,
                List.of(new GuestSlot(1, List.of(new PassedFunction(pci("0000:82:00.0"), 0)))), null, null);
        return new Golden("large-bar.sh", vm, List.of(new VmFeature.HostPhysBits(), new VmFeature.PciMmio64Window(65536),
                new VmFeature.RomBarOff(pci("0000:82:00.0"))));
    }

    static List<Golden> all() {
        return List.of(seed2(), seed1(), tcgDirectBoot(), largeBar());
    }

    private Fixtures() {
    }
}
