package passthrough.cli;

import passthrough.api.PciAddress;
import passthrough.core.plan.PlanRequest;
import picocli.CommandLine.Option;

/** What to reserve and how: the options `plan` and `apply --device` share (a picocli mixin, declared once). */
final class ReservationOptions {
    @Option(names = "--binding", paramLabel = "auto|vfio-pci|pci-stub", defaultValue = "auto",
            description = "How the devices are reserved (default: auto = vfio-pci when the kernel has it).")
    String binding;

    @Option(names = "--allow-shared-group", description = "Reserve the group even if it holds devices of other slots.")
    boolean allowSharedGroup;

    @Option(names = "--allow-boot-gpu", description = "Reserve the group even if it holds the console (boot) GPU.")
    boolean allowBootGpu;

    @Option(names = "--with-siblings", description = "Also reserve the card's other functions (its HDMI audio, USB-C) "
            + "that sit in other IOMMU groups, when those groups hold nothing but this card's functions.")
    boolean withSiblings;

    @Option(names = "--bootloader", paramLabel = "ID", description = "The bootloader writer to use (e.g. grub-debian, "
            + "grub-lfs) when the profile does not decide or is wrong for this host; it must manage the host.")
    String bootloader;

    @Option(names = "--early-modules", paramLabel = "ID", description = "The early-module loader to use (e.g. "
            + "initramfs-tools, lfs-sysconfig) when the profile does not decide or is wrong for this host.")
    String earlyModules;

    PlanRequest request(java.util.List<String> devices) {
        return new PlanRequest(devices.stream().map(PciAddress::parse).toList(), binding, allowSharedGroup, allowBootGpu,
                withSiblings);
    }
}
