package passthrough.core.host;

import java.util.List;
import passthrough.api.PciAddress;

/**
 * A USB host controller (PCI class 0c03: UHCI, OHCI, EHCI, xHCI) and what hangs off it now.
 *
 * @param address      its PCI address
 * @param name         class and device name, "USB controller: ASMedia Technology Inc. ASM2142 USB 3.1 Host Controller"
 * @param driver       the bound driver (xhci_hcd, vfio-pci), null for none
 * @param iommuGroup   its IOMMU group, null when the IOMMU is off or it is in none
 * @param groupMates   the other devices of its group, bridges aside ("65:00.0 VGA compatible controller [10de:2184]"):
 *                     empty when it is alone, so the group can go to a VM without taking anything else
 * @param critical     why the host cannot lose it, from {@link passthrough.api.HostFacts#criticalDevices()}: it
 *                     controls the root filesystem's disk ("controls the disk of the root filesystem (/dev/sda2 on /,
 *                     via sda2)") or a USB network adapter carrying the default route; null when neither
 * @param devices      the USB devices below its root hubs, in bus and port order (hubs before what hangs off them);
 *                     the root hubs themselves are not listed
 */
public record UsbController(PciAddress address, String name, String driver, Integer iommuGroup, List<String> groupMates,
                            String critical, List<UsbDevice> devices) {
    public UsbController {
        groupMates = List.copyOf(groupMates);
        devices = List.copyOf(devices);
    }

    /** Alone in an IOMMU group (bridges aside), so it can be given to a VM on its own. */
    public boolean alone() {
        return iommuGroup != null && groupMates.isEmpty();
    }

    /** A disk behind it holds the root filesystem (or the host's own reading says it controls that disk). */
    public boolean holdsRootDisk() {
        return disks().stream().anyMatch(UsbDisk::rootFilesystem)
                || (critical != null && critical.contains("root filesystem"));
    }

    public List<UsbDevice> keyboards() {
        return devices.stream().filter(UsbDevice::keyboard).toList();
    }

    public List<UsbDevice> mice() {
        return devices.stream().filter(UsbDevice::mouse).toList();
    }

    public List<UsbDisk> disks() {
        return devices.stream().flatMap(d -> d.disks().stream()).toList();
    }
}
