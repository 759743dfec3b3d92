package passthrough.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One PCI function as the host shows it in sysfs.
 *
 * @param address          where it sits
 * @param id               vendor:device
 * @param subsystem        subsystem vendor:device (the board maker's ids); null when sysfs has none
 * @param classCode        what kind of device it is
 * @param revision         revision byte, -1 when unknown
 * @param bootVga          the firmware's console GPU ({@code boot_vga} = 1)
 * @param driver           the driver bound now, null when none
 * @param modalias         the {@code modalias} string that module aliases are matched against; null when absent
 * @param iommuGroup       its IOMMU group, null when the IOMMU is off
 * @param vendorName       name from pci.ids, null when unknown
 * @param deviceName       name from pci.ids, null when unknown
 * @param className        the class's name, e.g. "VGA compatible controller"
 * @param claimingModules  kernel modules whose aliases match this device (modules.alias), in table order:
 *                         the drivers that would try to claim it at boot
 */
public record PciDevice(PciAddress address, PciId id, PciId subsystem, PciClassCode classCode, int revision,
                        boolean bootVga, String driver, String modalias, Integer iommuGroup,
                        String vendorName, String deviceName, String className,
                        List<String> claimingModules) {

    public PciDevice {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(classCode, "classCode");
        claimingModules = List.copyOf(claimingModules == null ? List.of() : claimingModules);
    }

    public Optional<String> boundDriver() {
        return Optional.ofNullable(driver);
    }

    public Optional<Integer> group() {
        return Optional.ofNullable(iommuGroup);
    }

    /** "NVIDIA Corporation TU116 [GeForce GTX 1660]" or just what is known. */
    public String displayName() {
        if (vendorName != null && deviceName != null) return vendorName + " " + deviceName;
        if (vendorName != null) return vendorName + " Device " + id.deviceHex();
        return "Device " + id;
    }
}
