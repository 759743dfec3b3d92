package passthrough.api;

import java.util.List;

/** An IOMMU group: the smallest set of devices that can be given to a VM, all or nothing. */
public record IommuGroup(int id, List<PciAddress> devices) {

    public IommuGroup {
        devices = devices.stream().sorted().toList();
    }
}
