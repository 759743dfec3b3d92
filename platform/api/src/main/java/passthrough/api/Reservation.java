package passthrough.api;

import java.util.List;

/**
 * The devices to reserve at boot for passthrough, and how they are to be recognised.
 *
 * @param devices the endpoints of one IOMMU group (bridges excluded)
 * @param byAddress true when another device on the host shares a vendor:device id with a reserved one, so ids
 *                  would take both: then the devices must be claimed by address (driver_override)
 */
public record Reservation(List<PciDevice> devices, boolean byAddress) {

    public Reservation {
        devices = List.copyOf(devices);
    }

    /** Distinct vendor:device ids in address order, as {@code vfio-pci.ids=} wants them. */
    public List<PciId> ids() {
        return devices.stream().map(PciDevice::id).distinct().toList();
    }
}
