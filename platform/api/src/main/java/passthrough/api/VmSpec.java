package passthrough.api;

import java.util.ArrayList;
import java.util.List;

/**
 * A VM to define: its size, the host devices it owns (a whole IOMMU group), and features the quirks added.
 */
public record VmSpec(String name, int memoryMiB, int vcpus, List<PciAddress> hostDevices, List<VmFeature> features) {

    public VmSpec {
        hostDevices = List.copyOf(hostDevices);
        features = List.copyOf(features);
    }

    public VmSpec withFeature(VmFeature feature) {
        List<VmFeature> more = new ArrayList<>(features);
        more.add(feature);
        return new VmSpec(name, memoryMiB, vcpus, hostDevices, more);
    }
}
