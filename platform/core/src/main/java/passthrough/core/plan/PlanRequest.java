package passthrough.core.plan;

import java.util.List;
import java.util.Objects;
import passthrough.api.PciAddress;

/**
 * What the user asked for.
 *
 * @param devices          the devices named with --device, in order (at least one): a function of the GPU (normally
 *                         its VGA function), a USB controller...; the whole group of each is reserved, all in one plan
 * @param binding          "auto", "vfio-pci" or "pci-stub"
 * @param allowSharedGroup proceed although a group holds devices of other slots (they are taken from the host)
 * @param allowBootGpu     proceed although a reserved device is the firmware's console GPU
 * @param withSiblings     also reserve each card's functions that sit in other groups, where those groups hold nothing
 *                         but functions of that card
 */
public record PlanRequest(List<PciAddress> devices, String binding, boolean allowSharedGroup, boolean allowBootGpu,
                          boolean withSiblings) {

    public PlanRequest {
        Objects.requireNonNull(devices, "devices");
        if (devices.isEmpty()) throw new IllegalArgumentException("a plan needs at least one device");
        devices.forEach(d -> Objects.requireNonNull(d, "devices[]"));
        devices = List.copyOf(devices);
        binding = binding == null ? "auto" : binding;
    }

    public PlanRequest(PciAddress target, String binding, boolean allowSharedGroup, boolean allowBootGpu,
                       boolean withSiblings) {
        this(List.of(Objects.requireNonNull(target, "target")), binding, allowSharedGroup, allowBootGpu, withSiblings);
    }

    public PlanRequest(PciAddress target, String binding, boolean allowSharedGroup, boolean allowBootGpu) {
        this(target, binding, allowSharedGroup, allowBootGpu, false);
    }

    /** The first device named: the plan's {@link Plan#target()}. */
    public PciAddress target() {
        return devices.get(0);
    }
}
