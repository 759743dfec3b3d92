package passthrough.api;

import java.util.List;

/**
 * Kernel modules that must load early in boot, before the drivers that would claim the reserved devices.
 * How that is done is the host's choice (initramfs-tools, dracut, mkinitcpio, LFS /etc/sysconfig/modules),
 * independent of the bootloader; the profile picks the mechanism.
 *
 * @param modules      modules in load order, e.g. vfio, vfio_iommu_type1, vfio_pci
 * @param extraFiles   files (relative to the root) that the modprobe.d configuration runs or reads at load time and
 *                     that an early-boot image must therefore carry too, e.g. a by-address binding script;
 *                     /etc/modprobe.d itself is every mechanism's business and is not listed
 * @param changedFiles filled in by the planner: the files of this plan that the early boot reads (changed or
 *                     deleted modprobe.d files and extra files). A mechanism that copies them into an image
 *                     (initramfs) must rebuild it even when no module is new
 * @param reason       why
 */
public record EarlyModulesChange(List<String> modules, List<String> extraFiles, List<String> changedFiles, String reason)
        implements Change {

    public EarlyModulesChange {
        modules = List.copyOf(modules);
        extraFiles = List.copyOf(extraFiles);
        changedFiles = List.copyOf(changedFiles);
    }

    public EarlyModulesChange(List<String> modules, String reason) {
        this(modules, List.of(), List.of(), reason);
    }

    public EarlyModulesChange(List<String> modules, List<String> extraFiles, String reason) {
        this(modules, extraFiles, List.of(), reason);
    }

    /** This change as the planner hands it to the loader, knowing which early-boot files the plan changes. */
    public EarlyModulesChange withChangedFiles(List<String> changed) {
        return new EarlyModulesChange(modules, extraFiles, changed, reason);
    }
}
