package passthrough.api;

import java.util.List;

/**
 * Kernel modules that must load early in boot, before the drivers that would claim the reserved devices.
 * How that is done is the host's choice (initramfs-tools, dracut, mkinitcpio, LFS /etc/sysconfig/modules),
 * independent of the bootloader; the profile picks the mechanism.
 *
 * @param modules modules in load order, e.g. vfio, vfio_iommu_type1, vfio_pci
 */
public record EarlyModulesChange(List<String> modules, String reason) implements Change {

    public EarlyModulesChange {
        modules = List.copyOf(modules);
    }
}
